"""Idag over HTTPS through nginx against plain HTTP straight to waitress (what phones had before).

``hembas serve`` with ``[tls] enabled`` in a subprocess, the demo plan and the
busiest carer's account (bench.web's ``prepare``), and a real nginx with the
generated configuration and a test CA's certificate, all on 127.0.0.1.  For
each way in, *rounds* times:

* **handshake**: TCP connect (+ TLS handshake), nothing sent;
* **first load**: a new connection, Idag and its static files;
* **repeat load**: a new connection (a phone's keep-alive has long expired),
  Idag only — the static files are cached for a year (immutable URLs).

Medians, in milliseconds, client and server on the same two cores; plus the
RSS of nginx's master and worker.

Then the morning rush through the TLS terminator, as bench.web measures it
straight to waitress: Idag, the client card and Laget idag at 10 and 50
keep-alive HTTPS connections, each from its own address, against the same
bytes from the static ceiling behind a second nginx with the same
configuration.  One thing differs from the box: the per-phone request rate
(``limit_req``, 20 a second) is lifted, since one program plays every phone
here at hundreds of requests a second.  Run alone:
``PYTHONPATH=tests python -m bench.https [--rounds 30] [--scale smoke]``
"""

import datetime as dt
import re
import socket
import ssl
import statistics
import time
from pathlib import Path

from tls_testing import Nginx, TestCA, free_port

from .http_load import connection, hembas, load, side_by_side, sign_in, start_ceiling, start_server, stop
from .measure import child_env, rss_kb, table
from .web import CODE, PIN, fetch, prepare

NAME = "hembas.bench"
ROUNDS = {"full": 30, "smoke": 2}
RUSH_CONNECTIONS = {"full": (10, 50), "smoke": (2,)}
RUSH_SECONDS = {"full": 3.0, "smoke": 0.5}
RUSH_ROUNDS = {"full": 3, "smoke": 1}  # each page in turn with its ceiling (side_by_side)
BENCH_RATE = "100000r/s"  # nginx's per-phone request rate, lifted: one program plays every phone


def _tls(context):
    return None if context is None else (context, NAME)


def _load(port, context, cookie, *, with_assets):
    started = time.perf_counter()
    conn = connection(port, tls=_tls(context), timeout=10)
    try:
        conn.request("GET", "/idag", headers={"Cookie": cookie})
        response = conn.getresponse()
        page = response.read()
        if response.status != 200:
            raise RuntimeError(f"/idag answered {response.status}")
        if with_assets:
            for asset in sorted(set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', page))):
                conn.request("GET", asset.decode())
                conn.getresponse().read()
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000


def _handshake(port, context):
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        if context is not None:
            context.wrap_socket(raw, server_hostname=NAME).close()
    return (time.perf_counter() - started) * 1000


def tls_env(http_port, https_port):
    """The environment that turns ``[tls]`` on for a bench box named NAME."""
    return {"HEMBAS_TLS_ENABLED": "1", "HEMBAS_TLS_NAME": NAME, "HEMBAS_TLS_HTTP_PORT": str(http_port),
            "HEMBAS_TLS_HTTPS_PORT": str(https_port)}


def install_certificate(data_dir, workdir):
    """A test CA in *workdir* and its certificate for NAME installed in the bench box; returns (store, CA, cert PEM)."""
    from sync.certificate import store_for
    from sync.config import load_config

    store, ca = store_for(load_config(data_dir, environ=tls_env(0, 0))), TestCA(Path(workdir) / "ca")
    cert, key = ca.issue(NAME)
    store.install(cert, key, source="settings", now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1))
    return store, ca, cert


def start_nginx(folder, data_dir, pem, upstream_port, **render_options):
    """A real nginx with the box's generated configuration in front of *upstream_port*; returns (nginx, https port)."""
    from deploy.nginx import render
    from sync.config import load_config

    http_port, https_port = free_port(), free_port()
    config = load_config(data_dir, environ=tls_env(http_port, https_port))
    nginx = Nginx(folder, render(config, pem=pem, runtime_dir=folder, listen="127.0.0.1", upstream_port=upstream_port,
                                 error_log=Path(folder) / "error.log", **render_options))
    nginx.start([http_port, https_port])
    return nginx, https_port


