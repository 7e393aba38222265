"""The image's Python packages are pinned: every dependency in the lock file, with its hash, and used."""

import re
import tomllib
from pathlib import Path

import deploy

IMAGE = Path(deploy.__file__).parent / "image"
PROJECT = Path(deploy.__file__).parents[1]


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked():
    lines = [line for line in (IMAGE / "requirements.lock").read_text().splitlines() if line and line[0] != "#"]
    return {normalise(line.split("==")[0]): line for line in lines}


def test_every_dependency_is_pinned_with_its_hash():
    wanted = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted += [line for line in (IMAGE / "requirements-pi.txt").read_text().splitlines() if line and line[0] != "#"]
    pins = locked()
    for requirement in wanted:
        name = normalise(re.split(r"[<>=!~ ;\[#]", requirement.strip())[0])
        assert name in pins, name
    for name, line in pins.items():
        assert re.fullmatch(rf"{re.escape(name)}==[0-9][^ ]* --hash=sha256:[0-9a-f]{{64}}", line), line


def test_the_build_installs_exactly_the_lock_file():
    build = (IMAGE / "build-image.sh").read_text()
    assert '--no-deps --require-hashes -d "$OUT/wheels" -r "$HERE/requirements.lock"' in build
    customize = (IMAGE / "customize.sh").read_text()
    assert "--require-hashes -r /tmp/requirements.lock" in customize and "pip check" in customize


def test_the_image_records_what_it_was_made_of():
    build = (IMAGE / "build-image.sh").read_text()
    for record in ('"git_commit"', '"snapshot"', '"sources"', '"lock_sha256"', "requirements.lock"):
        assert record in build, record
    assert "dpkg-query -W" in (IMAGE / "customize.sh").read_text()
    assert "DEBIAN_SNAPSHOT" in build and "snapshot.debian.org/archive/debian/$DEBIAN_SNAPSHOT/" in build
