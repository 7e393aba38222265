"""Fixtures for the web UI: an app on the demo box, accounts with known PINs, a signed-in client."""

import re

import pytest
from argon2 import PasswordHasher

from webui import create_app
from webui.users import Users

PIN = "482913"


@pytest.fixture
def app(box):
    return create_app(box=box, test_config={"TESTING": True})


@pytest.fixture
def pin():
    return PIN


@pytest.fixture
def state(app):
    return app.extensions["hembas"]


def quick_users(box):
    """The box's accounts, with PINs hashed by argon2 at minimal cost to keep the tests quick.

    argon2 reads the cost from each hash, so the app checks them with the real code.
    """
    return Users(box.data_dir, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def make_account(box):
    """An enrolled staff account (PIN :data:`PIN`) for the plan's staff member *staff_id*."""
    users = quick_users(box)

    def make(staff_id):
        user, code = users.add(name=box.plan().staff[staff_id].name, role="staff", staff_id=staff_id)
        return users.enroll(code, PIN)
    return make


@pytest.fixture
def accounts(box):
    """A coordinator (s1), two carers (s2, s3) and a technician, all with PIN :data:`PIN`."""
    users = quick_users(box)
    made = {}
    for key, name, role, staff_id in (("coordinator", "Amira Hassan", "coordinator", "s1"),
                                      ("staff", "Johanna Öhman", "staff", "s2"),
                                      ("other", "Lina Kärrman", "staff", "s3"),
                                      ("technician", "Teo Tekniker", "technician", "")):
        user, code = users.add(name=name, role=role, staff_id=staff_id)
        made[key] = users.enroll(code, PIN)
    return made


def csrf_of(response):
    """The CSRF token in a page's first form."""
    match = re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "page has no form with a CSRF token"
    return match.group(1)


class Browser:
    """Flask's test client plus the sign-in and form steps every test repeats."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, user, pin=PIN, **kwargs):
        page = self.client.get("/logga-in")
        return self.client.post("/logga-in", data={"csrf": csrf_of(page), "user": user["id"], "pin": pin}, **kwargs)

    def post_form(self, url, data, *, page=None, **kwargs):
        """POST *data* to *url* with the CSRF token from *page* (default: GET *url*)."""
        token = csrf_of(self.client.get(page or url))
        return self.client.post(url, data={"csrf": token, **data}, **kwargs)

    def csrf(self, url):
        """The CSRF token of the form on *url*."""
        return csrf_of(self.client.get(url))

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)


@pytest.fixture
def make_browser():
    return lambda app: Browser(app.test_client())


@pytest.fixture
def web(app):
    return Browser(app.test_client())


@pytest.fixture
def as_staff(web, accounts):
    web.sign_in(accounts["staff"])
    return web


@pytest.fixture
def as_coordinator(web, accounts):
    web.sign_in(accounts["coordinator"])
    return web


@pytest.fixture
def as_technician(web, accounts):
    web.sign_in(accounts["technician"])
    return web


# -- real headless Chromium at a phone's size (see /work/shared/README.md) -----------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 360, "height": 740},
            "device_scale_factor": 2, "is_mobile": True, "has_touch": True, "locale": "sv-SE"}


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's fallback fixture, which pytest 9 flags as deprecated (warnings are errors)."""
    return None


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1 at a free port, served from a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
