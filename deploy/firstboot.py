"""Apply the boot partition's ``hembas.toml`` to the box (``hembas provision``).

Runs at every boot as root (hembas-provision.service, before the network and
the web UI).  A file that was already applied is left alone; a new or edited
one is checked, and then:

* its settings are merged into the data folder's ``hembas.toml``;
* the box's own sync key is created (never baked into the image);
* the phones' network (access point) and SSH keys are written to the system
  state folder on the data partition (``--system``);
* the first coordinator is added with the enrollment code from the file;
* the secrets are blanked in the file on the boot partition.

A file with problems is refused, and the technician is told where they look:
``hembas-FEL.txt`` beside it on the boot partition (:mod:`deploy.report`),
``provision-errors.json`` for the web UI's setup page, the lights and the
status slip, which is printed once on the real printer when the printer
section is fine.  Whatever can safely be applied still is (the phones'
network and the SSH keys, so the technician can get in; printer, clock,
pins and web settings), but never the team, the hub's key or an account.
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
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from sync import provisioning
from sync.network.keys import box_signing_key
from sync.store.database import atomic_write_bytes, encode_json

from . import phones, provision, report, tomlfile

logger = logging.getLogger(__name__)

STATE_FILE = "provision-state.json"
DATA_OWNER = "hembas"
TECHNICIAN = "tekniker"
SAFE_SECTIONS = ("printer", "clock", "gpio", "web", "shifts")   # applied even when the file has problems
WEB_ON_EVERY_INTERFACE = {"web": {"host": "0.0.0.0"}}          # the firewall decides who reaches it


def apply_boot_file(boot_dir, *, config, system_dir, run=subprocess.run, now=None, data_problem=None,
                    reload_firewall=lambda: None, print_slip=None):
    """Apply ``boot_dir/hembas.toml`` if it is new; returns "none", "unchanged", "applied" or "invalid".

    *data_problem* is why the data partition could not be opened: /data is then
    in memory, so only the safe parts are set up and the problem is reported
    like one in the file; *print_slip* queues the status slip.
    """
    data_dir = config.data_dir
    path = Path(boot_dir) / provision.FILE_NAME
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    if not path.exists() and not data_problem:
        return "none"
    raw = path.read_bytes() if path.exists() else b""
    digest = hashlib.sha256(raw).hexdigest()
    state = _read_state(data_dir)
    if digest == state.get("applied_sha256") and not data_problem:
        return "unchanged"
    wanted, problems = provision.check(raw) if path.exists() else (provision.Provisioning(settings={}), [])
    if data_problem:           # /data is in memory: set up only what lets the technician in and see
        problems.insert(0, {"key": "data", "message": f"data: {data_problem}"})
    system_dir = Path(system_dir)
    if problems:
        logger.error("%s: %d problem(s): %s", path, len(problems), "; ".join(p["message"] for p in problems))
        applied = apply_safe_parts(wanted, problems, config=config, system_dir=system_dir, run=run,
                                   reload_firewall=reload_firewall)
        tell_technician(boot_dir, path, problems, applied, data_dir=data_dir, stamp=stamp)
        if "printer" not in provision.sections_with_problems(problems) and print_slip is not None \
                and state.get("reported_sha256") != digest:
            print_slip()            # once per file: a box that reboots daily need not print daily
        _write_state(data_dir, {**state, "reported_sha256": digest})
        share_with_services(data_dir)
        return "invalid"

    wanted.settings.setdefault("printer", {}).setdefault("wifi_name", wanted.wifi_name)
    write_config(config, wanted.settings)
    box_signing_key(data_dir)
    if not phones.write_phones_network(system_dir, interface=wanted.wifi_interface, name=wanted.wifi_name,
                                       passphrase=wanted.wifi_passphrase, reload_firewall=reload_firewall):
        problems.append({"key": "wifi.passphrase", "message": "wifi.passphrase: saknas (minst 8 tecken)"})
    write_ssh_keys(system_dir / "ssh", wanted.authorized_keys, run=run)
    if wanted.enrollment_code:
        problem = add_coordinator(config, wanted.coordinator_name, wanted.enrollment_code, run=run)
        if problem:
            problems.append(problem)
    redacted = redact_secrets(path, raw)
    share_with_services(data_dir)
    _write_state(data_dir, {"applied_sha256": hashlib.sha256(redacted).hexdigest(), "applied_at": stamp})
    if problems:
        tell_technician(boot_dir, path, problems, [], data_dir=data_dir, stamp=stamp)
        share_with_services(data_dir)
        return "invalid"
    provisioning.clear_errors(data_dir)
    report.clear(boot_dir)
    logger.info("applied %s for team %s", path, wanted.settings["team"]["id"])
    return "applied"


def apply_safe_parts(wanted, problems, *, config, system_dir, run=subprocess.run, reload_firewall=lambda: None):
    """What a refused file may still set up; returns what was done, in Swedish, for the report."""
    broken = provision.sections_with_problems(problems)
    if "*" in broken:
        return []
    done = []
    settings = {name: values for name, values in wanted.settings.items()
                if name in SAFE_SECTIONS and name not in broken}
    if "wifi" not in broken:
        settings.setdefault("printer", {}).setdefault("wifi_name", wanted.wifi_name)
        if phones.write_phones_network(system_dir, interface=wanted.wifi_interface, name=wanted.wifi_name,
                                       passphrase=wanted.wifi_passphrase, reload_firewall=reload_firewall):
            done.append(f"telefonernas nätverk \"{wanted.wifi_name}\" ({wanted.wifi_interface})")
    write_config(config, settings)
    if "ssh" not in broken and wanted.authorized_keys:
        write_ssh_keys(system_dir / "ssh", wanted.authorized_keys, run=run)
        done.append(f"SSH-nycklarna för användaren {TECHNICIAN} ({len(wanted.authorized_keys)} st)")
    if "printer" not in broken and wanted.settings.get("printer"):
        done.append("skrivaren (statuslappen skrivs ut på den)")
    share_with_services(config.data_dir)
    return done


def tell_technician(boot_dir, path, problems, applied, *, data_dir, stamp):
    """The problems where the technician looks: the boot partition, the web UI, the lights and the slip."""
    report.write(boot_dir, problems, applied=applied, checked_at=stamp)
    provisioning.write_errors(data_dir, problems, source=path, checked_at=stamp)


def _read_state(data_dir):
    try:
        return json.loads((data_dir / STATE_FILE).read_bytes())
    except FileNotFoundError:
        return {}


def _write_state(data_dir, state):
    atomic_write_bytes(data_dir / STATE_FILE, encode_json(state))


def write_config(config, settings):
    """Merge *settings* into the data folder's hembas.toml; the web UI is served over HTTPS through nginx."""
    path = config.data_dir / provision.FILE_NAME
    current = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for section, values in [*WEB_ON_EVERY_INTERFACE.items(), *settings.items()]:
        current.setdefault(section, {}).update(values)
    current.setdefault("tls", {}).setdefault("enabled", True)  # unless the file says otherwise
    atomic_write_bytes(path, tomlfile.dumps(current).encode())


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


