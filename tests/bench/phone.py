"""The phone on the road, measured in real Chromium at 360×740 against ``hembas serve`` on 127.0.0.1.

    make phone                                   # figures, and Lighthouse v11 on Idag
    PYTHONPATH=tests python -m bench.phone --no-lighthouse

``hembas serve`` runs under faketime at 07:30 of a working day of the demo
plan (the day shift, the busiest of the demo), signed in as the carer with
the most visits in it.  Measured: the bytes the service worker keeps of
that shift (read back from the phone's Cache Storage), first load and
repeat load of Idag (the median of five; time to the load event and bytes over the wire, from
the browser's Navigation and Resource Timing), Idag reloaded offline from
the saved copy, and the time from "back on wifi" (the server answers and
the phone is online again) to "outbox empty" for one note written offline.
Lighthouse v11 (the last with a PWA category) scores Idag signed in:
installable, accessibility and best practices must reach 0.95.

Then the same walk over HTTPS, as a phone meets the box: ``[tls]`` on, a
real nginx with the box's generated configuration (its per-phone limits
included) and a certificate from a test CA for ``hembas.bench``, which
Chromium resolves to 127.0.0.1 and trusts by the certificate's key
(``--host-resolver-rules``, ``--ignore-certificate-errors-spki-list``), as
a work phone trusts the municipality's CA through its MDM profile.

Not part of ``make test``: it needs npx to fetch Lighthouse and takes about a minute.
"""

import argparse
import base64
import datetime as dt
import glob
import hashlib
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from hembas_testing import sign_in

from .http_load import free_port, hembas, start_server, stop
from .https import NAME as TLS_NAME, install_certificate, start_nginx, tls_env
from .measure import REPO_DIR, child_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
LIGHTHOUSE = "lighthouse@11"
GOALS = {"installable": 1.0, "accessibility": 0.95, "best-practices": 0.95}
NAME = "Bänk Testsson"
REPEATS = 5  # repeat loads, their median time (the machine is shared)


def prepare(data_dir, day):
    """The demo plan of *day* and an enrolled account for the day shift's busiest carer; returns (name, PIN, visits)."""
    from sync.box import open_box
    from sync.config import load_config
    from sync.plan.demo import demo_plan
    from webui.users import Users

    box = open_box(load_config(data_dir, environ={}))
    box.mirror.import_document(demo_plan(day), source="bench", today=day)
    team = box.day(day)
    staff_id = max(team.staff_ids(shift="dag"), key=lambda s: len(team.route(s, shift="dag")))
    pin = "".join(secrets.choice("0123456789") for _ in range(6))
    users = Users(data_dir)
    user, code = users.add(name=NAME, role="staff", staff_id=staff_id)
    users.enroll(code, pin)
    return user["name"], pin, len(team.route(staff_id, shift="dag"))


def timing(page):
    """Time to the load event and bytes over the wire of the page just loaded, from the browser's timings."""
    return page.evaluate("""() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByType("resource");
      return {load_ms: nav.loadEventEnd - nav.startTime, from_worker: nav.workerStart > 0,
              wire_bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0)};
    }""")


def saved_bytes(page):
    """Entries and bytes of the service worker's saved day, read from Cache Storage on the phone."""
    return page.evaluate("""async () => {
      const cache = await caches.open("hembas-dag");
      let bytes = 0, pages = 0;
      for (const request of await cache.keys()) {
        bytes += (await (await cache.match(request)).arrayBuffer()).byteLength;
        pages += new URL(request.url).pathname.startsWith("/static/") ? 0 : 1;
      }
      return {entries: (await cache.keys()).length, pages: pages, bytes: bytes};
    }""")


def spki_hash(cert_pem):
    """The base64 SHA-256 of a certificate's public key, as --ignore-certificate-errors-spki-list takes it."""
    def openssl(*args, data):
        return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True, timeout=30).stdout
    public = openssl("x509", "-pubkey", "-noout", data=cert_pem)
    der = openssl("pkey", "-pubin", "-outform", "der", data=public)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def in_the_browser(base, name, pin, restart, *, extra_args=()):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        phone = dict(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True,
                     locale="sv-SE")
        signing_in = browser.new_context(**phone)
        page = signing_in.new_page()
        sign_in(page, base, name, pin)
        page.wait_for_url(base + "/")
        cookies = signing_in.cookies()
        signing_in.close()
        context = browser.new_context(**phone, bypass_csp=True)  # empty cache: a cold first load; CSP off for waits
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(base + "/idag")
        first = timing(page)
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.locator(".saved-day").wait_for()
        saved = saved_bytes(page)
        repeats = []
        for _ in range(REPEATS):
            page.reload()
            page.wait_for_load_state("load")
            repeats.append(timing(page))
        repeat = {**repeats[-1], "load_ms": statistics.median(r["load_ms"] for r in repeats)}
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
        restart("stop")
        context.set_offline(True)
        page.reload()
        page.wait_for_load_state("load")
        offline = timing(page)
        page.locator("ol.list a.big").first.click()
        page.get_by_label("Anteckning eller avvikelse").fill("Mätning: skrivet utan nät.")
        page.get_by_role("button", name="Spara anteckning").click()
        page.get_by_text("1 väntar på att skickas").wait_for()
        restart("start")
        back = time.monotonic()
        context.set_offline(False)
        page.wait_for_function("!document.querySelector('.flash.waiting')", timeout=60000)
        outbox_s = time.monotonic() - back
        browser.close()
    return {"first": first, "repeat": repeat, "offline": offline, "saved": saved, "outbox_empty_s": outbox_s,
            "cookie": cookie}


