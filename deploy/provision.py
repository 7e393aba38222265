"""The settings file a technician drops on the boot partition: ``hembas.toml``.

One file, editable on any laptop, says everything a new base needs::

    [team]        id
    [hub]         url, public_key
    [wifi]        name, passphrase, interface ("wlan0", or "eth1" for an external access point)
    [coordinator] name, enrollment_code
    [clock]       timezone
    [printer]     model, connection ("usb", "serial:/dev/ttyUSB0", "network:192.168.50.20"), paper_mm
    [ssh]         authorized_keys

Any other section must be a section of the box configuration (docs/configuration.md)
and is copied as it is.  :func:`check` reads the bytes as Windows editors
save them (BOM, CRLF, UTF-16, ANSI) and reports *every* problem at once, in
Swedish, so one trip to the laptop fixes them all; the sections without a
problem are still usable (:func:`sections_with_problems`).  An empty secret
means "keep what the box already has".
"""

import base64
import binascii
import dataclasses
import re
import tomllib
import urllib.parse
import zoneinfo

from sync.config import DEFAULTS
from sync.errors import HembasError
from sync.network.signing import EnvelopeInvalid, as_verify_key
from webui.users import CODE_ALPHABET, CODE_LENGTH, normalize_code

FILE_NAME = "hembas.toml"
SECRETS = (("wifi", "passphrase"), ("coordinator", "enrollment_code"))
OWN_SECTIONS = {"wifi": {"name", "passphrase", "interface"}, "coordinator": {"name", "enrollment_code"},
                "ssh": {"authorized_keys"}}
PRINTER_KEYS = {"model", "connection", "paper_mm"}
COLUMNS_FOR_PAPER = {80: 48, 58: 32}
INTERFACE = re.compile(r"[a-z][a-z0-9]{0,14}")
TEAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SSH_KEY = re.compile(r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com)"
                     r" [A-Za-z0-9+/]+={0,2}( .*)?")


class ProvisionInvalid(HembasError, ValueError):
    """The settings file has one or more problems; ``.problems`` lists them all."""

    def __init__(self, problems):
        self.problems = list(problems)
        head = self.problems[0]["message"] if self.problems else "ogiltig inställningsfil"
        more = len(self.problems) - 1
        super().__init__(head + (f" (och {more} fel till)" if more > 0 else ""))


@dataclasses.dataclass
class Provisioning:
    """What the file asks for, checked and translated for the box."""

    settings: dict                      # sections for the data folder's hembas.toml
    wifi_name: str = ""
    wifi_passphrase: str = ""           # "" = keep the current one
    wifi_interface: str = "wlan0"       # where the phones are: the Pi's wifi, or a wired access point
    coordinator_name: str = ""
    enrollment_code: str = ""           # "" = no new coordinator
    authorized_keys: list = dataclasses.field(default_factory=list)


def decode_text(raw):
    """The text of a file saved by any common editor: UTF-8 (with or without BOM), UTF-16, ANSI."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(raw):
    """Check the settings file's bytes; returns :class:`Provisioning` or raises :class:`ProvisionInvalid`."""
    result, problems = check(raw)
    if problems:
        raise ProvisionInvalid(problems)
    return result


def check(raw):
    """``(Provisioning, problems)``: what the file asks for, and every problem in it (a list of dicts)."""
    try:
        data = tomllib.loads(decode_text(raw))
    except tomllib.TOMLDecodeError as exc:
        return Provisioning(settings={}), [_problem("", f"filen går inte att läsa som TOML: {exc}")]
    problems = []
    result = Provisioning(settings={})
    for section, values in data.items():
        if not isinstance(values, dict):
            problems.append(_problem(section, f"'{section}' ska vara en sektion: [{section}]"))
        elif section not in OWN_SECTIONS and section not in DEFAULTS:
            problems.append(_problem(section, f"okänd sektion [{section}]"))
    sections = {name: values for name, values in data.items() if isinstance(values, dict)}
    _check_team(sections.get("team", {}), result, problems)
    _check_hub(sections.get("hub", {}), result, problems)
    _check_wifi(sections.get("wifi", {}), result, problems)
    _check_coordinator(sections.get("coordinator", {}), result, problems)
    _check_printer(sections.get("printer", {}), result, problems)
    _check_ssh(sections.get("ssh", {}), result, problems)
    for section, values in sections.items():
        if section in DEFAULTS and section not in ("team", "hub", "printer"):
            _copy_settings(section, values, result, problems)
    timezone = result.settings.get("clock", {}).get("timezone")
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(_problem("clock.timezone", f"okänd tidszon {timezone!r} (t.ex. \"Europe/Stockholm\")"))
    return result, problems


