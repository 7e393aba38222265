"""What the lights should say, decided from the box's state by one pure function.

Staff glance at the box on their way out; they need one answer, not a
dashboard.  :func:`signal_for` turns a :class:`SystemState` into exactly one
named pattern, the worst thing first::

    signal_for(SystemState(clock_trusted=False))
    # Signal(pattern='clock', reason='klockan kan inte litas på – ...')

===========  ==========================  =============================================
pattern      lights                      when
===========  ==========================  =============================================
error        red steady                  printer problem (paper out, offline) or store error
setup        yellow blinking fast        the settings file on the card was refused (hembas-FEL.txt says why)
clock        red blinking slowly         the clock cannot be trusted: no shift is "now", nothing prints
busy         green blinking fast         a print job is being sent, or a USB stick is being read
warning      yellow steady               no plan, plan stale or not covering the working day, sync or USB stick failed
certificate  yellow blinking briefly     the HTTPS certificate expires within [tls] warn_days, or has
binder       yellow blinking slowly      the printed binder (pärm) is out of date: print the changes
ok           green steady                plan fresh and covering the working day, printer ready
===========  ==========================  =============================================

docs/hardware.md shows the same table for the people who wire and read the box.
"""

import dataclasses

OK = "ok"
BUSY = "busy"
WARNING = "warning"
BINDER = "binder"
CERTIFICATE = "certificate"
CLOCK = "clock"
SETUP = "setup"
ERROR = "error"

#: How each pattern drives the LEDs: (led, on_seconds, off_seconds); off 0 = steady.
PATTERNS = {
    OK: ("green", 1.0, 0.0),
    BUSY: ("green", 0.2, 0.2),
    WARNING: ("yellow", 1.0, 0.0),
    BINDER: ("yellow", 1.0, 1.0),
    CERTIFICATE: ("yellow", 0.2, 1.8),
    CLOCK: ("red", 1.0, 1.0),
    SETUP: ("yellow", 0.2, 0.2),
    ERROR: ("red", 1.0, 0.0),
}

#: What each pattern looks like, in Swedish, for the Status page and ``hembas firmware status``.
DESCRIPTIONS = {
    OK: "grön lyser",
    BUSY: "grön blinkar snabbt",
    WARNING: "gul lyser",
    BINDER: "gul blinkar långsamt",
    CERTIFICATE: "gul blinkar kort",
    CLOCK: "röd blinkar långsamt",
    SETUP: "gul blinkar snabbt",
    ERROR: "röd lyser",
}

#: Printer states (PrintQueue.status()["state"]) that are a printer problem.
PRINTER_PROBLEMS = {"error", "waiting"}


@dataclasses.dataclass(frozen=True)
class SystemState:
    """The few facts the lights depend on; defaults describe a healthy box."""

    clock_trusted: bool = True
    plan_loaded: bool = True
    plan_stale: bool = False
    sync_error: str = ""          # the last sync attempt's error, "" if it worked
    printer_state: str = "ok"     # "ok", "waiting", "error" or "unknown"
    printer_reason: str = ""
    printer_busy: bool = False
    store_error: str = ""         # why the store could not be read, "" if fine
    binder_stale: str = ""        # why the printed binder is out of date, "" if it is in step (or none)
    setup_errors: int = 0         # problems in the settings file on the boot partition
    stick_busy: bool = False      # a USB stick is being read
    stick_error: str = ""         # what went wrong with the last USB stick (for a while after)
    certificate_warning: str = "" # the HTTPS certificate expires soon or has, "" if fine (or TLS is off)


@dataclasses.dataclass(frozen=True)
class Signal:
    pattern: str
    reason: str  # Swedish, for the log and the Status page


def signal_for(state):
    """The one :class:`Signal` the lights show for *state*; errors beat warnings."""
    if state.store_error:
        return Signal(ERROR, f"lagringen går inte att läsa: {state.store_error}")
    if state.setup_errors:
        return Signal(SETUP, f"inställningsfilen har {state.setup_errors} fel – se hembas-FEL.txt på kortet")
    if state.printer_state in PRINTER_PROBLEMS:
        return Signal(ERROR, state.printer_reason or "skrivaren har ett problem")
    if not state.clock_trusted:
        return Signal(CLOCK, "klockan kan inte litas på – bekräfta datum och tid på statussidan")
    if state.stick_busy:
        return Signal(BUSY, "läser USB-stickan")
    if state.printer_busy:
        return Signal(BUSY, "skriver ut")
    if state.stick_error:
        return Signal(WARNING, f"USB-stickan: {state.stick_error}")
    if not state.plan_loaded:
        return Signal(WARNING, "ingen plan är inläst")
    if state.plan_stale:
        return Signal(WARNING, "planen är gammal eller täcker inte passets arbetsdag")
    if state.sync_error:
        return Signal(WARNING, f"senaste synkningen misslyckades: {state.sync_error}")
    if state.certificate_warning:
        return Signal(CERTIFICATE, state.certificate_warning)
    if state.binder_stale:
        return Signal(BINDER, state.binder_stale)
    return Signal(OK, "allt fungerar")
