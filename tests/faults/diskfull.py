"""A full disk while writing: the error must be reported and nothing earlier damaged.

A small tmpfs is mounted for the data folder (root only; anywhere else the
file-size limit ``RLIMIT_FSIZE`` plays the full disk at the OS edge).  With
the store already holding a plan, records and audit entries, a child process
fills the disk to leave 0 bytes up to a few hundred KiB free, then tries to
append records, write audit entries and import a newer plan.  Each write must
either succeed (and then be readable after a restart) or raise a
:class:`~sync.errors.HembasError`; everything stored before must survive; no
temporary file may be left behind; and once space is freed, writing works
again without a restart.

Run alone: ``PYTHONPATH=tests python -m faults.diskfull --scale smoke``
"""

import contextlib
import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import run_child, table

START = dt.date(2026, 11, 27)
LEVELS = {"full": [0, 100, 1024, 4096, 20_000, 100_000, 250_000, 450_000], "smoke": [0, 100_000]}
TMPFS_BYTES = 2 * 1024 * 1024


@contextlib.contextmanager
def small_disk(folder, *, mount=True):
    """Mount a tmpfs of TMPFS_BYTES at *folder*; yields False when that is not possible."""
    folder.mkdir(parents=True, exist_ok=True)
    if not mount or os.geteuid() != 0:
        yield False
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0700", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)


def populate(data_dir):
    """What the box held before the disk filled up."""
    from sync.box import open_box
    from sync.config import load_config
    from sync.plan.demo import demo_plan

    box = open_box(load_config(data_dir, environ={}))
    box.mirror.import_document(demo_plan(START), source="before", today=START)
    for n in range(20):
        box.records.append("note", author="s2", body={"text": f"före {n}"}, date=START)
        box.audit.record("client.open", actor="s2", target=f"c{n:02d}")


def snapshot(data_dir):
    """What a restarted box reads from *data_dir*."""
    from sync.store.audit import AuditLog
    from sync.store.mirror import PlanMirror
    from sync.store.records import Records

    current = PlanMirror(data_dir).current()
    return {"plan": current.version if current else None, "records": sorted(r["id"] for r in Records(data_dir).find()),
            "audit": sorted(e["id"] for e in AuditLog(data_dir).entries()),
            "temp_files": sorted(p.name for p in Path(data_dir).glob(".*hembas-tmp"))}


def fill(mount, free_bytes):
    """Write a filler file until only *free_bytes* are left on the file system at *mount*."""
    filler = mount / "filler"
    with open(filler, "wb") as f:
        chunk = b"\0" * 65536
        while True:
            st = os.statvfs(mount)
            room = st.f_bavail * st.f_frsize - free_bytes
            if room <= 0:
                break
            try:
                f.write(chunk[:min(len(chunk), room)])
                f.flush()
            except OSError:
                break
    return filler


def try_writes(data_dir, level, mode):
    """Child side: fill the disk (or lower the file-size limit), try each kind of write."""
    from sync.box import open_box
    from sync.config import load_config
    from sync.plan.demo import demo_plan
    from sync.errors import HembasError

    box = open_box(load_config(data_dir, environ={}))
    newer = demo_plan(START, seed=7)
    newer["generated_at"] = dt.datetime(2026, 11, 27, 6, tzinfo=dt.timezone.utc).isoformat()
    if mode == "tmpfs":
        filler = fill(data_dir.parent, level)
    else:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (level, resource.RLIM_INFINITY))
    writes = {"record": lambda: box.records.append("note", author="s2", body={"text": "under full disk"})["id"],
              "audit": lambda: box.audit.record("client.open", actor="s2", target="c01")["id"],
              "plan": lambda: box.mirror.import_document(newer, source="full", today=START).version}
    out = {"acked": {"record": [], "audit": [], "plan": []}, "refused": 0, "crashes": []}
    for round_ in range(20):  # audit lines are small: many of them, to cross a page boundary
        for kind, write in writes.items():
            if round_ >= 3 and kind != "audit":
                continue
            try:
                out["acked"][kind].append(write())
            except HembasError as exc:
                out["refused"] += 1
                out["message"] = str(exc)
            except Exception as exc:  # the finding
                out["crashes"].append(f"{kind}: {type(exc).__name__}: {exc}")
    if mode == "tmpfs":
        filler.unlink()
    else:
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    try:
        out["acked"]["record"].append(writes["record"]())
        out["acked"]["audit"].append(writes["audit"]())
        out["recovered"] = True
    except Exception as exc:
        out["recovered"], out["crashes"] = False, out["crashes"] + [f"after freeing space: {exc!r}"]
    return out


def check_level(workdir, level, mode):
    """Populate a fresh store, run the child at *level*, check; returns (row, problems)."""
    data_dir = workdir / "data"
    populate(data_dir)
    before = snapshot(data_dir)
    result = run_child("faults.diskfull", "--child", data_dir, level, mode)
    after = snapshot(data_dir)
    problems = [f"{level} bytes: {crash}" for crash in result["crashes"]]
    acked = result["acked"]
    for kind, key in (("record", "records"), ("audit", "audit")):
        missing = set(before[key]) - set(after[key])
        missing |= set(acked[kind]) - set(after[key])
        if missing:
            problems.append(f"{level} bytes: {len(missing)} acknowledged {kind} write(s) missing after restart")
    expected_plan = acked["plan"][-1] if acked["plan"] else before["plan"]
    if after["plan"] != expected_plan:
        problems.append(f"{level} bytes: plan {after['plan']} is current, expected {expected_plan}")
    if after["temp_files"]:
        problems.append(f"{level} bytes: temporary files left behind: {after['temp_files']}")
    if not result["recovered"]:
        problems.append(f"{level} bytes: writing did not work again after space was freed")
    row = {"free": level, "acked": sum(map(len, acked.values())) - 2, "refused": result["refused"],
           "crashes": len(result["crashes"]), "recovered": "yes" if result["recovered"] else "NO",
           "message": "…" + result.get("message", "")[-45:]}
    return row, problems


def run(workdir, *, scale="full", rng=None, mount=True):
    rows, problems = [], []
    for level in LEVELS[scale]:
        folder = Path(workdir) / f"disk-{level}"
        with small_disk(folder / "mnt", mount=mount) as mounted:
            mode = "tmpfs" if mounted else "rlimit"
            row, found = check_level(folder / "mnt", level, mode)
            rows.append({**row, "mode": mode})
            problems += found
    columns = [("mode", "mode", "{}"), ("free bytes / limit", "free", "{}"), ("writes acked", "acked", "{}"),
               ("refused", "refused", "{}"), ("crashes", "crashes", "{}"), ("works after", "recovered", "{}"),
               ("error shown", "message", "{}")]
    return {"tried": f"26 writes each at {len(rows)} levels of free space", "rows": rows, "problems": problems,
            "table": table("Disk full while writing (records, audit log, plan import)", columns, rows)}


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("DATA_DIR", "LEVEL", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--scale", choices=sorted(LEVELS), default="full")
    parser.add_argument("--rlimit", action="store_true", help="use RLIMIT_FSIZE even where tmpfs works")
    args = parser.parse_args(argv)
    if args.child:
        data_dir, level, mode = Path(args.child[0]), int(args.child[1]), args.child[2]
        print(json.dumps(try_writes(data_dir, level, mode)))
        return 0
    with tempfile.TemporaryDirectory(prefix="hembas-diskfull-") as workdir:
        outcome = run(Path(workdir), scale=args.scale, mount=not args.rlimit)
    print(outcome["table"])
    for problem in outcome["problems"]:
        print("  PROBLEM:", problem)
    return 1 if outcome["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
