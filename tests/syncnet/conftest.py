"""A real reference hub in a subprocess on 127.0.0.1, a fault-injecting proxy, and a box pointed at them."""

import subprocess
import sys
import threading

import pytest
from hembas_testing import TODAY, fixed_clock
from syncnet.helpers import TEAM, FaultyProxy

from sync.box import open_box
from sync.config import load_config
from sync.network.keys import box_public_key


@pytest.fixture
def hub_url(hub_store, tmp_path):
    """The reference hub (`hembas hub serve`) as a subprocess; yields its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "sync.cli", "--data", str(tmp_path / "hubdata"), "hub", "serve",
                             "--hub-dir", str(hub_store.folder), "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "lyssnar på" in line:
                url = line.split("lyssnar på ", 1)[1].split("/ ", 1)[0]
                break
        else:
            pytest.fail("the hub did not start")
        drain = threading.Thread(target=proc.stderr.read, daemon=True)  # keep the pipe from filling up
        drain.start()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if "drain" in locals():
            drain.join(timeout=10)
        proc.stderr.close()


@pytest.fixture
def net_config(data_dir, hub_store, hub_url):
    keys = hub_store.public_keys()
    return load_config(data_dir, environ={
        "HEMBAS_HUB_URL": hub_url, "HEMBAS_HUB_PUBLIC_KEY": keys["public_key"],
        "HEMBAS_HUB_ENCRYPTION_KEY": keys["encryption_key"], "HEMBAS_HUB_TIMEOUT_SECONDS": "1",
        "HEMBAS_TEAM_ID": TEAM})


@pytest.fixture
def net_box(net_config, hub_store, demo_document):
    """A box with the demo plan, pointed at the hub, its key approved there."""
    box = open_box(net_config)
    box.clock = fixed_clock(net_config.data_dir)
    box.mirror.import_document(demo_document, source="test", today=TODAY)
    hub_store.add_box(box_public_key(net_config.data_dir), team=TEAM)
    return box


@pytest.fixture
def proxy(hub_url):
    proxy = FaultyProxy(hub_url)
    yield proxy
    proxy.close()


@pytest.fixture
def proxied_box(net_box, proxy):
    """The same box, but talking to the hub through the faulty proxy."""
    net_box.config["hub"]["url"] = proxy.url
    return net_box