def run(workdir, *, scale="full", rounds=None):
    workdir = Path(workdir)
    rounds = rounds or ROUNDS[scale]
    data_dir, port = workdir / "data", free_port()
    card = prepare(data_dir)
    store, ca, _ = install_certificate(data_dir, workdir)
    server, _ = start_server(hembas(data_dir, "serve", "--port", str(port)), port, workdir / "serve.log",
                             env=child_env(**tls_env(0, 0)))
    nginx = None
    try:
        nginx, https_port = start_nginx(workdir / "nginx", data_dir, store.path, port)
        cookie, _ = sign_in(port, CODE, PIN)
        context = ssl.create_default_context(cafile=str(ca.cert))
        ways = {"HTTP, waitress direct": (port, None), "HTTPS via nginx": (https_port, context)}
        times = {name: {"handshake": [], "first": [], "repeat": []} for name in ways}
        for target, ctx in ways.values():
            _load(target, ctx, cookie, with_assets=True)  # warm: templates compiled, files in the page cache
        for _ in range(rounds):  # the two ways in turn, so a busy moment on the shared cores hits both
            for name, (target, ctx) in ways.items():
                times[name]["handshake"].append(_handshake(target, ctx))
                times[name]["first"].append(_load(target, ctx, cookie, with_assets=True))
                times[name]["repeat"].append(_load(target, ctx, cookie, with_assets=False))
        rows = [{"way": name, **{key: statistics.median(values) for key, values in figures.items()}}
                for name, figures in times.items()]
        master = nginx.process.pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        nginx_kb = {"master": rss_kb(master), "worker": sum(rss_kb(int(w)) for w in workers)}
        nginx.stop()
        nginx, https_port = start_nginx(workdir / "nginx", data_dir, store.path, port, request_rate=BENCH_RATE)
        pages = {name: (path, *fetch(port, path, {"Cookie": cookie}))
                 for name, path in (("Idag", "/idag"), ("client card", card), ("Laget idag", "/laget"))}
        rush = _rush(workdir, data_dir, store.path, https_port, pages, cookie, context, scale)
    finally:
        if nginx:
            nginx.stop()
        stop(server)
    columns = [("way in", "way", "{}"), ("connect+TLS ms", "handshake", "{:.2f}"), ("first load ms", "first", "{:.1f}"),
               ("repeat load ms", "repeat", "{:.1f}")]
    rush_columns = [("page", "page", "{}"), ("conns", "connections", "{}"), ("req/s", "rps", "{:.0f}"),
                    ("p50 ms", "p50_ms", "{:.1f}"), ("p99 ms", "p99_ms", "{:.1f}"), ("errors", "errors", "{}"),
                    ("static req/s", "ceiling_rps", "{:.0f}"), ("static p99", "ceiling_p99_ms", "{:.1f}"),
                    ("page/static", "ratio", "{:.2f}")]
    lines = [table(f"Idag: first load (page + static files) and repeat load (page), new connection each, "
                   f"median of {rounds}", columns, rows),
             f"nginx RSS: master {nginx_kb['master'] / 1024:.1f} MB, worker {nginx_kb['worker'] / 1024:.1f} MB",
             table("The rush over HTTPS: pages through nginx vs the same bytes from memory behind the same nginx "
                   "(keep-alive, one source address per connection)", rush_columns, rush)]
    return {"rows": rows, "nginx_rss_kb": nginx_kb, "rush": rush, "table": "\n".join(lines)}


def _rush(workdir, data_dir, pem, https_port, pages, cookie, context, scale):
    """Each page over HTTPS and, behind a second nginx, its static ceiling; returns table rows."""
    rows, tls = [], _tls(context)
    for name, (path, body, ctype) in pages.items():
        (workdir / "ceiling.html").write_bytes(body)
        ceiling, ceiling_port = start_ceiling(workdir / "ceiling.html", ctype, 6, workdir / "ceiling.log")
        front = None
        try:
            front, front_port = start_nginx(workdir / "nginx-ceiling", data_dir, pem, ceiling_port,
                                            request_rate=BENCH_RATE)
            for n in RUSH_CONNECTIONS[scale]:
                page, static = side_by_side(
                    lambda: load(https_port, path, n, RUSH_SECONDS[scale], {"Cookie": cookie}, tls=tls),
                    lambda: load(front_port, path, n, RUSH_SECONDS[scale], {}, tls=tls), RUSH_ROUNDS[scale])
                rows.append({"page": name, "bytes": len(body), "connections": n, **page,
                             "ceiling_rps": static["rps"], "ceiling_p99_ms": static["p99_ms"],
                             "ceiling_errors": static["errors"], "ratio": page["rps"] / static["rps"]})
        finally:
            if front:
                front.stop()
            stop(ceiling)
    return rows


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--scale", choices=sorted(ROUNDS), default="full")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=args.scale, rounds=args.rounds)["table"])
