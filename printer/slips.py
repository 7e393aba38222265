"""The other slips: team contacts, box status, enrollment, a substitute's sign-in and handover.

Pure like :mod:`printer.sheets`: facts in, a :class:`~printer.layout.Receipt`
out.  The queue gathers the facts (see :mod:`printer.jobs`).
"""

import datetime as dt

from sync.day.shifts import time_label
from sync.day.swedish import shift_definite

from .layout import Receipt
from .sheets import long_date, plan_line


def contacts_slip(plan, *, columns, printed_at):
    """The team's numbers, then each staff member's."""
    receipt = Receipt(columns=columns)
    receipt.text(plan.team.name, center=True)
    receipt.title("Kontakter")
    receipt.text(plan_line(plan, printed_at.tzinfo), center=True)
    receipt.rule("=")
    for contact in plan.contacts:
        receipt.pair(contact.name, contact.phone, bold=True)
    receipt.rule()
    for staff in sorted(plan.staff.values(), key=lambda s: s.name):
        if staff.phone:
            receipt.pair(staff.name, staff.phone)
    receipt.blank()
    receipt.text(f"Utskriven {printed_at.day}/{printed_at.month} {printed_at:%H:%M}", center=True)
    return receipt


def status_slip(facts, *, columns):
    """How to reach the box and how it is; *facts* from :func:`printer.jobs.status_facts`."""
    receipt = Receipt(columns=columns)
    receipt.title("Hembas status")
    receipt.text(facts["team"], center=True)
    receipt.rule("=")
    receipt.text("Så ansluter du", bold=True)
    receipt.text(f"1. Anslut mobilen till wifi: {facts['wifi'] or '(se etiketten på boxen)'}", indent=3,
                 first_indent=0)
    receipt.text(f"2. Öppna {facts['url']}", indent=3, first_indent=0)
    receipt.text("3. Logga in med din PIN", indent=3, first_indent=0)
    receipt.qr(facts["url"])
    receipt.rule()
    receipt.text("Plan", bold=True)
    receipt.text(facts["plan"], indent=2)
    receipt.text("Skrivare", bold=True)
    receipt.text(facts["printer"], indent=2)
    receipt.text("Klocka", bold=True)
    receipt.text(facts["clock"], indent=2)
    if facts.get("binder"):
        receipt.text("Pärm", bold=True)
        receipt.text(facts["binder"], indent=2)
    if facts.get("certificate"):
        receipt.text("HTTPS", bold=True)
        receipt.text(facts["certificate"], indent=2)
    if facts.get("usb"):
        receipt.rule()
        receipt.text(facts["usb"]["title"], bold=True)
        for line in facts["usb"]["lines"]:
            receipt.text(f"- {line}", indent=2, first_indent=0)
    if facts.get("setup_errors"):
        receipt.rule()
        receipt.text("FEL I INSTÄLLNINGSFILEN (hembas.toml)", bold=True)
        for message in facts["setup_errors"]:
            receipt.text(f"- {message}", indent=2, first_indent=0)
    receipt.blank()
    receipt.text(f"Utskriven {facts['printed_at']}", center=True)
    return receipt


def enrollment_slip(*, name, code, url, columns):
    """A new staff member's one-time code, and a QR that opens the enrollment page."""
    receipt = Receipt(columns=columns)
    receipt.title("Välkommen")
    receipt.text(name, center=True, bold=True)
    receipt.rule("=")
    receipt.text("Skanna koden med mobilen (anslut först till boxens wifi) och välj en egen PIN.")
    receipt.qr(url)
    receipt.text("Eller öppna " + url)
    receipt.text("Engångskod:")
    receipt.title(code)
    receipt.blank()
    receipt.text("Koden fungerar en gång. Riv sönder lappen när du har valt din PIN.", center=True)
    return receipt


def substitute_slip(*, name, code, url, until, columns):
    """A substitute's one-time sign-in for one shift: a QR that signs in, the code, when it ends."""
    receipt = Receipt(columns=columns)
    receipt.title("Vikarie")
    receipt.text(name, center=True, bold=True)
    receipt.text(f"Gäller {until}", center=True)
    receipt.rule("=")
    receipt.text("Anslut mobilen till boxens wifi och skanna koden. Du ser din körlista, dina brukare "
                 "och lagets telefonnummer.")
    receipt.qr(url)
    receipt.text("Eller öppna " + url)
    receipt.text("Engångskod:")
    receipt.title(code)
    receipt.blank()
    receipt.text("Koden fungerar en gång och slutar gälla när passet slutar. Riv sönder lappen efteråt.",
                 center=True)
    return receipt


def handover_slip(plan, handovers, *, shift, previous, columns, printed_at):
    """What *previous* wrote for *shift* (handover records, oldest first)."""
    receipt = Receipt(columns=columns)
    receipt.text(plan.team.name, center=True)
    receipt.title("Överlämning")
    receipt.text(f"Till {_passet(shift)} {long_date(shift.date).lower()}", center=True, bold=True)
    receipt.text(f"från {_passet(previous)} {previous.date.day}/{previous.date.month}", center=True)
    receipt.rule("=")
    if not handovers:
        receipt.text("Inga överlämningar skrivna.")
    for record in handovers:
        author = plan.staff[record["author"]].name if record["author"] in plan.staff else record["author"]
        client = plan.clients.get(record.get("client_id") or "")
        written = dt.datetime.fromisoformat(record["device_time"]).astimezone(printed_at.tzinfo)
        receipt.text(f"{time_label(written, previous.date)} {author}", bold=True)
        if client:
            receipt.text(client.name, indent=2)
        receipt.text(str(record["body"].get("text", "")), indent=2)
        receipt.rule()
    receipt.text(f"Utskriven {printed_at.day}/{printed_at.month} {printed_at:%H:%M}", center=True)
    return receipt


def _passet(shift):
    """"nattpasset"."""
    return shift_definite(shift.name)
