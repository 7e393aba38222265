"""The security review's attacks against a running box: each must fail, and the box must say so in its log.

``hembas serve`` (the real app and server) runs in a subprocess with the
demo plan, a carer and a coordinator enrolled through ``/aktivera`` on their
own phones.  Phones and the attacker's laptop connect from their own source
addresses on 127.0.0.0/8 (Linux routes all of it to loopback), so "another
address" is real to the server.  The attacks:

* **flood**: wrong PINs for every name from many addresses, in parallel;
  then the known phones sign in with the right PIN (must work) and a phone
  the account never used tries (stays locked: that is the design); the
  audit entries the flood wrote are counted.
* **parallel guesses**: 40 wrong PINs for one account sent at once; at most
  the free attempts may reach the PIN check (401), the rest must wait (429).
* **idle connections**: hundreds of idle sockets from many addresses, and
  many from one; a phone must still get the sign-in page.
* **crafted bundle**: the 4 KB nested-header bundle uploaded on the plan
  page (must be a Swedish refusal with an audit entry, never a 5xx), and a
  stick holding it, a 300 MB file claiming to be the newest plan and a good
  bundle: ``hembas usb import`` must import the good one without reading
  the big one.
* **audit coverage**: every page the carer and the coordinator can reach,
  crawled; each client name or address on a page must be named by an audit
  entry that request wrote.

Run alone: ``PYTHONPATH=tests python -m faults --only attacks --scale smoke``
"""

import base64
import datetime as dt
import http.client
import html as html_lib
import json
import math
import re
import select
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.http_load import FORM, csrf_token, hembas, stop
from bench.measure import run_measuring_rss, table
from bench.web import CODE, PIN
from hembas_testing import idle_sockets

from .phones import COORDINATOR, TARGET, Phone, enrolled_phone, setup
from .web_cases import PageParser

SCALE = {
    "full": {"addresses": 20, "tries": 40, "threads": 8, "settle": True, "idle": (40, 10), "one_address": 100,
             "huge_mb": 300, "pages": 150},
    "smoke": {"addresses": 4, "tries": 6, "threads": 4, "settle": False, "idle": (12, 10), "one_address": 30,
              "huge_mb": 20, "pages": 30},
}
FREE_ATTEMPTS = 3  # [web] lockout_free_attempts, the embedded default


