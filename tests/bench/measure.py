"""Small helpers every benchmark and fault scenario shares.

Figures are taken in fresh subprocesses wherever memory matters, so one
benchmark's leftovers never inflate another's peak RSS.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = TESTS_DIR.parent


def child_env(**extra):
    """Environment for a child process: our modules importable, no stray settings, mock pins."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEMBAS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH", "")]))
    env.setdefault("GPIOZERO_PIN_FACTORY", "mock")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_child(module, *args, timeout=600, **env):
    """Run ``python -m module args`` and return the JSON object on its last stdout line."""
    proc = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True,
                          env=child_env(**env), timeout=timeout, cwd=REPO_DIR)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def rss_kb(pid="self"):
    """Resident set size of *pid* in KiB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_rss_kb(pid="self"):
    """Peak resident set size (high-water mark) of *pid* in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# A fresh parent that runs a command and reports its peak RSS (KiB) last on stderr: only that command counts.
_PEAK_RSS_OF = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True); "
                "sys.stdout.buffer.write(done.stdout); sys.stderr.buffer.write(done.stderr); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                "sys.exit(done.returncode)")


def run_measuring_rss(cmd, *, env, timeout=300):
    """Run *cmd*; returns (CompletedProcess with text output, its peak RSS in MB)."""
    done = subprocess.run([sys.executable, "-c", _PEAK_RSS_OF, *map(str, cmd)], env=env, cwd=REPO_DIR,
                          capture_output=True, text=True, timeout=timeout)
    lines = done.stderr.rstrip().splitlines()
    peak_mb = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
    done.stderr = "\n".join(lines[:-1])
    return done, peak_mb


def percentile(values, pct):
    """The *pct* percentile of *values* (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values):
    return statistics.median(values) if values else 0.0


class Stopwatch:
    """``with Stopwatch() as sw: ...; sw.seconds``"""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start


def table(title, columns, rows):
    """A plain-text table: *columns* are (header, key, format) triples."""
    cells = [[fmt.format(row[key]) if row.get(key) is not None else "–" for _, key, fmt in columns]
             for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, (h, _, _) in enumerate(columns)]
    lines = [title, "  ".join(h.ljust(w) for (h, _, _), w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)
