"""The phone web UI under load: ``hembas serve`` against a static ceiling on the same stack.

``hembas serve`` (waitress, ``web.threads`` worker threads, default 6) runs
in a subprocess with the demo plan and a signed-in staff account.  The Idag
page is then fetched by 1, 10 and 50 concurrent keep-alive connections on
127.0.0.1 (a Python load generator: threads + ``http.client``), and the same
bytes are fetched from a waitress server with the same thread count that
answers them from memory, the ceiling of the stack.  The ratio says how
much of the stack's capacity the page leaves.  Also: start-up to the first
answer, RSS idle and after load, and the bytes of a first and a repeat load
of Idag with its static files (compression, caching headers).

The load generator runs on the same cores as the server, so both figures are
lower than a phone-side measurement; their ratio is what to compare.
Run alone: ``PYTHONPATH=tests python -m bench.web --scale smoke``
"""

import http.client
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .measure import REPO_DIR, child_env, percentile, rss_kb, table

CONNECTIONS = {"full": (1, 10, 50), "smoke": (1, 2)}
SECONDS = {"full": 5.0, "smoke": 0.5}
PIN = "482915"
CODE = "BENCH234"  # the one-time code the benchmark account is created with


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hembas(data_dir, *args):
    return [sys.executable, "-m", "sync.cli", "--data", str(data_dir), *args]


