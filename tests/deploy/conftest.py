"""Fixtures for the deploy tests: a settings file as a technician would write it."""

import base64
import struct

import nacl.signing
import pytest

from sync.network.signing import encode_key

HUB_SIGNING_KEY = nacl.signing.SigningKey(b"h" * 32)
HUB_KEY = encode_key(HUB_SIGNING_KEY.verify_key)


def _ssh_public_key(raw):
    blob = b"".join(struct.pack(">I", len(part)) + part for part in (b"ssh-ed25519", raw))
    return "ssh-ed25519 " + base64.b64encode(blob).decode() + " tekniker@kommunen"


SSH_KEY = _ssh_public_key(b"k" * 32)

VALID = f"""\
[team]
id = "kalix-centrum"

[hub]
url = "https://hub.kalix.example/"
public_key = "{HUB_KEY}"

[wifi]
name = "Hembas Kalix"
passphrase = "hemlig-kaffe-42"

[coordinator]
name = "Anna Samordnare"
enrollment_code = "ABCD-EFGH"

[clock]
timezone = "Europe/Stockholm"

[printer]
model = "TM-T20II"
connection = "network:192.168.50.20"
paper_mm = 58

[ssh]
authorized_keys = ["{SSH_KEY}"]
"""


@pytest.fixture
def hub_key():
    return HUB_KEY


@pytest.fixture
def hub_signing_key():
    return HUB_SIGNING_KEY


@pytest.fixture
def settings_text():
    return VALID


@pytest.fixture
def system_dir(tmp_path):
    """Where provisioning writes the box's system files (network, SSH, firewall)."""
    return tmp_path / "system"


@pytest.fixture
def boot_dir(tmp_path):
    path = tmp_path / "boot"
    path.mkdir()
    return path
