"""Run-sheets and the button: render time and bytes, and press-to-paper through the daemon.

1. A whole day's run-sheets (one per staff member working that day) rendered
   through ``printer.jobs.render``, what the print worker sends: demo base
   and 10× base.
2. The real ``hembas firmware run`` in a subprocess, on mock pins, with the
   network backend pointed at a loopback printer on 127.0.0.1: time from
   start to systemd's ``READY=1`` (a real ``NOTIFY_SOCKET``), resident memory
   idle and after printing, and from a button press to the first and last
   byte of the day's sheets at the printer.  The press is asked for as the
   demo does (:func:`firmware.control.request_press`), so the figure includes
   the daemon's tick that turns the request into a press of the mock pin and
   the print worker's poll interval.
3. The real button: :class:`firmware.daemon.Daemon` in this process on a
   gpiozero MockFactory, its pin driven low and, a 0.1 s tap later, high
   again, as a finger does; the short press acts on the release (a long
   press does something else), so the figure is from the release to the
   first byte at the loopback printer, and from the press down for reference.

Run alone: ``PYTHONPATH=tests python -m bench.printing --scale smoke``
"""

import datetime as dt
import socket
import subprocess
import sys
import time
from pathlib import Path

from loopback_printer import LoopbackPrinter

from .http_load import stop
from .measure import REPO_DIR, Stopwatch, child_env, median, peak_rss_kb, rss_kb, table

SCALES = {"full": (1, 10), "smoke": (0.2,)}
PAPERS = [  # label, python-escpos profile, columns, QR mode: compared on the demo base
    ("80 mm, 48 col, native QR", "TM-T20II", 48, "native"),
    ("80 mm, 48 col, image QR", "TM-T20II", 48, "image"),
    ("58 mm, 32 col, image QR", "POS-5890", 32, "auto"),
]
PRESSES = {"full": 5, "smoke": 1}
TAP_SECONDS = 0.1  # a finger on the button


def render_day(workdir, factor, paper=PAPERS[0]):
    """Render every run-sheet of one day of the demo plan scaled by *factor*, on *paper*."""
    from hembas_testing import TODAY, fixed_clock

    from printer import jobs
    from sync.box import open_box
    from sync.config import load_config
    from sync.plan.demo import demo_plan

    label, profile, columns, qr = paper
    data_dir = Path(workdir) / f"render-{factor}-{profile}-{columns}-{qr}"
    box = open_box(load_config(data_dir, environ={}))
    box.config["printer"].update(profile=profile, columns=columns, qr=qr)
    box.clock = fixed_clock(data_dir)
    box.mirror.import_document(demo_plan(TODAY, clients=max(2, round(40 * factor)), staff=max(2, round(7 * factor))),
                               source="bench", today=TODAY)
    day = box.day(TODAY)
    staff_ids = day.staff_ids()
    params = [{"staff_id": s, "date": TODAY.isoformat()} for s in staff_ids]
    jobs.render(box, "sheet", params[0])  # imports and caches, as a running worker has them
    with Stopwatch() as sw:
        sheets = [jobs.render(box, "sheet", p) for p in params]
    return {"factor": factor, "paper": label, "sheets": len(sheets), "visits": sum(len(day.route(s)) for s in staff_ids),
            "bytes": sum(map(len, sheets)), "largest": max(map(len, sheets)), "seconds": sw.seconds,
            "ms_per_sheet": 1000 * sw.seconds / len(sheets)}


def prepare_box(data_dir):
    """A store with a plan for the real working day and a clock confirmed as a coordinator would."""
    from sync.box import open_box
    from sync.config import load_config
    from sync.plan.demo import demo_plan

    box = open_box(load_config(data_dir, environ={}))
    box.clock.confirm(dt.datetime.now(dt.timezone.utc), by="bench")
    shift = box.current_shift()  # what the button prints: the shift on now or starting next
    box.mirror.import_document(demo_plan(shift.date), source="bench", today=shift.date)
    return box, len(box.day(shift.date).staff_ids(shift=shift.name))


