"""Hostile input to every form and URL of the web UI: a clear error page, never a 500.

``hembas serve`` (waitress, the real app) runs in a subprocess with the demo
plan and three accounts enrolled through ``/aktivera``: staff, coordinator
and technician.  The harness crawls every page each role can reach,
collects every form, and sends each form and URL, signed in as each role and
not signed in: malformed and missing fields, a missing or wrong CSRF token,
huge values and bodies, thousands of fields, deeply nested names, wrongly
encoded bytes, script-carrying text, broken multipart and hostile path and
query segments.  Findings: any 5xx other than 503 (the box's "no plan / clock
not confirmed" page), a traceback in the server log, the injected script
coming back unescaped, and any change to ``plan.json``.

Run alone: ``PYTHONPATH=tests python -m faults --only fuzz_web --scale smoke``
"""

import http.client
import random
from contextlib import closing
from pathlib import Path

from bench.http_load import free_port, hembas, sign_in, start_server, stop
from bench.measure import table
from bench.web import busiest_route, prepare

from .web_cases import MARKER, body_cases, crawl, path_cases

PINS = {"staff": "482915", "coordinator": "739164", "technician": "615283"}
CODES = {"coordinator": "FUZZC234", "technician": "FUZZT234"}  # letters and digits 2-9 only
CASES = {"full": None, "smoke": 4}  # body cases per form (None: all)
ROLES = {"full": ("anonymous", "staff", "coordinator", "technician"), "smoke": ("anonymous", "staff")}


def accounts(data_dir, port):
    """Cookie and CSRF token per role, "anonymous" with neither."""
    import subprocess

    from bench.measure import REPO_DIR, child_env
    from bench.web import CODE

    for role, code in CODES.items():
        subprocess.run(hembas(data_dir, "user", "add", "--name", f"Fuzz {role}", "--role", role,
                              "--enrollment-code", code), env=child_env(), cwd=REPO_DIR, check=True, capture_output=True)
    sessions = {"anonymous": ("", "")}
    for role, code in (("staff", CODE), *CODES.items()):
        sessions[role] = sign_in(port, code, PINS[role])
    return sessions


class Prober:
    """Sends requests and files what comes back."""

    def __init__(self, port, log_path):
        self.port, self.log_path = port, log_path
        self.sent, self.by_status, self.findings = 0, {}, {}

    def send(self, method, target, *, cookie="", body=b"", headers=None, label=""):
        headers = dict(headers or {})
        if cookie:
            headers["Cookie"] = cookie
        try:
            with closing(http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)) as conn:
                conn.putrequest(method, target, skip_accept_encoding=True)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    conn.putheader(key, value)
                conn.endheaders(body)
                response = conn.getresponse()
                text = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._find(f"{label}: no readable answer ({type(exc).__name__})", method, target)
            return None
        self.sent += 1
        self.by_status[response.status] = self.by_status.get(response.status, 0) + 1
        if response.status >= 500 and response.status != 503:
            self._find(f"{label}: answered {response.status}", method, target)
        if MARKER.encode() in text:
            self._find(f"{label}: the injected script came back unescaped", method, target)
        return response.status

    def _find(self, what, method, target):
        self.findings.setdefault(what, f"{method} {target[:100]}")

    def tracebacks(self):
        log = Path(self.log_path).read_text(errors="replace")
        return [line for line in log.splitlines() if line.startswith(("Traceback", "ERROR"))]


def fuzz(prober, sessions, forms, urls, rng, per_form):
    """Every body case against every form, every path case against every URL, as every role."""
    for role, (cookie, token) in sessions.items():
        for (action, method), fields in sorted(forms.items()):
            destructive = any(word in action for word in ("logga-ut", "ta-bort"))
            cases = body_cases(fields, token if not destructive else "", rng)
            for name, body, content_type in cases[:per_form] if per_form else cases:
                prober.send(method, action, cookie=cookie, body=body, headers={"Content-Type": content_type},
                            label=f"{role} {name} to {action}")
        for url in sorted(urls):
            for name, target in path_cases(url):
                prober.send("GET", target, cookie=cookie, label=f"{role} {name}")
                if per_form and rng.random() < 0.7:
                    continue  # smoke: a sample of the URL cases


def run(workdir, *, scale="full", rng=None):
    rng = rng or random.Random()
    workdir = Path(workdir)
    data_dir, port = workdir / "data", free_port()
    prepare(data_dir)
    plan_before = (data_dir / "plan.json").read_bytes()
    server, _ = start_server(hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", str(port)),
                             port, workdir / "serve.log")
    try:
        sessions = {role: found for role, found in accounts(data_dir, port).items() if role in ROLES[scale]}
        forms, urls = crawl(port, sessions)
        urls |= {f"/klient/{busiest_route(data_dir)[1]}", "/idag?personal=s1&datum=2026-11-27", "/tva-veckor/s1.pdf"}
        prober = Prober(port, workdir / "serve.log")
        fuzz(prober, sessions, forms, urls, rng, CASES[scale])
        prober.send("GET", "/" + "x" * 70_000, label="anonymous 70 KB path")
        prober.send("GET", "/idag", headers={"X-Big": "y" * 300_000}, label="anonymous 300 KB header")
    finally:
        stop(server)
    problems = [f"{what} (e.g. {example})" for what, example in sorted(prober.findings.items())]
    problems += [f"server log: {line[:150]}" for line in sorted(set(prober.tracebacks()))[:10]]
    if (data_dir / "plan.json").read_bytes() != plan_before:
        problems.append("plan.json changed")
    row = {"roles": len(sessions), "forms": len(forms), "urls": len(urls), "requests": prober.sent,
           "statuses": ", ".join(f"{k}×{v}" for k, v in sorted(prober.by_status.items())),
           "findings": len(problems), "survived": "yes" if not problems else "NO"}
    columns = [("roles", "roles", "{}"), ("forms", "forms", "{}"), ("URLs", "urls", "{}"),
               ("requests", "requests", "{}"), ("answers", "statuses", "{}"), ("findings", "findings", "{}"),
               ("survived", "survived", "{}")]
    return {"tried": f"{prober.sent} hostile requests to {len(forms)} forms and {len(urls)} URLs", "rows": [row],
            "problems": problems, "forms": sorted(f"{m} {a}" for a, m in forms),
            "table": table("Hostile web requests (hembas serve, every role and not signed in)", columns, [row])}