def flood(box, knowns, names, settings):
    """Wrong PINs for every name from many addresses at once; right after, the known phones sign in."""
    addresses = [f"127.0.1.{i}" for i in range(1, settings["addresses"] + 1)]
    jobs = [(a, n) for a in addresses for _ in range(settings["tries"]) for n in names]
    statuses, lock, mark, started = {}, threading.Lock(), box.audit_mark(), time.monotonic()

    def worker(share):
        for address, name in share:
            status = Phone(box.port, address).sign_in("999999", name=name)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(jobs[i::settings["threads"]],)) for i in range(settings["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    # Right after the flood, while the untrusted way into the accounts is locked:
    known_ok = {label: phone.sign_in(pin, user_id=phone.known_accounts()[0]) == 302
                for label, (phone, pin) in knowns.items()}
    stranger = Phone(box.port, "127.0.2.1").sign_in(knowns["carer"][1], name=names[0])
    if settings["settle"]:  # let every minute end, so the counts of what was not written line by line arrive
        time.sleep(61)
        Phone(box.port, "127.0.2.9").request("GET", "/logga-in")
    entries = [e for e in box.audit_since(mark) if e["action"] in ("signin.failed", "signin.locked")
               and e["detail"].get("address") in addresses]
    counted = sum(e["detail"].get("repeated", 1) for e in entries)
    bound = len(addresses) * 2 * 2 * (math.ceil(seconds / 60) + 1)  # first + count, failed + locked, per minute
    problems = [f"flood: the known {label} phone was locked out" for label, ok in known_ok.items() if not ok]
    if len(entries) > bound:
        problems.append(f"flood: {len(entries)} audit entries for {len(jobs)} refusals (bound {bound})")
    if settings["settle"] and counted != len(jobs):
        problems.append(f"flood: the audit log counts {counted} refusals of {len(jobs)}")
    if any(status >= 500 for status in statuses):
        problems.append(f"flood: server errors {statuses}")
    waiting = "" if settings["settle"] else " so far (the rest when the minute ends)"
    stranger_said = "locked (429)" if stranger == 429 else stranger
    return _row("flood", f"{len(jobs)} wrong PINs, {len(addresses)} addresses, {settings['threads']} at once, "
                         f"{seconds:.1f} s",
                f"answers {_statuses(statuses)}; {len(entries)} audit entries counting {counted} refusals{waiting}; "
                f"known phones signed in: {', '.join(k for k, ok in known_ok.items() if ok) or 'none'}; "
                f"a phone new to the account, right after: {stranger_said}", problems)


def parallel_guesses(box, target_name, attempts=40, addresses=4):
    """*attempts* wrong PINs for one account, released at the same instant from a laptop with a few addresses."""
    start, statuses, lock = threading.Barrier(attempts, timeout=60), [], threading.Lock()

    def guess(address):
        laptop = Phone(box.port, address)
        try:
            _, page = laptop.request("GET", "/logga-in")
            body = urlencode({"csrf": csrf_token(page.decode()), "namn": target_name, "pin": "999999"})
            start.wait()
            status, _ = laptop.request("POST", "/logga-in", body, FORM)
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as exc:
            status = type(exc).__name__
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(f"127.0.3.{1 + i % addresses}",)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = statuses.count(401)
    problems = [f"parallel guesses: {checked} of {attempts} reached the PIN check (at most {FREE_ATTEMPTS})"] \
        if checked > FREE_ATTEMPTS else []
    if statuses.count(429) + checked != attempts:
        problems.append(f"parallel guesses: unexpected answers {sorted(map(str, statuses))}")
    return _row("parallel guesses", f"{attempts} wrong PINs for one account at once from {addresses} addresses",
                f"{checked} PIN checks (401), {statuses.count(429)} told to wait (429)", problems)


def idle_connections(box, settings):
    """Idle sockets from many addresses and from one; then a phone asks for a page."""
    count, per = settings["idle"]
    sockets, closed_early = [], 0
    try:
        sockets += idle_sockets(box.port, [f"127.0.4.{i + 1}" for i in range(count)], per, timeout=5)
        one = idle_sockets(box.port, ["127.0.5.1"], settings["one_address"], timeout=5)
        sockets += one
        time.sleep(0.5)
        started = time.monotonic()
        status, _ = Phone(box.port, "127.0.6.1").request("GET", "/logga-in")
        took = time.monotonic() - started
        closed_early = _closed(one)
    except OSError as exc:
        status, took = type(exc).__name__, float("nan")
    finally:
        for conn in sockets:
            conn.close()
    problems = [] if status == 200 else [f"idle connections: the phone got {status} instead of the page"]
    return _row("idle connections", f"{count * per} idle sockets from {count} addresses + "
                                    f"{settings['one_address']} from one",
                f"the next phone got {status} in {took:.2f} s; the server closed {closed_early} of the "
                f"{settings['one_address']} from one address", problems)


def _closed(sockets, wait=2):
    """How many of *sockets* the server has closed (they read as end of file)."""
    readable, _, _ = select.select(sockets, [], [], wait)
    closed = 0
    for conn in readable:
        try:
            closed += conn.recv(1) == b""
        except OSError:
            closed += 1
    return closed


def crafted_bundle(box, coordinator, key, env, workdir, settings):
    """The nested-header bundle on the plan page, and a stick with it, a huge file and a good bundle."""
    from sync.network.bundle import make_bundle
    from sync.plan.demo import demo_plan

    problems = []
    crafted = (b'{"format":"hembas.envelope/1","kind":"plan","x":' + b"[" * 4000 + b"\n"
               + base64.b64encode(b"\0" * 64) + b"\n{}")
    coordinator.sign_in(COORDINATOR["pin"], user_id=coordinator.known_accounts()[0])
    _, page = coordinator.request("GET", "/plan")
    boundary = "hembasattack"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf_token(page.decode())}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="bundle"; filename="plan.bundle"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + crafted + f"\r\n--{boundary}--\r\n".encode()
    mark = box.audit_mark()
    status, answer = coordinator.request("POST", "/plan", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    audited = [e for e in box.audit_since(mark) if e["action"] == "plan.upload" and e["detail"].get("refused")]
    refused_in_swedish = "Planen lästes inte in" in html_lib.unescape(answer.decode("utf-8", "replace"))
    if status >= 500 or not refused_in_swedish or not audited:
        problems.append(f"crafted bundle upload: {status}, Swedish refusal {refused_in_swedish}, audited {bool(audited)}")

    stick = workdir / "stick"
    stick.mkdir()
    today = dt.date.today()
    good = demo_plan(today)
    good["generated_at"] = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    (stick / "a-crafted.bundle").write_bytes(crafted)
    with open(stick / "b-huge.bundle", "wb") as f:
        header = {"format": "hembas.envelope/1", "kind": "plan", "team": good["team"]["id"],
                  "created_at": "2099-01-01T00:00:00+00:00", "key_id": "0" * 16}
        f.write(json.dumps(header).encode() + b"\n" + base64.b64encode(b"\0" * 64) + b"\n")
        f.truncate(settings["huge_mb"] * 1024 * 1024)  # sparse
    (stick / "c-good.bundle").write_bytes(make_bundle(good, key))
    done, peak_mb = run_measuring_rss(hembas(box.data_dir, "usb", "import", stick), env=env)
    if done.returncode != 0 or "inläst från stickan" not in done.stdout:
        problems.append(f"usb import with a crafted and a huge file: exit {done.returncode}: {done.stderr[-300:]}")
    if not peak_mb < 150:
        problems.append(f"usb import peaked at {peak_mb:.0f} MB with a {settings['huge_mb']} MB file on the stick")
    return _row("crafted bundle", f"4 KB nested header uploaded; stick with it, a {settings['huge_mb']} MB file "
                                  "and a good bundle",
                f"upload answered {status}{' with a Swedish refusal' if refused_in_swedish else ''}, "
                f"{len(audited)} audit entry; usb import exit {done.returncode}, peak {peak_mb:.0f} MB", problems)


def audit_coverage(box, phones, settings):
    """Crawl every page each signed-in phone reaches; each client shown must be named in that request's audit."""
    from sync.box import open_box
    from sync.config import load_config

    plan = open_box(load_config(box.data_dir, environ={})).plan()
    marks = {}
    for client in plan.clients.values():
        for mark in (client.name, client.address):
            marks.setdefault(mark, set()).add(client.id)
    pages, gaps, with_clients = 0, [], set()
    for label, (phone, pin) in phones.items():
        phone.sign_in(pin, user_id=phone.known_accounts()[0])
        queue, seen = ["/"], set()
        while queue and len(seen) < settings["pages"]:
            path = queue.pop(0)
            if path in seen or path.startswith(("/static/", "/logga-ut")):
                continue
            seen.add(path)
            before = box.audit_mark()
            status, body = phone.request("GET", path)
            named = {c for e in box.audit_since(before)
                     for c in e["detail"].get("clients", []) + e["detail"].get("listed", [])}
            pages += 1
            text = html_lib.unescape(body.decode("utf-8", "replace"))
            shown = [ids for mark, ids in marks.items() if mark in text] if status == 200 else []
            if shown:
                with_clients.add(re.sub(r"/[a-z]?\d[\w-]*", "/{id}", path.split("?")[0]))
            missing = [sorted(ids) for ids in shown if not ids & named]
            if missing:
                gaps.append(f"audit coverage: {label} GET {path} shows {missing[:3]} without an audit entry")
            parser = PageParser()
            parser.feed(body.decode("utf-8", "replace"))
            queue += sorted(parser.links - seen)
    return _row("audit coverage", f"{pages} page views crawled as {', '.join(phones)}",
                f"{len(with_clients)} kinds of page showed client data; {len(gaps)} without an audit entry", gaps[:10])


def _row(attack, tried, measured, problems):
    """A row of the scenario's table, and its problems."""
    return {"attack": attack, "tried": tried, "measured": measured, "survived": "yes" if not problems else "NO"}, \
        problems


def _statuses(statuses):
    return ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items()))


