"""Apply the boot partition's ``hembas.toml`` to the box (``hembas provision``).

Runs at every boot as root (hembas-provision.service, before the network and
the web UI).  A file that was already applied is left alone; a new or edited
one is checked, and then:

* its settings are merged into the data folder's ``hembas.toml``;
* the box's own sync key is created (never baked into the image);
* the wifi access point profile and SSH keys are written to the system state
  folder on the data partition (``--system``);
* the first coordinator is added with the enrollment code from the file;
* the secrets are blanked in the file on the boot partition.

Problems go to ``provision-errors.json`` in the data folder (web UI, status
slip) instead of stopping the boot: the box comes up either way.
"""

import datetime as dt
import grp
import hashlib
import json
import logging
import os
import pwd
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

from sync import provisioning
from sync.network.keys import box_signing_key
from sync.store.database import atomic_write_bytes, encode_json

from . import provision, tomlfile

logger = logging.getLogger(__name__)

STATE_FILE = "provision-state.json"
AP_PROFILE = "hembas-ap.nmconnection"
AP_ADDRESS = "10.42.0.1/24"
DATA_OWNER = "hembas"
TECHNICIAN = "tekniker"


def apply_boot_file(boot_dir, *, config, system_dir, run=subprocess.run, now=None):
    """Apply ``boot_dir/hembas.toml`` if it is new; returns "none", "unchanged", "applied" or "invalid"."""
    data_dir = config.data_dir
    path = Path(boot_dir) / provision.FILE_NAME
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    if not path.exists():
        return "none"
    raw = path.read_bytes()
    state = _read_state(data_dir)
    if hashlib.sha256(raw).hexdigest() == state.get("applied_sha256"):
        return "unchanged"
    try:
        wanted = provision.parse(raw)
    except provision.ProvisionInvalid as exc:
        logger.error("%s: %d problem(s): %s", path, len(exc.problems), exc)
        provisioning.write_errors(data_dir, exc.problems, source=path, checked_at=stamp)
        return "invalid"

    problems = []
    write_config(config, wanted.settings)
    box_signing_key(data_dir)
    system_dir = Path(system_dir)
    if not write_access_point(system_dir / "nm-connections", name=wanted.wifi_name,
                              passphrase=wanted.wifi_passphrase):
        problems.append({"key": "wifi.passphrase", "message": "wifi.passphrase: saknas (minst 8 tecken)"})
    write_ssh_keys(system_dir / "ssh", wanted.authorized_keys, run=run)
    if wanted.enrollment_code:
        problem = add_coordinator(config, wanted.coordinator_name, wanted.enrollment_code, run=run)
        if problem:
            problems.append(problem)
    redacted = redact_secrets(path, raw)
    share_with_services(data_dir)
    atomic_write_bytes(data_dir / STATE_FILE, encode_json(
        {"applied_sha256": hashlib.sha256(redacted).hexdigest(), "applied_at": stamp}))
    if problems:
        provisioning.write_errors(data_dir, problems, source=path, checked_at=stamp)
        return "invalid"
    provisioning.clear_errors(data_dir)
    logger.info("applied %s for team %s", path, wanted.settings["team"]["id"])
    return "applied"


def _read_state(data_dir):
    try:
        return json.loads((data_dir / STATE_FILE).read_bytes())
    except FileNotFoundError:
        return {}


def write_config(config, settings):
    """Merge *settings* into the data folder's hembas.toml; the web UI is served over HTTPS through nginx."""
    path = config.data_dir / provision.FILE_NAME
    current = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for section, values in {"web": {"host": "0.0.0.0"}, **settings}.items():
        current.setdefault(section, {}).update(values)
    current.setdefault("tls", {}).setdefault("enabled", True)  # unless the file says otherwise
    atomic_write_bytes(path, tomlfile.dumps(current).encode())