def start_daemon(data_dir, port, notify_path):
    """``hembas firmware run`` on mock pins; its log goes to ``firmware.log`` beside *data_dir*."""
    env = child_env(HEMBAS_PRINTER_BACKEND="network", HEMBAS_PRINTER_HOST="127.0.0.1", HEMBAS_PRINTER_PORT=port,
                    HEMBAS_GPIO_PIN_FACTORY="mock", NOTIFY_SOCKET=notify_path)
    with open(Path(data_dir).parent / "firmware.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "sync.cli", "--data", str(data_dir), "firmware", "run"],
                                env=env, cwd=REPO_DIR, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(sock, timeout=30):
    sock.settimeout(timeout)
    while True:
        if b"READY=1" in sock.recv(4096).split(b"\n"):
            return


def daemon_figures(workdir, presses):
    """Start the daemon, press its button *presses* times; returns the figures."""
    from firmware.control import request_press
    from printer.queue import PrintQueue

    data_dir = Path(workdir) / "daemon"
    box, sheets = prepare_box(data_dir)
    queue = PrintQueue(box)
    notify_path = str(Path(workdir) / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify, LoopbackPrinter() as printer:
        notify.bind(notify_path)
        started = time.monotonic()
        daemon = start_daemon(data_dir, printer.port, notify_path)
        try:
            wait_ready(notify)
            ready_s = time.monotonic() - started
            time.sleep(2)
            idle_rss = rss_kb(daemon.pid)
            first, last = [], []
            for n in range(presses):
                pressed = time.monotonic()
                request_press(data_dir)
                if not printer.wait_for((n + 1) * sheets, timeout=60):
                    raise RuntimeError(f"press {n + 1}: {len(printer.jobs)} of {(n + 1) * sheets} sheets arrived")
                new = printer.jobs[n * sheets:]
                first.append(min(j.first for j in new) - pressed)
                last.append(max(j.last for j in new) - pressed)
                while queue.status()["pending"]:  # the daemon marks the last job done after it arrived
                    time.sleep(0.05)
            after_rss, peak = rss_kb(daemon.pid), peak_rss_kb(daemon.pid)
        finally:
            stop(daemon, timeout=15)
    return {"ready_s": ready_s, "idle_rss_mb": idle_rss / 1024, "after_rss_mb": after_rss / 1024,
            "peak_rss_mb": peak / 1024, "presses": presses, "sheets_per_press": sheets,
            "press_to_first_byte_s": median(first), "press_to_first_byte_max_s": max(first),
            "press_to_last_byte_s": median(last), "bytes_per_press": sum(len(j.data) for j in printer.jobs) / presses,
            "exit_code": daemon.returncode}


def button_figures(workdir, presses):
    """The daemon in this process on mock pins: a tap of the button to the first byte at the printer."""
    import threading

    from firmware.daemon import Daemon
    from firmware.pins import make_pin_factory
    from printer.queue import PrintQueue

    data_dir = Path(workdir) / "button"
    box, sheets = prepare_box(data_dir)
    with LoopbackPrinter() as printer:
        box.config["printer"].update(backend="network", host="127.0.0.1", port=printer.port)
        stop_event = threading.Event()
        with Daemon(box, PrintQueue(box), pin_factory=make_pin_factory("mock"), environ={}) as daemon:
            runner = threading.Thread(target=daemon.run, args=(stop_event,), daemon=True)
            runner.start()
            try:
                time.sleep(1.5)  # past the first tick and the worker's first look at the queue
                from_release, from_press = [], []
                for n in range(presses):
                    pressed = time.monotonic()
                    daemon.button.pin.drive_low()
                    time.sleep(TAP_SECONDS)
                    released = time.monotonic()
                    daemon.button.pin.drive_high()
                    if not printer.wait_for((n + 1) * sheets, timeout=60):
                        raise RuntimeError(f"tap {n + 1}: {len(printer.jobs)} of {(n + 1) * sheets} sheets arrived")
                    first = min(j.first for j in printer.jobs[n * sheets:])
                    from_release.append(first - released)
                    from_press.append(first - pressed)
                    while daemon.queue.status()["pending"]:
                        time.sleep(0.05)
            finally:
                stop_event.set()
                runner.join(timeout=15)
    return {"taps": presses, "release_to_first_byte_ms": 1000 * median(from_release),
            "release_to_first_byte_max_ms": 1000 * max(from_release), "press_to_first_byte_ms": 1000 * median(from_press)}


def run(workdir, *, scale="full"):
    renders = [render_day(workdir, factor) for factor in SCALES[scale]]
    papers = [render_day(workdir, SCALES[scale][0], paper) for paper in PAPERS]
    daemon = daemon_figures(workdir, PRESSES[scale])
    button = button_figures(workdir, PRESSES[scale])
    columns = [("base", "factor", "{}×"), ("sheets", "sheets", "{}"), ("visits", "visits", "{}"),
               ("KB", "kb", "{:.1f}"), ("largest B", "largest", "{}"), ("render s", "seconds", "{:.3f}"),
               ("ms/sheet", "ms_per_sheet", "{:.1f}")]
    lines = [table("Run-sheets for one day (render = what the worker sends)", columns,
                   [{**r, "kb": r["bytes"] / 1024} for r in renders]), "",
             table(f"Paper and QR settings ({SCALES[scale][0]}× base)", [("paper", "paper", "{}")] + columns[1:],
                   [{**r, "kb": r["bytes"] / 1024} for r in papers]), "",
             "Firmware daemon (hembas firmware run, mock pins, network printer on 127.0.0.1):",
             f"  start to READY=1 {daemon['ready_s']:.2f} s; RSS idle {daemon['idle_rss_mb']:.0f} MB, "
             f"after {daemon['presses']} press(es) {daemon['after_rss_mb']:.0f} MB (peak {daemon['peak_rss_mb']:.0f} MB)",
             f"  press to first byte at printer: median {daemon['press_to_first_byte_s']:.2f} s, "
             f"max {daemon['press_to_first_byte_max_s']:.2f} s; to last of {daemon['sheets_per_press']} sheets "
             f"{daemon['press_to_last_byte_s']:.2f} s ({daemon['bytes_per_press'] / 1024:.1f} KB)",
             f"The real button (Daemon on a MockFactory pin, a {TAP_SECONDS * 1000:.0f} ms tap, {button['taps']} taps): "
             f"release to first byte median {button['release_to_first_byte_ms']:.0f} ms, max "
             f"{button['release_to_first_byte_max_ms']:.0f} ms (goal under 150 ms); press down to first byte "
             f"{button['press_to_first_byte_ms']:.0f} ms"]
    return {"render": renders, "papers": papers, "daemon": daemon, "button": button, "table": "\n".join(lines)}


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=parser.parse_args().scale)["table"])
