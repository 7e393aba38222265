#!/usr/bin/env python3
"""Pin the image's Python packages: requirements.lock with exact versions and SHA-256 hashes.

    deploy/out/buildenv/bin/python deploy/image/lock.py      (make lock)

Resolves the project's dependencies (pyproject.toml) and requirements-pi.txt
for the Pi (arm64, CPython 3.11, as Debian 12 has it) with pip, and writes
every wheel it picked as ``name==version --hash=sha256:…``.  ``make image``
then downloads exactly these files (``pip download --require-hashes``): a
new release on PyPI changes nothing until this is run again and the lock
file committed.
"""

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
LOCK = HERE / "requirements.lock"
PYTHON_VERSION = "3.11"
GLIBC = (17, 26, 27, 28, 31, 34, 35, 36)      # manylinux tags Debian 12 (glibc 2.36) can run


def platform_options():
    options = ["--platform", "manylinux2014_aarch64"]
    for minor in GLIBC:
        options += ["--platform", f"manylinux_2_{minor}_aarch64"]
    return options + ["--python-version", PYTHON_VERSION, "--implementation", "cp", "--abi", "cp311",
                      "--only-binary=:all:"]


def wheel_name_and_version(filename):
    name, version = filename.split("-")[:2]
    return re.sub(r"[-_.]+", "-", name).lower(), version


def lock_lines(folder):
    lines = []
    for wheel in sorted(Path(folder).glob("*.whl")):
        name, version = wheel_name_and_version(wheel.name)
        if name == "hembas":
            continue
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lines.append(f"{name}=={version} --hash=sha256:{digest}")
    return lines


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp, str(PROJECT)],
                       check=True)
        project_wheel = next(Path(tmp).glob("hembas-*.whl"))
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", *platform_options(), "-d", tmp,
                        str(project_wheel), "-r", str(HERE / "requirements-pi.txt")], check=True)
        lines = lock_lines(tmp)
    LOCK.write_text("# The image's Python packages for the Pi (arm64, CPython 3.11), pinned with their hashes.\n"
                    "# Made by deploy/image/lock.py (make lock) from pyproject.toml and requirements-pi.txt;\n"
                    "# make image installs exactly these.\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{LOCK}: {len(lines)} packages")


if __name__ == "__main__":
    main()
