"""The phones' network: the box's own wifi access point, or a wired port for an external one.

Provisioning writes it to the system state folder on the data partition:

* a NetworkManager profile (``nm-connections/``): the Pi's wifi as an access
  point, or, with ``[wifi] interface = "eth1"``, that wired port serving an
  external access point; either way the box is 10.42.0.1 and hands out
  addresses (NetworkManager's "shared" mode);
* ``nftables/phones.nft``, which tells the firewall (/etc/nftables.conf)
  which interface the phones are on: the web UI answers there and nowhere
  else.
"""

import os
import re
import subprocess
import uuid
from pathlib import Path

from sync.store.database import atomic_write_bytes

AP_PROFILE = "hembas-ap.nmconnection"
WIRED_PROFILE = "hembas-phones.nmconnection"
AP_ADDRESS = "10.42.0.1/24"
FIREWALL_FILE = "phones.nft"


def is_wifi(interface):
    return interface.startswith("wl")


def write_phones_network(system_dir, *, interface, name, passphrase, reload_firewall=lambda: None):
    """Write the profile and firewall file for *interface*; False when a wifi has no passphrase at all."""
    system_dir = Path(system_dir)
    folder = system_dir / "nm-connections"
    if is_wifi(interface):
        if not write_access_point(folder, interface=interface, name=name, passphrase=passphrase):
            return False
        (folder / WIRED_PROFILE).unlink(missing_ok=True)
    else:
        _write_private(folder / WIRED_PROFILE, _profile("hembas-phones", "ethernet", interface, ""))
        (folder / AP_PROFILE).unlink(missing_ok=True)
    if write_firewall(system_dir / "nftables", interface):
        reload_firewall()
    return True


def write_access_point(folder, *, name, passphrase, interface="wlan0"):
    """The profile of the phones' wifi; False when there is no passphrase, new or kept."""
    path = Path(folder) / AP_PROFILE
    if not passphrase:
        if not path.exists():
            return False
        passphrase = re.search(r"^psk=(.*)$", path.read_text(encoding="utf-8"), re.M).group(1)
    wifi = (f"[wifi]\nmode=ap\nssid={name}\nband=bg\n\n"
            f"[wifi-security]\nkey-mgmt=wpa-psk\nproto=rsn\npairwise=ccmp\ngroup=ccmp\npsk={passphrase}\n\n")
    _write_private(path, _profile("hembas-ap", "wifi", interface, wifi))
    return True


def _profile(name, kind, interface, middle):
    return (f"[connection]\nid={name}\nuuid={uuid.uuid5(uuid.NAMESPACE_DNS, name)}\ntype={kind}\n"
            f"interface-name={interface}\nautoconnect=true\nautoconnect-priority=100\n\n{middle}"
            f"[ipv4]\nmethod=shared\naddress1={AP_ADDRESS}\n\n[ipv6]\nmethod=disabled\n")


def _write_private(path, text):
    """NetworkManager ignores profiles that others can read; the passphrase is in there too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_firewall(folder, interface):
    """``redefine PHONES`` for /etc/nftables.conf; True when it changed (the firewall needs a reload)."""
    path = Path(folder) / FIREWALL_FILE
    text = f'# Written by hembas provision: the phones are on {interface}.\nredefine PHONES = "{interface}"\n'
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode())
    return True


def reload_firewall(run=subprocess.run):
    """Load the changed firewall now (on the box; provisioning runs while nftables is up)."""
    run(["systemctl", "reload", "--no-block", "nftables.service"], check=False)