def sections_with_problems(problems):
    """The sections a problem names (``"*"`` when the file could not be read at all)."""
    return {problem["key"].split(".")[0] or "*" for problem in problems}


def _problem(key, message):
    return {"key": key, "message": f"{key}: {message}" if key and "." in key else message}


def _text(values, section, key, problems, *, required=False):
    value = values.get(key, "")
    if not isinstance(value, str):
        problems.append(_problem(f"{section}.{key}", "ska vara text inom citattecken"))
        return ""
    value = value.strip()
    if required and not value:
        problems.append(_problem(f"{section}.{key}", "saknas"))
    return value


def _unknown_keys(values, section, known, problems):
    for key in values.keys() - known:
        problems.append(_problem(f"{section}.{key}", "okänd inställning"))


def _check_team(values, result, problems):
    _unknown_keys(values, "team", set(DEFAULTS["team"]), problems)
    team_id = _text(values, "team", "id", problems, required=True)
    if team_id and not TEAM_ID.fullmatch(team_id):
        problems.append(_problem("team.id", "får bara innehålla bokstäverna a–z, siffror, punkt, - och _"))
    result.settings["team"] = {"id": team_id}


def _check_hub(values, result, problems):
    _unknown_keys(values, "hub", set(DEFAULTS["hub"]), problems)
    hub = {key: value for key, value in values.items() if key in DEFAULTS["hub"]}
    url = _text(values, "hub", "url", problems)
    parts = urllib.parse.urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.hostname):
        problems.append(_problem("hub.url", "ska börja med https:// (eller http://) och ett värdnamn"))
    key = _text(values, "hub", "public_key", problems, required=bool(url))
    if key:
        try:
            as_verify_key(key)
        except EnvelopeInvalid:
            problems.append(_problem("hub.public_key", "ska vara 32 byte i base64 (44 tecken)"))
    hub.update(url=url, public_key=key)
    _check_types("hub", hub, problems)
    result.settings["hub"] = hub


def _check_wifi(values, result, problems):
    _unknown_keys(values, "wifi", OWN_SECTIONS["wifi"], problems)
    result.wifi_name = _text(values, "wifi", "name", problems, required=True)
    if len(result.wifi_name.encode()) > 32:
        problems.append(_problem("wifi.name", "får vara högst 32 byte (å, ä, ö räknas som 2)"))
    passphrase = values.get("passphrase", "")
    if not isinstance(passphrase, str):
        problems.append(_problem("wifi.passphrase", "ska vara text inom citattecken"))
    elif passphrase and not (8 <= len(passphrase) <= 63 and passphrase.isascii() and passphrase.isprintable()):
        problems.append(_problem("wifi.passphrase", "ska vara 8–63 tecken utan å, ä och ö"))
    else:
        result.wifi_passphrase = passphrase
    interface = _text(values, "wifi", "interface", problems) or "wlan0"
    if not INTERFACE.fullmatch(interface):
        problems.append(_problem("wifi.interface", "ska vara ett nätverkskort, t.ex. \"wlan0\" eller \"eth1\""))
    result.wifi_interface = interface


