"""Every third-party module the code imports is a declared dependency.

A module that is only installed on a developer's machine makes `make demo`
fail on a fresh one; this test catches that before CI or a technician does.
"""

import ast
import os
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).parents[1]
OWN = {"sync", "webui", "printer", "firmware", "deploy"}


def source_files():
    """The Python files of the packages (not the image build's output under deploy/out)."""
    for package in OWN:
        for folder, dirs, files in os.walk(ROOT / package):
            dirs[:] = [d for d in dirs if d != "out" and not d.startswith((".", "__"))]
            yield from (Path(folder) / f for f in files if f.endswith(".py"))


def imported_top_level_modules():
    names = set()
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    beside = {path.stem for path in source_files()      # a script's helper beside it (deploy/image: no package)
              if not (path.parent / "__init__.py").exists()}
    return names - OWN - beside - set(sys.stdlib_module_names)


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_distribution_is_declared():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {normalise(re.split(r"[<>=!~ ;\[]", dep)[0]) for dep in pyproject["project"]["dependencies"]}
    distributions = packages_distributions()
    optional_on_a_pi = {"lgpio", "usb"}  # imported lazily, only where the hardware is
    part_of_flask = {"werkzeug", "markupsafe", "jinja2", "itsdangerous"}  # Flask's own API, pinned by Flask
    missing = {}
    for module in imported_top_level_modules() - optional_on_a_pi - part_of_flask:
        dists = {normalise(d) for d in distributions.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(dists)
    assert missing == {}, "imported but not in pyproject.toml dependencies"
