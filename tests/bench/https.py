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
RSS of nginx's master and worker.  Run alone:
``PYTHONPATH=tests python -m bench.https [--rounds 30]``
"""

import datetime as dt
import http.client
import re
import socket
import ssl
import statistics
import time
from pathlib import Path

from tls_testing import Nginx, TestCA, free_port

from .http_load import hembas, sign_in, start_server, stop
from .measure import child_env, rss_kb, table
from .web import CODE, PIN, prepare

NAME = "hembas.bench"


class _Named(http.client.HTTPSConnection):
    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=NAME)


def _connection(port, context):
    if context is None:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    return _Named("127.0.0.1", port, context=context, timeout=10)


def _load(port, context, cookie, *, with_assets):
    started = time.perf_counter()
    conn = _connection(port, context)
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


def run(workdir, *, rounds=30):
    workdir = Path(workdir)
    data_dir, port, http_port, https_port = workdir / "data", free_port(), free_port(), free_port()
    prepare(data_dir)
    env = child_env(HEMBAS_TLS_ENABLED="1", HEMBAS_TLS_NAME=NAME, HEMBAS_TLS_HTTP_PORT=str(http_port),
                    HEMBAS_TLS_HTTPS_PORT=str(https_port))
    from deploy.nginx import render
    from sync.certificate import store_for
    from sync.config import load_config

    config = load_config(data_dir, environ={k: v for k, v in env.items() if k.startswith("HEMBAS_TLS_")})
    ca = TestCA(workdir / "ca")
    store_for(config).install(*ca.issue(NAME), source="settings",
                              now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1))
    server, _ = start_server(hembas(data_dir, "serve", "--port", str(port)), port, workdir / "serve.log", env=env)
    nginx = Nginx(workdir / "nginx", render(config, pem=store_for(config).path, runtime_dir=workdir / "nginx",
                                            listen="127.0.0.1", upstream_port=port,
                                            error_log=workdir / "nginx" / "error.log"))
    try:
        nginx.start([http_port, https_port])
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
    finally:
        nginx.stop()
        stop(server)
    columns = [("way in", "way", "{}"), ("connect+TLS ms", "handshake", "{:.2f}"), ("first load ms", "first", "{:.1f}"),
               ("repeat load ms", "repeat", "{:.1f}")]
    lines = [table(f"Idag: first load (page + static files) and repeat load (page), new connection each, "
                   f"median of {rounds}", columns, rows),
             f"nginx RSS: master {nginx_kb['master'] / 1024:.1f} MB, worker {nginx_kb['worker'] / 1024:.1f} MB"]
    return {"rows": rows, "nginx_rss_kb": nginx_kb, "table": "\n".join(lines)}


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, rounds=parser.parse_args().rounds)["table"])
