"""What the web fuzzer sends: the site's forms and links as crawled, and the hostile variants of each.

:func:`crawl` walks every page each role can reach (links and forms as the
HTML has them); :func:`body_cases` turns one form into hostile bodies and
:func:`path_cases` one URL into hostile paths and queries.
"""

import http.client
import html.parser
from contextlib import closing
from urllib.parse import quote, urlencode, urlsplit

MARKER = "<script>alert('hembas-fuzz')</script>"
HOSTILE = [MARKER, "\"><img src=x onerror=alert(1)>", "\x00", "\u202egnissaP", "\ud800", "Å" * 3000,
           "x" * 70_000, "../../etc/passwd", "{{7*7}}", "%s%n", "-1", "1e999", "2026-02-30", "99:99", "NaN", "",
           " ", "19121212-1212", "🦆" * 100, "\r\nSet-Cookie: x=1"]
MAX_PAGES = 80


class PageParser(html.parser.HTMLParser):
    """Links and forms of one page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = set(), [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.add(attrs["href"].split("#")[0])
        elif tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").upper(),
                          "enctype": attrs.get("enctype", ""), "fields": []}
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None and attrs.get("name"):
            self._form["fields"].append((attrs["name"], attrs.get("type", tag), attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def shape(url):
    """*url* with id-like segments (any with a digit) as "{id}" and no query: one per kind of page."""
    path = urlsplit(url).path
    return "/".join("{id}" if any(c.isdigit() for c in part) else part for part in path.split("/"))


def crawl(port, sessions):
    """One of each form ({(action, method): fields}) and each kind of link reachable by any role."""
    forms, urls, shapes = {}, set(), set()
    for cookie, _ in sessions.values():
        queue, seen = ["/", "/logga-in", "/aktivera"], set()
        with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) as conn:
            while queue and len(seen) < MAX_PAGES:
                path = queue.pop(0)
                if path in seen or path.startswith("/static/") or path.endswith(".pdf"):
                    continue
                seen.add(path)
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                body = response.read()
                if "html" not in response.getheader("Content-Type", ""):
                    continue
                page = PageParser()
                page.feed(body.decode("utf-8", "replace"))
                queue += sorted(page.links - seen)
                for form in page.forms:
                    action = form["action"] or path
                    if (shape(action), form["method"]) not in shapes:
                        shapes.add((shape(action), form["method"]))
                        forms[action, form["method"]] = form["fields"]
        for url in sorted(seen):
            if shape(url) not in shapes:
                shapes.add(shape(url))
                urls.add(url)
    return forms, urls


def multipart(fields, boundary="hembasfuzz"):
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="plan.bundle"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n".encode() + value
             if kind == "file" else
             f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value
             for name, kind, value in fields]
    return b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def body_cases(fields, token, rng):
    """(name, body, content type) for one form; *token* is the session's CSRF token ("" to leave it out)."""
    def with_token(values):
        return [("csrf", token)] + [(n, v) for n, v in values if n != "csrf"] if token else values

    def encoded(values, encoding="utf-8"):
        return urlencode(with_token(values), encoding=encoding, errors="surrogatepass").encode("ascii")

    names = [name for name, _, _ in fields if name != "csrf"] or ["x"]
    has_file = any(kind == "file" for _, kind, _ in fields)
    cases = [(f"field {i} = {value[:12]!r}", encoded([(n, value) for n in names]), "application/x-www-form-urlencoded")
             for i, value in enumerate(HOSTILE)]
    rng.shuffle(cases)
    form = "application/x-www-form-urlencoded"
    cases[:0] = [
        ("no CSRF token", urlencode([(n, MARKER) for n in names]).encode(), form),
        ("wrong CSRF token", urlencode([("csrf", "x" * 32)] + [(n, "1") for n in names]).encode(), form),
        ("invalid UTF-8", b"&".join(f"{n}=".encode() + b"%ff%fe%c0%af%00" for n in names)
         + (f"&csrf={token}".encode() if token else b""), form),
        ("Latin-1 body", encoded([(n, "Åsa Öberg") for n in names], "latin-1"), form + "; charset=latin-1"),
        ("9 MB field", encoded([(names[0], "x" * 9 * 1024 * 1024)]), form),
        ("20,000 fields", encoded([(f"f{i}", "1") for i in range(20_000)]), form),
        ("nested names", encoded([("a" + "[b]" * 5000, "1"), (names[0] + "[0][x]", "1")]), form),
        ("repeated fields", encoded([(n, str(i)) for i in range(50) for n in names]), form),
        ("broken multipart", b"--nope\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n" + b"y" * 500, 
         "multipart/form-data; boundary=hembasfuzz"),
        ("JSON body", b'{"csrf": "' + token.encode() + b'", "x": [[[[[]]]]]}', "application/json"),
        ("no content type", encoded([(n, "1") for n in names]), ""),
    ]
    if has_file:
        garbage = [b"", b"\x00" * 1000, b"{" * 100_000, MARKER.encode(), b'{"v":1,"kind":"plan"}\n' + b"x" * 5000]
        cases[:0] = [(f"file {i}", *multipart([("csrf", "", token.encode())] +
                                             [(n, k, g if k == "file" else b"1") for n, k, _ in fields if n != "csrf"]))
                     for i, g in enumerate(garbage)]
    return cases


def path_cases(url):
    """(name, target) hostile variants of one URL: its last segment and its query."""
    parts = urlsplit(url)
    head, _, last = parts.path.rpartition("/")
    segments = ["%ff%fe", "%00", quote(MARKER), "..%2f..%2fetc%2fpasswd", "x" * 5000, "%c0%af", quote("😀"), "%"]
    queries = ["datum=%ff", "datum=2026-13-45", "personal=" + quote(MARKER), "besok=" + "x" * 20_000,
               "a[b][c]=1", "&".join(f"p{i}=1" for i in range(5000)), "datum=0001-01-01&personal=s1", "%zz=%"]
    cases = [(f"{url} last segment {s[:10]!r}", f"{head}/{s}" if last else f"/{s}") for s in segments]
    cases += [(f"{url} query {q[:16]!r}", f"{parts.path}?{q}") for q in queries]
    return cases
