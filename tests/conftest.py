"""Fixtures shared by every part's tests.

Each part keeps its tests in its own folder (tests/sync, tests/web, …) and
its own conftest.py there; only what several parts need lives here.
"""

import os

import pytest
from hembas_testing import TODAY, fixed_clock

from sync.box import open_box
from sync.day.changes import audit_as
from sync.config import load_config
from sync.hub.store import HubStore
from sync.plan.demo import demo_plan

# No test may touch real GPIO pins.
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "var"
    path.mkdir()
    return path


@pytest.fixture
def stick(tmp_path):
    """A USB stick's folder, as the box sees it once the stick is mounted."""
    path = tmp_path / "stick"
    path.mkdir()
    return path


@pytest.fixture
def hub_store(tmp_path):
    """The reference hub's folder with fresh keys (plan bundles are signed with them)."""
    store = HubStore(tmp_path / "hub")
    store.keygen()
    return store


@pytest.fixture
def config(data_dir):
    """Embedded defaults for a fresh data folder; the environment cannot leak in."""
    return load_config(data_dir, environ={})


@pytest.fixture
def empty_box(config):
    """A box with no plan, whose clock says 27 Nov 2026 07:30 (plausible)."""
    box = open_box(config)
    box.clock = fixed_clock(config.data_dir)
    return box


@pytest.fixture
def demo_document():
    """The demo plan from TODAY: 7 staff, 40 clients, 14 days."""
    return demo_plan(TODAY)


@pytest.fixture
def box(empty_box, demo_document):
    """A box with the demo plan imported and a trusted clock at TODAY 07:30."""
    empty_box.mirror.import_document(demo_document, source="test", today=TODAY)
    return empty_box


@pytest.fixture
def who(box):
    """Who makes a change to the day in a test: the coordinator s1 (record author and audit actor)."""
    return {"author": "s1", "audit": audit_as(box, "s1")}


@pytest.fixture
def dag(box):
    """The day shift of TODAY."""
    return box.shifts.shift(TODAY, "dag")


@pytest.fixture(scope="session")
def cups_server():
    """A cupsd of the tests' own on 127.0.0.1 with one A4 queue printing into a file (see tests/cups_server.py)."""
    from cups_server import CupsServer, missing

    reason = missing()
    if reason:
        pytest.skip(reason)
    with CupsServer() as server:
        yield server


@pytest.fixture
def a4_box(box, cups_server):
    """The demo box with the test's CUPS queue as its A4 printer."""
    box.config["binder"].update(printer=cups_server.queue, cups_server=cups_server.server)
    return box
