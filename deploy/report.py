"""The settings file's problems, written next to it on the boot partition for the technician.

The boot partition is the part of the card any laptop reads.  When the box
refuses ``hembas.toml`` it writes ``hembas-FEL.txt`` beside it: Swedish, every
problem with its key, Windows line endings and a byte-order mark so Notepad
shows it as it is meant.  The file goes away once a corrected settings file
has been applied.
"""

import datetime as dt
from pathlib import Path

from sync.store.database import atomic_write_bytes

FILE_NAME = "hembas-FEL.txt"


def render(problems, *, applied, checked_at, settings_name="hembas.toml"):
    """The report's text (with ``\\n``; :func:`write` turns it into CRLF)."""
    stamp = dt.datetime.fromisoformat(checked_at).strftime("%Y-%m-%d %H:%M %Z").strip()
    lines = [f"Hembas kunde inte använda inställningsfilen {settings_name}",
             f"(kontrollerad {stamp} enligt lådans klocka, som kan gå fel efter ett strömavbrott)",
             "",
             f"{len(problems)} fel att rätta i {settings_name}:" if len(problems) != 1
             else f"1 fel att rätta i {settings_name}:",
             ""]
    lines += [f"  - {problem['message']}" for problem in problems]
    lines += ["", "Rätta filen här på kortet (Anteckningar går bra), sätt tillbaka kortet och starta lådan igen."]
    if applied:
        lines += ["", "Det här är ändå inställt, så att du kan komma åt lådan:"]
        lines += [f"  - {item}" for item in applied]
    lines += ["", f"Den här filen försvinner när en rättad {settings_name} har tillämpats.",
              "Samma fel visas på lådans webbsida (anslut till lådans wifi) och på statuslappen."]
    return "\n".join(lines) + "\n"


def write(boot_dir, problems, *, applied, checked_at):
    """Write the report onto the boot partition (FAT: replaced by rename, as everything else)."""
    text = render(problems, applied=applied, checked_at=checked_at)
    atomic_write_bytes(Path(boot_dir) / FILE_NAME, "\ufeff".encode() + text.replace("\n", "\r\n").encode())


def clear(boot_dir):
    (Path(boot_dir) / FILE_NAME).unlink(missing_ok=True)