def start_server(cmd, port, log_path, env=None):
    """Start *cmd*; returns (process, seconds until the first answer on *port*)."""
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env or child_env(), cwd=REPO_DIR, stdout=log, stderr=subprocess.STDOUT)
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[2:]} stopped: {Path(log_path).read_text()[-800:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/logga-in")
            conn.getresponse().read()
            return proc, time.monotonic() - started
        except OSError:
            time.sleep(0.01)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def sign_in(port):
    """Enroll the benchmark account through the real form; returns the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/aktivera?kod={CODE}")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    body = f"csrf={token}&kod={CODE}&pin={PIN}&pin2={PIN}"
    conn.request("POST", "/aktivera", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                          "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"enrollment answered {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def load(port, path, connections, seconds, headers):
    """*connections* keep-alive clients fetch *path* for *seconds*; returns requests/s and latencies."""
    latencies, errors, stop_at = [], [], time.monotonic() + seconds
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
            except OSError as exc:
                errors.append(type(exc).__name__)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return {"rps": len(latencies) / elapsed, "p50_ms": 1000 * percentile(latencies, 50),
            "p99_ms": 1000 * percentile(latencies, 99), "errors": len(errors)}


def page_bytes(port, cookie):
    """Bytes of a first and a repeat load of Idag with its static files, as a phone would fetch them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    base = {"Cookie": cookie, "Accept-Encoding": "gzip, br"}

    def get(path, extra=None):
        conn.request("GET", path, headers={**base, **(extra or {})})
        response = conn.getresponse()
        body = response.read()
        return response, len(body) + sum(len(k) + len(v) + 4 for k, v in response.getheaders())

    page, first = get("/")
    conn.request("GET", "/", headers=base)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    assets = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', text)))
    headers = {"page": {"Content-Encoding": page.getheader("Content-Encoding", ""),
                        "Cache-Control": page.getheader("Cache-Control", "")}}
    repeat = first
    for asset in assets:
        response, size = get(asset)
        first += size
        headers[asset] = {"Content-Encoding": response.getheader("Content-Encoding", ""),
                          "Cache-Control": response.getheader("Cache-Control", ""),
                          "ETag": bool(response.getheader("ETag")), "Last-Modified": bool(response.getheader("Last-Modified"))}
        if "max-age" in response.getheader("Cache-Control", "") and "no-cache" not in response.getheader("Cache-Control", ""):
            continue  # a fresh cached copy: a repeat load sends nothing
        validators = {k: v for k, v in (("If-None-Match", response.getheader("ETag")),
                                         ("If-Modified-Since", response.getheader("Last-Modified"))) if v}
        _, size = get(asset, validators)
        repeat += size
    return {"first_load_bytes": first, "repeat_load_bytes": repeat, "assets": len(assets), "headers": headers}


CEILING = r"""
import sys, waitress
body, ctype, threads, port = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]
waitress.serve(app, host="127.0.0.1", port=port, threads=threads, ident="ceiling", _quiet=True)
"""


def run(workdir, *, scale="full"):
    from sync.config import DEFAULTS

    workdir = Path(workdir)
    data_dir, port = workdir / "data", free_port()
    subprocess.run(hembas(data_dir, "demo-plan", "--import"), env=child_env(), cwd=REPO_DIR, check=True,
                   capture_output=True)
    subprocess.run(hembas(data_dir, "user", "add", "--name", "Amira Hassan", "--role", "staff",
                          "--enrollment-code", CODE), env=child_env(), cwd=REPO_DIR, check=True, capture_output=True)
    server, startup_s = start_server(hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", str(port)),
                                     port, workdir / "serve.log")
    try:
        cookie = sign_in(port)
        time.sleep(1)
        idle_rss = rss_kb(server.pid)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Cookie": cookie})
        response = conn.getresponse()
        body, ctype = response.read(), response.getheader("Content-Type")
        if response.status != 200 or b"<html" not in body.lower():
            raise RuntimeError(f"Idag answered {response.status}")
        (workdir / "idag.html").write_bytes(body)
        threads = DEFAULTS["web"]["threads"]
        ceiling_port = free_port()
        ceiling, _ = start_server([sys.executable, "-c", CEILING, str(workdir / "idag.html"), ctype, str(threads),
                                   str(ceiling_port)], ceiling_port, workdir / "ceiling.log")
        rows = []
        try:
            for n in CONNECTIONS[scale]:
                page = load(port, "/", n, SECONDS[scale], {"Cookie": cookie})
                static = load(ceiling_port, "/", n, SECONDS[scale], {})
                rows.append({"connections": n, **page, "ceiling_rps": static["rps"], "ceiling_p50_ms": static["p50_ms"],
                             "ceiling_p99_ms": static["p99_ms"], "ratio": page["rps"] / static["rps"]})
        finally:
            stop(ceiling)
        after_rss = rss_kb(server.pid)
        transfer = page_bytes(port, cookie)
    finally:
        stop(server)
    figures = {"startup_s": startup_s, "idle_rss_mb": idle_rss / 1024, "after_load_rss_mb": after_rss / 1024,
               "page_bytes": len(body), "threads": threads, **transfer}
    columns = [("conns", "connections", "{}"), ("Idag req/s", "rps", "{:.0f}"), ("p50 ms", "p50_ms", "{:.1f}"),
               ("p99 ms", "p99_ms", "{:.1f}"), ("errors", "errors", "{}"), ("static req/s", "ceiling_rps", "{:.0f}"),
               ("static p50", "ceiling_p50_ms", "{:.1f}"), ("static p99", "ceiling_p99_ms", "{:.1f}"),
               ("Idag/static", "ratio", "{:.2f}")]
    lines = [table(f"Idag page ({len(body)} B) vs the same bytes from memory, waitress {threads} threads", columns, rows),
             f"hembas serve: first answer {startup_s:.2f} s after start; RSS idle {idle_rss / 1024:.0f} MB, "
             f"after load {after_rss / 1024:.0f} MB",
             f"Idag transfer: first load {transfer['first_load_bytes']} B ({transfer['assets']} static files), "
             f"repeat load {transfer['repeat_load_bytes']} B; page Content-Encoding "
             f"'{transfer['headers']['page']['Content-Encoding'] or 'none'}', "
             f"Cache-Control '{transfer['headers']['page']['Cache-Control']}'"]
    return {"rows": rows, "figures": figures, "table": "\n".join(lines)}


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(CONNECTIONS), default="full")
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=parser.parse_args().scale)["table"])