def write_access_point(folder, *, name, passphrase):
    """The NetworkManager profile of the phones' wifi; False when there is no passphrase at all."""
    path = Path(folder) / AP_PROFILE
    if not passphrase:
        if not path.exists():
            return False
        passphrase = re.search(r"^psk=(.*)$", path.read_text(encoding="utf-8"), re.M).group(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = (
        f"[connection]\nid=hembas-ap\nuuid={uuid.uuid5(uuid.NAMESPACE_DNS, 'hembas-ap')}\ntype=wifi\n"
        "interface-name=wlan0\nautoconnect=true\n\n"
        f"[wifi]\nmode=ap\nssid={name}\nband=bg\n\n"
        f"[wifi-security]\nkey-mgmt=wpa-psk\nproto=rsn\npairwise=ccmp\ngroup=ccmp\npsk={passphrase}\n\n"
        f"[ipv4]\nmethod=shared\naddress1={AP_ADDRESS}\n\n[ipv6]\nmethod=disabled\n")
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(profile)
    os.replace(path.with_suffix(".tmp"), path)
    return True


def ensure_host_key(folder, *, run=subprocess.run):
    """This box's own SSH host key, made once (sshd does not start without one)."""
    host_key = Path(folder) / "ssh_host_ed25519_key"
    if not host_key.exists() and shutil.which("ssh-keygen"):
        host_key.parent.mkdir(parents=True, exist_ok=True)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hembas", "-f", str(host_key)], check=True)


def write_ssh_keys(folder, authorized_keys, *, run=subprocess.run):
    """The SSH host key and the technicians' public keys."""
    folder = Path(folder)
    (folder / "authorized_keys").mkdir(parents=True, exist_ok=True)
    ensure_host_key(folder, run=run)
    keys = "".join(f"{key}\n" for key in authorized_keys)
    atomic_write_bytes(folder / "authorized_keys" / TECHNICIAN, keys.encode())


def add_coordinator(config, name, code, *, run=subprocess.run):
    """``hembas user add`` for the first coordinator; returns a problem dict or None."""
    command = [sys.executable, "-m", "sync.cli", "--data", str(config.data_dir), "user", "add",
               "--role", "coordinator", "--name", name, "--enrollment-code", code]
    if config.path:
        command[3:3] = ["--config", str(config.path)]
    result = run(command, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["okänt fel"])[-1].removeprefix("hembas: ")
        logger.error("could not add coordinator %s: %s", name, reason)
        return {"key": "coordinator", "message": f"coordinator: kunde inte skapa samordnaren: {reason}"}
    logger.info("coordinator %s can now sign in with the enrollment code", name)
    return None


def redact_secrets(path, raw):
    """Blank the secrets in the boot partition's file; returns the bytes now there."""
    section = ""
    lines = provision.decode_text(raw).split("\n")
    for number, line in enumerate(lines):
        heading = re.match(r"\s*\[([^\]]+)\]", line)
        if heading:
            section = heading.group(1).strip()
            continue
        for secret_section, key in provision.SECRETS:
            if section == secret_section and re.match(rf"\s*{key}\s*=", line):
                lines[number] = f'{key} = ""   # borttaget från kortet när inställningarna tillämpades'
    text = "\n".join(lines).encode()
    try:
        still_there = provision.parse(text)
        if still_there.wifi_passphrase or still_there.enrollment_code:
            raise ValueError("a secret survived")
    except (provision.ProvisionInvalid, ValueError):
        logger.warning("could not blank the secrets in %s line by line; removing the file", path)
        path.unlink()
        return b""
    atomic_write_bytes(path, text)
    return text


def share_with_services(data_dir):
    """Give the data folder to the group the services share (on the box, running as root)."""
    try:
        uid, gid = pwd.getpwnam(DATA_OWNER).pw_uid, grp.getgrnam(DATA_OWNER).gr_gid
    except KeyError:
        return  # not on a box (tests, a laptop)
    for folder, dirs, files in os.walk(data_dir):
        for name in [folder, *(os.path.join(folder, d) for d in dirs)]:
            os.chown(name, uid, gid)
            os.chmod(name, 0o2770)
        for name in files:
            os.chown(os.path.join(folder, name), uid, gid)
            os.chmod(os.path.join(folder, name), 0o660)