def _check_coordinator(values, result, problems):
    _unknown_keys(values, "coordinator", OWN_SECTIONS["coordinator"], problems)
    code = normalize_code(_text(values, "coordinator", "enrollment_code", problems))
    result.coordinator_name = _text(values, "coordinator", "name", problems, required=bool(code))
    if code and (len(code) < CODE_LENGTH or set(code) - set(CODE_ALPHABET)):
        problems.append(_problem("coordinator.enrollment_code",
                                 f"ska vara minst {CODE_LENGTH} tecken: A–Z utom I och O, siffror 2–9"))
    result.enrollment_code = code


def _check_printer(values, result, problems):
    _unknown_keys(values, "printer", set(DEFAULTS["printer"]) | PRINTER_KEYS, problems)
    printer = {key: value for key, value in values.items() if key in DEFAULTS["printer"]}
    model = _text(values, "printer", "model", problems)
    if model:
        printer["profile"] = model
    connection = _text(values, "printer", "connection", problems)
    if connection:
        try:
            printer.update(parse_connection(connection))
        except ValueError as exc:
            problems.append(_problem("printer.connection", str(exc)))
    paper = values.get("paper_mm")
    if paper is not None:
        if paper not in COLUMNS_FOR_PAPER:
            problems.append(_problem("printer.paper_mm", "ska vara 80 eller 58"))
        else:
            printer["columns"] = COLUMNS_FOR_PAPER[paper]
    _check_types("printer", printer, problems)
    result.settings["printer"] = printer


def parse_connection(text):
    """Printer settings for ``usb``, ``usb:VID:PID``, ``serial:PORT[:BAUD]``, ``network:HOST[:PORT]``, ``preview``."""
    kind, _, rest = text.partition(":")
    kind = kind.lower()
    try:
        if kind == "preview" and not rest:
            return {"backend": "preview"}
        if kind == "usb" and not rest:
            return {"backend": "file", "device": "/dev/usb/lp0"}
        if kind == "usb":
            vendor, product = rest.split(":")
            return {"backend": "usb", "usb_vendor": int(vendor, 16), "usb_product": int(product, 16)}
        if kind == "serial" and rest:
            port, _, baud = rest.partition(":")
            return {"backend": "serial", "serial_port": port, **({"serial_baudrate": int(baud)} if baud else {})}
        if kind == "network" and rest:
            host, _, port = rest.partition(":")
            return {"backend": "network", "host": host, **({"port": int(port)} if port else {})}
    except ValueError:
        pass
    raise ValueError(f"förstår inte {text!r}: skriv usb, usb:04b8:0202, serial:/dev/ttyUSB0 "
                     "eller network:192.168.50.20")


def _check_ssh(values, result, problems):
    _unknown_keys(values, "ssh", OWN_SECTIONS["ssh"], problems)
    keys = values.get("authorized_keys", [])
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        problems.append(_problem("ssh.authorized_keys", "ska vara en lista: [\"ssh-ed25519 AAAA… namn\"]"))
        return
    for number, key in enumerate(keys, 1):
        key = key.strip()
        if not SSH_KEY.fullmatch(key) or not _is_base64(key.split()[1]):
            problems.append(_problem("ssh.authorized_keys", f"nyckel {number} är ingen publik SSH-nyckel"))
        else:
            result.authorized_keys.append(key)


def _is_base64(text):
    try:
        base64.b64decode(text, validate=True)
        return True
    except binascii.Error:
        return False


def _copy_settings(section, values, result, problems):
    _unknown_keys(values, section, set(DEFAULTS[section]), problems)
    copied = {key: value for key, value in values.items() if key in DEFAULTS[section]}
    _check_types(section, copied, problems)
    result.settings[section] = copied


def _check_types(section, values, problems):
    for key, value in list(values.items()):
        default = DEFAULTS[section][key]
        if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
            wanted = {"str": "text", "int": "ett heltal", "bool": "true eller false", "float": "ett tal"}
            problems.append(_problem(f"{section}.{key}", f"ska vara {wanted.get(type(default).__name__, 'annat')}"))
            del values[key]
