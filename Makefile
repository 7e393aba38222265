# Hembas – the two commands of the README, and the longer jobs.
#   make demo   run the whole box on this machine with embedded defaults
#   make test   run the whole test suite (what CI runs)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= var
export HEMBAS_DATA := $(abspath $(DATA))
export ESCPOS_CAPABILITIES_PICKLE_DIR := $(abspath $(VENV))/escpos-cache
export GPIOZERO_PIN_FACTORY ?= mock

.PHONY: demo test install install-test system-test-deps bench phone faults image image-test lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The whole box on this machine. Beside the web UI run the hardware daemon on mock pins (press
# its button with `hembas firmware press [--long]`), a demo hub on 127.0.0.1:8090 that publishes
# a changed plan every two minutes, and the sync loop that fetches it. Ctrl-C stops them all.
demo: install
	$(BIN)/hembas demo-plan --import --if-needed
	$(BIN)/hembas demo-accounts
	$(BIN)/hembas hub demo-setup
	$(BIN)/hembas hub serve --demo & hub=$$!; sleep 2; \
	$(BIN)/hembas sync run & sync=$$!; \
	$(BIN)/hembas firmware run & fw=$$!; \
	trap 'kill $$fw $$sync $$hub 2>/dev/null; wait $$fw $$sync $$hub' EXIT INT TERM; \
	$(BIN)/hembas serve --host 127.0.0.1 --port 8080

system-test-deps:
	sh tests/install-system-deps.sh

test: install-test system-test-deps
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) *.egg-info

# Benchmarks (docs/benchmarks.md): a table on the terminal, figures in bench/results.json.
# BASELINE=/path/to/another/checkout measures its web server beside this one in the same run.
bench: install
	@mkdir -p bench
	PYTHONPATH=tests $(BIN)/python -m bench --output bench/results.json $(if $(BASELINE),--baseline $(BASELINE))

# The phone on the road (docs/web-ui.md#the-offline-day): the saved day, loads and the outbox in
# Chromium against hembas serve, and Lighthouse v11 on Idag (npx fetches it; about a minute).
phone: install-test
	@mkdir -p bench
	PYTHONPATH=tests $(BIN)/python -m bench.phone --output bench/phone.json

# Fault harness (docs/benchmarks.md): power cuts, hostile input, full disk, printer and hub faults.
faults: install-test
	PYTHONPATH=tests $(BIN)/python -m faults

# The Raspberry Pi image (deploy/out/hembas.img, about 30 minutes the first time, 12 with the
# cached Debian root; root needed for mmdebstrap, chroot and the Debian packages it installs), its
# emulated boot test (about 50 minutes: broken and fixed settings, USB stick, A/B updates), and the
# lock file of its Python packages (run when pyproject.toml's dependencies change; commit the result).
image:
	bash deploy/image/build-image.sh

image-test:
	test -f deploy/out/hembas.img || $(MAKE) image
	cd deploy/image && ../out/buildenv/bin/python boot-test.py ../out

lock:
	test -x deploy/out/buildenv/bin/python || $(PYTHON) -m venv deploy/out/buildenv
	deploy/out/buildenv/bin/python deploy/image/lock.py
