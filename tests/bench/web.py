"""The phone web UI under load: ``hembas serve`` against a static ceiling on the same stack.

``hembas serve`` (waitress, ``web.threads`` worker threads, default 6) runs
in a subprocess with the demo plan and a staff account enrolled through the
real ``/aktivera`` form, for the staff member with the most visits in the shift on now.
Three pages are fetched by 1, 10 and 50 concurrent keep-alive connections on
127.0.0.1, each connection from its own source address (127.0.1.x: the
server caps connections per address): Idag (``/idag``), the client card of
the first client on that route (``/klient/<id>``, which also appends a
``client.open`` audit entry on every request) and Laget idag (``/laget``).
The same bytes are fetched from a waitress server with the same thread
count that answers them from memory: the ceiling of the stack.  The ratio
says how much of the stack's capacity each page leaves; page and ceiling
are loaded in turn, three rounds of three seconds, and a row is the round
with the median ratio (:func:`~bench.http_load.side_by_side`).  The "Pi-like"
rows pin both servers to one core (``taskset -c 0``), as on a Pi Zero 2 W
whose one busy core is what the morning rush gets, and keep the load
generator off that core (:func:`~bench.http_load.off_core`): the phones are
not on the Pi.  Also: start-up to the first answer, RSS idle and after
load, and the bytes of a first and a repeat load of Idag with its static
files (compression, caching headers as served).

With ``baseline`` (``make bench BASELINE=/path/to/a/checkout``) the same
rows are measured for that checkout's server in the same run, so before and
after come from the same minutes of a shared machine.

The load generator runs on the same cores as the server, so both figures are
lower than a phone-side measurement; their ratio is what to compare.
Run alone: ``PYTHONPATH=tests python -m bench.web --scale smoke``
"""

import datetime as dt
import http.client
import json
import re
import subprocess
import time
from contextlib import closing, nullcontext
from pathlib import Path

from .http_load import hembas, load, off_core, side_by_side, sign_in, start_ceiling, start_server, stop, free_port
from .measure import REPO_DIR, child_env, rss_kb, table

CONNECTIONS = {"full": (1, 10, 50), "smoke": (1, 2)}
PI_CONNECTIONS = {"full": (10, 50), "smoke": (2,)}  # the server on one core
PI_CORE = 0  # the Pi-like rows' one core; the load generator runs on the others (off_core)
ONE_CORE = ("taskset", "-c", str(PI_CORE))
SECONDS = {"full": 3.0, "smoke": 0.5}  # each load; ROUNDS of them in turn with the ceiling
ROUNDS = {"full": 3, "smoke": 1}
PIN = "482915"
CODE = "BENCH234"  # the one-time code the benchmark account is created with


def busiest_route(data_dir):
    """(staff id, first client id) of the staff member with the most visits in the shift on now (Idag's page)."""
    from sync.box import open_box
    from sync.config import load_config

    box = open_box(load_config(data_dir, environ={}))
    shift = box.current_shift()
    day = box.day(shift.date)
    staff_id = max(day.staff_ids(shift=shift.name), key=lambda s: len(day.route(s, shift=shift.name)))
    return staff_id, day.route(staff_id, shift=shift.name)[0].client_id


def prepare(data_dir, *, code=REPO_DIR):
    """The demo plan for the working day and an account for its busiest carer; returns the client card's path.

    The demo plan says it was made at 05:12; between midnight and then the
    box would rightly distrust a clock that is earlier than its plan, so the
    plan imported here was made a minute ago.
    """
    from sync.box import open_box
    from sync.commands import working_day_or_none
    from sync.config import load_config
    from sync.plan.demo import demo_plan

    run = lambda *args: subprocess.run(hembas(data_dir, *args), env=child_env(), cwd=code, check=True,
                                       capture_output=True)
    box = open_box(load_config(data_dir, environ={}))
    document = demo_plan(working_day_or_none(box) or box.clock.status().now.date())  # at 01:30: yesterday's
    made = dt.datetime.fromisoformat(document["generated_at"])
    document["generated_at"] = min(made, dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).isoformat()
    plan_file = Path(data_dir).parent / "demo-plan.json"
    plan_file.write_text(json.dumps(document), encoding="utf-8")
    run("plan", "import", plan_file)
    staff_id, client_id = busiest_route(data_dir)
    run("user", "add", "--name", "Bänk Testsson", "--role", "staff", "--staff-id", staff_id,
        "--enrollment-code", CODE)
    return f"/klient/{client_id}"