def share_with_services(data_dir, *, owner=DATA_OWNER):
    """Give the data folder to the group the services share (on the box, running as root).

    Only what differs is changed: every boot runs this, and a chmod of the
    certificate alone would fire hembas-tls-reload.path and reload nginx
    while it starts.  A file the box keeps at 0640 on purpose (the
    certificate and its key, sync.certificate) stays 0640; the rest is 0660.
    """
    try:
        uid, gid = pwd.getpwnam(owner).pw_uid, grp.getgrnam(owner).gr_gid
    except KeyError:
        return  # not on a box (tests, a laptop)
    for folder, dirs, files in os.walk(data_dir):
        for name in [folder, *(os.path.join(folder, d) for d in dirs)]:
            _own(name, uid, gid, directory=True)
        for name in files:
            _own(os.path.join(folder, name), uid, gid, directory=False)


def _own(path, uid, gid, *, directory):
    st = os.lstat(path)
    if (st.st_uid, st.st_gid) != (uid, gid):
        os.chown(path, uid, gid)
        st = os.lstat(path)  # chown clears the set-group-id bit
    mode = stat.S_IMODE(st.st_mode)
    wanted = 0o2770 if directory else 0o640 if mode == 0o640 else 0o660
    if mode != wanted:
        os.chmod(path, wanted)