"""The network backend against a receipt printer listening on 127.0.0.1."""

import pytest

from printer.backends import OK, UNKNOWN, WAITING, PrinterUnavailable
from printer.backends.network import NetworkBackend

JOB = b"\x1b@\x1bt\x13" + b"K\x94rlista\n" * 400 + b"\x1dV\x00"


def backend(printer, timeout=2):
    return NetworkBackend(host="127.0.0.1", port=printer.port, timeout=timeout)


def test_job_arrives_whole_and_is_confirmed(net_printer):
    after = backend(net_printer).send(JOB, job_id="j1")
    assert after.state == OK
    net_printer.close()
    assert [job.data for job in net_printer.jobs] == [JOB]


def test_paper_out_refuses_before_sending_anything(net_printer):
    net_printer.paper = "out"
    with pytest.raises(PrinterUnavailable, match="papperet är slut") as caught:
        backend(net_printer).send(JOB, job_id="j1")
    assert caught.value.maybe_printed is False
    assert backend(net_printer).status().state == WAITING
    net_printer.close()
    assert net_printer.received() == b""


def test_hang_up_mid_job_says_part_may_be_printed(net_printer):
    net_printer.hang_up_after = 1000
    with pytest.raises(PrinterUnavailable, match="mitt i utskriften") as caught:
        backend(net_printer).send(JOB, job_id="j1")
    assert caught.value.maybe_printed is True


def test_printer_that_stops_answering_mid_job_makes_the_job_wait(net_printer):
    net_printer.stall_after = 1000  # answered the query before the job, then hung
    hung = backend(net_printer, timeout=0.5)
    with pytest.raises(PrinterUnavailable, match="slutade svara mitt i utskriften") as caught:
        hung.send(JOB, job_id="j1")
    assert caught.value.maybe_printed is True
    net_printer.stall_after = None
    net_printer.close()
    net_printer.switch_on()
    assert hung.send(JOB, job_id="j1").state == OK  # not written off as silent: asked again and confirmed


def test_silent_printer_is_unknown_never_ok(net_printer):
    net_printer.paper = "silent"
    quiet = backend(net_printer, timeout=0.3)
    assert quiet.status().state == UNKNOWN
    assert quiet.send(JOB, job_id="j1").state == UNKNOWN  # sent, but nobody confirmed it


def test_printer_that_is_off_makes_the_job_wait(net_printer):
    port = net_printer.port
    net_printer.close()
    off = NetworkBackend(host="127.0.0.1", port=port, timeout=1)
    with pytest.raises(PrinterUnavailable, match="svarar inte"):
        off.send(JOB, job_id="j1")
    assert off.status().state == WAITING