def fetch(port, path, headers):
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as conn:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    if response.status != 200 or b"<html" not in body.lower():
        raise RuntimeError(f"{path} answered {response.status}")
    return body, response.getheader("Content-Type")


def page_bytes(port, cookie):
    """Bytes of a first and a repeat load of Idag with its static files, as a phone would fetch them."""
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as conn:
        return _transfer(conn, cookie)


def _transfer(conn, cookie):
    base = {"Cookie": cookie, "Accept-Encoding": "gzip, br"}

    def get(path, extra=None):
        conn.request("GET", path, headers={**base, **(extra or {})})
        response = conn.getresponse()
        body = response.read()
        return response, body, len(body) + sum(len(k) + len(v) + 4 for k, v in response.getheaders())

    page, text, first = get("/idag")
    assets = sorted(set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', text)))
    headers = {"page": {"Content-Encoding": page.getheader("Content-Encoding", ""),
                        "Cache-Control": page.getheader("Cache-Control", "")}}
    repeat = first  # the page itself is never cached (health data): sent again in full
    for asset in (a.decode() for a in assets):
        response, _, size = get(asset)
        first += size
        cache = response.getheader("Cache-Control", "")
        headers[asset] = {"Content-Encoding": response.getheader("Content-Encoding", ""), "Cache-Control": cache,
                          "ETag": bool(response.getheader("ETag")),
                          "Last-Modified": bool(response.getheader("Last-Modified"))}
        if "max-age" in cache and "no-cache" not in cache and "max-age=0" not in cache:
            continue  # a fresh cached copy: a repeat load sends nothing
        validators = {k: v for k, v in (("If-None-Match", response.getheader("ETag")),
                                         ("If-Modified-Since", response.getheader("Last-Modified"))) if v}
        response, _, size = get(asset, validators)
        headers[asset]["repeat_status"] = response.status
        repeat += size
    return {"first_load_bytes": first, "repeat_load_bytes": repeat, "assets": len(assets), "headers": headers}


def compare(port, pages, cookie, threads, workdir, connections, scale, *, prefix=()):
    """Each page and its static ceiling at every connection count, in turn (:func:`side_by_side`); returns table rows."""
    rows = []
    for name, (path, body, ctype) in pages.items():
        (workdir / "ceiling.html").write_bytes(body)
        ceiling, ceiling_port = start_ceiling(workdir / "ceiling.html", ctype, threads, workdir / "ceiling.log",
                                              prefix=prefix)
        try:
            for n in connections:
                page, static = side_by_side(lambda: load(port, path, n, SECONDS[scale], {"Cookie": cookie}),
                                            lambda: load(ceiling_port, "/", n, SECONDS[scale], {}), ROUNDS[scale])
                rows.append({"page": name, "bytes": len(body), "connections": n, **page,
                             "ceiling_rps": static["rps"], "ceiling_p50_ms": static["p50_ms"],
                             "ceiling_p99_ms": static["p99_ms"], "ratio": page["rps"] / static["rps"]})
        finally:
            stop(ceiling)
    return rows


def measure(workdir, code, scale, label):
    """Rows and figures for the server of checkout *code*: on every core, then on one."""
    from sync.config import DEFAULTS

    workdir.mkdir(parents=True, exist_ok=True)
    data_dir, threads = workdir / "data", DEFAULTS["web"]["threads"]
    card = prepare(data_dir, code=code)
    rows, figures, cookie = [], {"threads": threads}, None
    for prefix, connections in (((), CONNECTIONS[scale]), (ONE_CORE, PI_CONNECTIONS[scale])):
        port = free_port()
        server, startup_s = start_server([*prefix, *hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", port)],
                                         port, workdir / "serve.log", cwd=code)
        try:
            if cookie is None:  # the session outlives a restart (sessions.json, web-secret.key)
                cookie, _ = sign_in(port, CODE, PIN)
                time.sleep(1)
                figures.update(startup_s=startup_s, idle_rss_mb=rss_kb(server.pid) / 1024)
            pages = {name: (path, *fetch(port, path, {"Cookie": cookie})) for name, path in
                     (("Idag", "/idag"), ("client card", card), ("Laget idag", "/laget"))}
            cores = "1 (Pi-like)" if prefix else "all"
            with off_core(PI_CORE) if prefix else nullcontext():
                rows += [dict(row, code=label, cores=cores) for row in
                         compare(port, pages, cookie, threads, workdir, connections, scale, prefix=prefix)]
            figures["after_load_rss_mb" if not prefix else "after_pi_load_rss_mb"] = rss_kb(server.pid) / 1024
            if not prefix:
                figures.update(page_bytes(port, cookie))
        finally:
            stop(server)
    return rows, figures


def run(workdir, *, scale="full", baseline=None):
    workdir = Path(workdir)
    rows, figures = measure(workdir / "this", REPO_DIR, scale, "this")
    codes = {"this": figures}
    if baseline:
        base_rows, codes["baseline"] = measure(workdir / "baseline", Path(baseline), scale, "baseline")
        rows += base_rows
    columns = [("code", "code", "{}"), ("cores", "cores", "{}"), ("page", "page", "{}"), ("bytes", "bytes", "{}"),
               ("conns", "connections", "{}"), ("req/s", "rps", "{:.0f}"), ("p50 ms", "p50_ms", "{:.1f}"),
               ("p99 ms", "p99_ms", "{:.1f}"), ("errors", "errors", "{}"), ("static req/s", "ceiling_rps", "{:.0f}"),
               ("static p50", "ceiling_p50_ms", "{:.1f}"), ("static p99", "ceiling_p99_ms", "{:.1f}"),
               ("page/static", "ratio", "{:.2f}")]
    threads = figures["threads"]
    lines = [table(f"Web pages vs the same bytes from memory (waitress, {threads} threads, keep-alive, "
                   "one source address per connection)", columns, rows)]
    for label, f in codes.items():
        lines.append(f"hembas serve ({label}): first answer {f['startup_s']:.2f} s after start; RSS idle "
                     f"{f['idle_rss_mb']:.0f} MB, after load {f['after_load_rss_mb']:.0f} MB, after the one-core load "
                     f"{f['after_pi_load_rss_mb']:.0f} MB (goal: at most 80 MB)")
    page_headers = figures["headers"]["page"]
    lines += [f"Idag transfer: first load {figures['first_load_bytes']} B ({figures['assets']} static files), "
              f"repeat load {figures['repeat_load_bytes']} B; page Content-Encoding "
              f"'{page_headers['Content-Encoding'] or 'none'}', Cache-Control '{page_headers['Cache-Control']}'"]
    lines += [f"  {asset}: Content-Encoding '{h['Content-Encoding'] or 'none'}', Cache-Control "
              f"'{h['Cache-Control'] or 'none'}', repeat answer {h.get('repeat_status', 'from cache')}"
              for asset, h in figures["headers"].items() if asset != "page"]
    return {"rows": rows, "figures": figures, **({"baseline_figures": codes["baseline"]} if baseline else {}),
            "table": "\n".join(lines)}


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(CONNECTIONS), default="full")
    parser.add_argument("--baseline", help="another checkout whose server is measured in the same run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=args.scale, baseline=args.baseline)["table"])
