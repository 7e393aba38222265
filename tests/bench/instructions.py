"""Instructions a page costs inside the server: ``hembas serve`` against the static ceiling, counted by callgrind.

Requests a second on a shared machine move with whatever else runs on it;
the instructions the server process executes for one request do not:
valgrind's callgrind counts them, the same for the same program and inputs
(user space only: the kernel's share, the audit entry's fsync and the
sockets, is not in the count; threads take turns in a fixed order, so two
runs agree to within a few hundred instructions a request).  Each server runs under callgrind twice per
page: once answering one warm-up request of each page, once the same and
then *rounds* more of one page over the same keep-alive connection; the
difference divided by *rounds* is what a request of that page costs.  The
ceiling is bench.web's: a plain waitress app answering the same bytes from
memory.  *ceiling/page* is the ratio the morning rush would show on a server
whose one core is busy with nothing else (a Pi Zero 2 W's).

With ``baseline`` (``make bench BASELINE=/path/to/checkout``) the other
checkout's server is counted the same way.  Run alone:
``PYTHONPATH=tests python -m bench.instructions [--scale smoke]``
"""

import http.client
import shutil
import signal
import subprocess
import time
from contextlib import closing
from pathlib import Path

from .http_load import hembas, sign_in, start_ceiling, start_server, stop, free_port
from .measure import REPO_DIR, child_env, table
from .web import CODE, PIN, fetch, prepare

ROUNDS = {"full": 300, "smoke": 30}
PAGES = {"full": ("Idag", "client card", "Laget idag"), "smoke": ("Idag",)}
THREADS = 6  # as bench.web: web.threads' default


def callgrind(out_file):
    """The command prefix that runs a program under callgrind, its counts written to *out_file*."""
    if not shutil.which("valgrind"):
        raise RuntimeError("valgrind is needed for the instruction counts (apt-get install valgrind)")
    # --fair-sched: threads take turns in a fixed order; without it the same run varied by a quarter
    return ("valgrind", "--tool=callgrind", "--fair-sched=yes", f"--callgrind-out-file={out_file}")


def total_instructions(out_file):
    """The program's whole instruction count from a callgrind output file."""
    for line in Path(out_file).read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no instruction count in {out_file}")


def counted(start, warm_up, path, rounds, headers, out_file):
    """Instructions of the server *start(prefix)* starts, after *warm_up* paths and *rounds* GETs of *path*."""
    server, port = start(callgrind(out_file))
    try:
        with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=120)) as conn:
            for target in [*warm_up, *[path] * rounds]:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{target} answered {response.status} under callgrind")
        time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGINT)  # a clean exit: callgrind writes its counts
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            stop(server)
    return total_instructions(out_file)


def per_request(start, warm_up, path, rounds, headers, workdir, name):
    """(instructions of one more request of *path*) = (with *rounds* more − without) / *rounds*."""
    base = counted(start, warm_up, path, 0, headers, workdir / f"{name}.0.callgrind")
    more = counted(start, warm_up, path, rounds, headers, workdir / f"{name}.{rounds}.callgrind")
    return (more - base) / rounds


def measure(workdir, code, scale, label):
    """Rows for the server of checkout *code*: every page's instructions a request, and its ceiling's."""
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir, rounds = workdir / "data", ROUNDS[scale]
    paths = {"Idag": "/idag", "client card": prepare(data_dir, code=code), "Laget idag": "/laget"}
    port = free_port()
    server, _ = start_server(hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", port), port,
                             workdir / "serve.log", cwd=code)
    try:
        cookie, _ = sign_in(port, CODE, PIN)
        pages = {name: fetch(port, path, {"Cookie": cookie}) for name, path in paths.items()}
    finally:
        stop(server)
    env = child_env(PYTHONHASHSEED=0)  # the same hashes in every run: the same instructions

    def start_hembas(prefix):
        port = free_port()
        proc, _ = start_server([*prefix, *hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", port)], port,
                               workdir / "serve.log", env=env, cwd=code)
        return proc, port

    rows = []
    for name in PAGES[scale]:
        body, ctype = pages[name]
        (workdir / "ceiling.html").write_bytes(body)

        def start_static(prefix):
            return start_ceiling(workdir / "ceiling.html", ctype, THREADS, workdir / "ceiling.log", prefix=prefix)

        page = per_request(start_hembas, list(paths.values()), paths[name], rounds, {"Cookie": cookie}, workdir,
                           f"page-{len(rows)}")
        static = per_request(start_static, ["/"], "/", rounds, {}, workdir, f"static-{len(rows)}")
        rows.append({"code": label, "page": name, "bytes": len(body), "rounds": rounds,
                     "instructions": page, "ceiling_instructions": static, "ratio": static / page})
    return rows


def run(workdir, *, scale="full", baseline=None):
    workdir = Path(workdir)
    rows = measure(workdir / "this", REPO_DIR, scale, "this")
    if baseline:
        rows += measure(workdir / "baseline", Path(baseline), scale, "baseline")
    columns = [("code", "code", "{}"), ("page", "page", "{}"), ("bytes", "bytes", "{}"),
               ("requests", "rounds", "{}"), ("instructions/request", "instructions", "{:,.0f}"),
               ("static instructions/request", "ceiling_instructions", "{:,.0f}"),
               ("static/page", "ratio", "{:.2f}")]
    title = ("Instructions a request costs in the server process (callgrind, user space, keep-alive, "
             "one connection) against the same bytes from memory")
    return {"rows": rows, "table": table(title, columns, rows)}


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(ROUNDS), default="full")
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=args.scale, baseline=args.baseline)["table"])