def lighthouse(url, cookie, workdir):
    """Lighthouse v11 on *url* with the session cookie; returns the category scores (or why not)."""
    headers = Path(workdir) / "headers.json"
    headers.write_text(json.dumps({"Cookie": cookie}))
    report = Path(workdir) / "lighthouse.json"
    cmd = ["npx", "-y", LIGHTHOUSE, url, "--output=json", f"--output-path={report}", "--form-factor=mobile",
           f"--extra-headers={headers}", "--quiet",
           "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)]
    done = subprocess.run(cmd, env={**child_env(), "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0 or not report.exists():
        return {"error": (done.stderr or done.stdout)[-600:]}
    data = json.loads(report.read_text())
    scores = {key: cat["score"] for key, cat in data["categories"].items()}
    audits = data["audits"]
    scores["installable"] = audits["installable-manifest"]["score"]
    scores["failed"] = sorted(key for key, audit in audits.items()
                              if audit.get("score") is not None and audit["score"] < 1
                              and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
                              and key not in ("largest-contentful-paint", "first-contentful-paint",
                                              "speed-index", "total-blocking-time", "interactive",
                                              "cumulative-layout-shift", "max-potential-fid"))
    return scores


def libfaketime():
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if not found:
        raise RuntimeError("libfaketime is missing: apt-get install faketime")
    return found[0]


def run(workdir, *, with_lighthouse=True, https=False):
    """The walk in Chromium, straight to ``hembas serve`` on 127.0.0.1, or (*https*) through nginx."""
    workdir = Path(workdir)
    tz = ZoneInfo("Europe/Stockholm")
    day = dt.datetime.now(tz).date() + dt.timedelta(days=1)  # ahead of the real clock: the box finds it plausible
    start = dt.datetime.combine(day, dt.time(7, 30), tz).astimezone(dt.timezone.utc)
    data_dir, port = workdir / "data", free_port()
    name, pin, visits = prepare(data_dir, day)
    cmd = hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", str(port))
    # libfaketime itself rather than the faketime command, which would run the server as its child
    # (a SIGTERM to faketime leaves the server running).
    began = time.monotonic()

    tls, nginx, extra_args = tls_env(0, 0) if https else {}, None, []

    def serve():
        """The server, its clock going on from where the last one was (a clock going back is not trusted)."""
        now = start + dt.timedelta(seconds=time.monotonic() - began)
        env = child_env(TZ="UTC", LD_PRELOAD=libfaketime(), FAKETIME=f"@{now:%Y-%m-%d %H:%M:%S}", **tls)
        return start_server(cmd, port, workdir / "serve.log", env=env)[0]

    server = {"proc": serve()}

    def restart(what):
        if what == "stop":
            stop(server["proc"])
        else:
            server["proc"] = serve()

    base = f"http://127.0.0.1:{port}"
    try:
        if https:
            store, _, cert = install_certificate(data_dir, workdir)
            nginx, https_port = start_nginx(workdir / "nginx", data_dir, store.path, port)
            base = f"https://{TLS_NAME}:{https_port}"
            extra_args = [f"--host-resolver-rules=MAP {TLS_NAME} 127.0.0.1",
                          f"--ignore-certificate-errors-spki-list={spki_hash(cert)}"]
        figures = in_the_browser(base, name, pin, restart, extra_args=extra_args)
        scores = lighthouse(base + "/idag", figures.pop("cookie"), workdir) if with_lighthouse else {}
    finally:
        if nginx:
            nginx.stop()
        stop(server["proc"])
    figures.update(visits=visits, lighthouse=scores, way="HTTPS via nginx" if https else "HTTP to 127.0.0.1")
    return figures


def report(f):
    lines = [f"{f['way']}: busiest carer of the demo's day shift: {f['visits']} visits",
             f"Saved on the phone: {f['saved']['pages']} pages + {f['saved']['entries'] - f['saved']['pages']} "
             f"static files, {f['saved']['bytes']} bytes ({f['saved']['bytes'] / 1024:.0f} KiB)"]
    for label, key in (("first load", "first"), ("repeat load", "repeat"), ("offline (saved copy)", "offline")):
        t = f[key]
        lines.append(f"Idag {label}: {t['load_ms']:.0f} ms to load, {t['wire_bytes']} bytes over the wire")
    lines.append(f"Back on wifi to outbox empty: {f['outbox_empty_s']:.2f} s")
    if f["lighthouse"]:
        lines.append("Lighthouse v11 on Idag: " + json.dumps(f["lighthouse"], ensure_ascii=False))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--output", type=Path, default=REPO_DIR / "bench" / "phone.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hembas-bench-phone-") as folder:
        figures = run(folder, with_lighthouse=not args.no_lighthouse)
    print(report(figures))
    with tempfile.TemporaryDirectory(prefix="hembas-bench-phone-https-") as folder:
        over_https = run(folder, with_lighthouse=False, https=True)
    print(report(over_https))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({**figures, "https": over_https}, indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    scores = figures["lighthouse"]
    missed = {k: scores.get(k) for k, goal in GOALS.items() if scores and (scores.get(k) or 0) < goal}
    if missed or "error" in scores:
        print(f"Lighthouse below the goals {GOALS}: {missed or scores['error']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
