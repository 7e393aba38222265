import pytest

from firmware.signals import DESCRIPTIONS, PATTERNS, SystemState, signal_for

HEALTHY = SystemState()

# Every state the box can be in, and the one pattern docs/hardware.md promises for it.
TABLE = [
    (HEALTHY, "ok"),
    (SystemState(printer_state="unknown"), "ok"),
    (SystemState(printer_busy=True), "busy"),
    (SystemState(plan_loaded=False, plan_stale=True), "warning"),
    (SystemState(plan_stale=True), "warning"),
    (SystemState(sync_error="hubben svarar inte"), "warning"),
    (SystemState(plan_stale=True, sync_error="timeout"), "warning"),
    (SystemState(printer_busy=True, plan_stale=True), "busy"),
    (SystemState(clock_trusted=False), "clock"),
    (SystemState(clock_trusted=False, printer_busy=True), "clock"),
    (SystemState(clock_trusted=False, plan_stale=True, sync_error="timeout"), "clock"),
    (SystemState(printer_state="error", printer_reason="papperet är slut"), "error"),
    (SystemState(printer_state="waiting", printer_reason="skrivaren svarar inte"), "error"),
    (SystemState(printer_state="error", printer_busy=True), "error"),
    (SystemState(printer_state="error", clock_trusted=False), "error"),
    (SystemState(store_error="disken är full"), "error"),
    (SystemState(store_error="disken är full", clock_trusted=False, plan_stale=True), "error"),
    (SystemState(binder_stale="pärmen: 12 ändringar"), "binder"),
    (SystemState(binder_stale="pärmen: 12 ändringar", plan_stale=True), "warning"),
    (SystemState(binder_stale="pärmen: 12 ändringar", sync_error="timeout"), "warning"),
    (SystemState(binder_stale="pärmen: 12 ändringar", printer_busy=True), "busy"),
    (SystemState(certificate_warning="certifikatet går ut om 9 dagar"), "certificate"),
    (SystemState(certificate_warning="certifikatet går ut om 9 dagar", binder_stale="pärmen"), "certificate"),
    (SystemState(certificate_warning="certifikatet går ut om 9 dagar", sync_error="timeout"), "warning"),
    (SystemState(setup_errors=2), "setup"),
    (SystemState(setup_errors=1, printer_state="error", clock_trusted=False, plan_loaded=False), "setup"),
    (SystemState(setup_errors=1, store_error="disken är full"), "error"),
    (SystemState(stick_busy=True), "busy"),
    (SystemState(stick_busy=True, clock_trusted=False), "clock"),
    (SystemState(stick_error="ingen plan för teamet på stickan"), "warning"),
    (SystemState(stick_error="trasig fil", printer_busy=True), "busy"),
]


@pytest.mark.parametrize("state, pattern", TABLE)
def test_every_state_maps_to_its_documented_pattern(state, pattern):
    assert signal_for(state).pattern == pattern


def test_the_printers_own_reason_is_shown():
    signal = signal_for(SystemState(printer_state="error", printer_reason="papperet är slut"))
    assert signal.reason == "papperet är slut"


def test_an_untrusted_clock_shows_red():
    assert PATTERNS[signal_for(SystemState(clock_trusted=False)).pattern][0] == "red"


def test_a_refused_settings_file_is_not_mistaken_for_another_warning():
    lit, on_time, off_time = PATTERNS[signal_for(SystemState(setup_errors=1)).pattern]
    assert (lit, bool(off_time)) == ("yellow", True)
    assert all(PATTERNS[other][:3] != (lit, on_time, off_time) for other in PATTERNS if other != "setup")
    assert "hembas-FEL.txt" in signal_for(SystemState(setup_errors=1)).reason


def test_every_pattern_has_a_swedish_description():
    assert set(DESCRIPTIONS) == set(PATTERNS)