def run(workdir, *, scale="full", rng=None):
    workdir = Path(workdir)
    settings = SCALE[scale]
    box, server, key, env = setup(workdir)
    rows, problems = [], []
    try:
        carer = enrolled_phone(box, "127.0.1.1", CODE, PIN)  # at an address the flood uses too
        coordinator = enrolled_phone(box, "127.0.0.20", COORDINATOR["code"], COORDINATOR["pin"])
        enrolled_phone(box, "127.0.0.21", TARGET["code"], TARGET["pin"])
        knowns = {"carer": (carer, PIN), "coordinator": (coordinator, COORDINATOR["pin"])}
        names = ["Bänk Testsson", COORDINATOR["name"], "Ingen Alls"]
        for attack in (lambda: flood(box, knowns, names, settings),
                       lambda: parallel_guesses(box, TARGET["name"]),
                       lambda: idle_connections(box, settings),
                       lambda: crafted_bundle(box, coordinator, key, env, workdir, settings),
                       lambda: audit_coverage(box, knowns, settings)):
            row, found = attack()
            rows.append(row)
            problems += found
        log = (workdir / "serve.log").read_text(errors="replace")
        problems += [f"server log: {line[:150]}" for line in log.splitlines() if line.startswith("Traceback")][:5]
    finally:
        stop(server)
    columns = [("attack", "attack", "{}"), ("tried", "tried", "{}"), ("measured", "measured", "{}"),
               ("survived", "survived", "{}")]
    return {"tried": f"{len(rows)} attacks (flood, parallel guesses, idle connections, crafted bundle, audit coverage)",
            "rows": rows, "problems": problems,
            "table": table("The security review's attacks (hembas serve on 127.0.0.1)", columns, rows)}
