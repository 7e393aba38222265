"""Every page that shows a client writes an audit entry naming that client (review findings 5 and 6).

The walk takes every GET route of ``app.url_map`` (so a page added later is
walked too: a route with a part this test cannot fill fails until a sample
is added), plus the query variants that change what a page shows, as every
role and not signed in.  A page's body is searched for every client's name
and address (PDFs read with pdftotext); each one found must be named in the
``clients`` or ``listed`` of an audit entry written by that very request
(for a name two clients share, one of them).
"""

import datetime as dt
import html

import pytest
from hembas_testing import TODAY, pdftotext

from sync.day.changes import add_substitute, assign, audit_as

ROLES = ("anonymous", "staff", "coordinator", "technician", "substitute")


@pytest.fixture
def busy_box(box, state, accounts):
    """A morning with something on every page: a handover about a client, a moved visit, a printed sheet."""
    visit = box.day(TODAY).route("s3")[0]
    assign(box, TODAY, [(visit.id, ["s2"])], author="s2", audit=audit_as(box, "s2"))
    box.records.append("handover", author="s3", body={"text": "Ring sonen"}, client_id=visit.client_id, date=TODAY)
    queue = state.print_queue()
    queue.print_sheet("s2", TODAY, ordered_by="s2")
    queue.print_slip("handover", ordered_by="s2")
    queue.process_once()
    shift = box.shifts.shift(TODAY, "dag")
    sub = add_substitute(box, shift, name="Kim Berg", phone="070-123 45 67", author="s2", audit=audit_as(box, "s2"))
    sub_id = sub["body"]["id"]
    assign(box, TODAY, [(box.day(TODAY).route("s3", shift="dag")[0].id, [sub_id])], author="s2", audit=audit_as(box, "s2"))
    _user, box.substitute_code = state.users.add_substitute(name="Kim Berg", staff_id=sub_id, until=shift.end,
                                                            now=box.clock.now())
    return box


def samples(box, state, accounts):
    """A value for each URL part a route may have (add one here when a new kind of page needs it)."""
    plan = box.plan()
    return {"client_id": sorted(plan.clients)[0], "visit_id": box.day(TODAY).route("s2")[0].id,
            "staff_id": "s3", "record_id": box.records.find(kind="handover")[0]["id"],
            "user_id": accounts["other"]["id"], "kind": "contacts", "filename": "hembas.css"}


def queries(box):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    return {"today.index": ["personal=s3", f"personal=s3&datum={tomorrow}", f"datum={tomorrow}"],
            "two_weeks.index": ["personal=s3", "klient=" + sorted(box.plan().clients)[1], "personal=&klient="],
            "coordinator.audit_log": ["vad=client.open"]}


def urls(app, values, extra):
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: add a sample value for {missing} to this test"
        path = adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
        yield rule.endpoint, path
        for query in extra.get(rule.endpoint, ()):
            yield rule.endpoint, f"{path}?{query}"


def text_of(response):
    if response.mimetype == "application/pdf":
        return " ".join(pdftotext(response.get_data(), layout=False).split())
    return html.unescape(response.get_data().decode("utf-8", "replace"))


def shown_clients(plan, text):
    """For each client name or address in *text*: the ids of the clients it may be (the demo has namesakes)."""
    marks = {}
    for client in plan.clients.values():
        for mark in (client.name, client.address):
            marks.setdefault(mark, set()).add(client.id)
    return [frozenset(ids) for mark, ids in marks.items() if mark in text]


def test_every_page_that_shows_a_client_names_it_in_the_audit_log(app, busy_box, state, accounts, make_browser):
    box = busy_box
    plan = box.plan()
    values, extra = samples(box, state, accounts), queries(box)
    checked, gaps = set(), []
    for role in ROLES:
        web = make_browser(app)
        if role == "substitute":
            assert web.post_form("/vikarie", {"kod": box.substitute_code}).status_code == 302
        elif role != "anonymous":
            web.sign_in(accounts[role])
        for endpoint, url in urls(app, values, extra):
            before = {e["id"] for e in box.audit.entries()}
            response = web.get(url)
            written = [e for e in box.audit.entries() if e["id"] not in before]
            named = {c for e in written for c in e["detail"].get("clients", []) + e["detail"].get("listed", [])}
            shown = shown_clients(plan, text_of(response)) if response.status_code == 200 else []
            response.close()
            missing = [sorted(ids) for ids in shown if not ids & named]
            if missing:
                gaps.append(f"{role} GET {url}: shows {missing[:5]} without an audit entry")
            if shown:
                checked.add(endpoint)
    assert gaps == [], "\n".join(gaps)
    # The walk really saw client data on the pages that have it.
    assert {"today.index", "team.index", "team.move", "two_weeks.index", "two_weeks.pdf", "handover.index",
            "printing.index", "clients.card", "propose.index", "meeting.extra"} <= checked


def test_another_carers_route_is_logged_with_whose_it_was(as_staff, box):
    as_staff.get(f"/idag?personal=s3&datum={TODAY.isoformat()}")
    [entry] = box.audit.entries(action="view.today")
    assert entry["actor"] == "s2" and entry["target"] == "s3" and entry["detail"]["own"] is False
    assert entry["detail"]["clients"] == sorted({v.client_id for v in box.day(TODAY).route("s3")})
    assert entry["detail"]["page"] == f"/idag?personal=s3&datum={TODAY.isoformat()}"


def test_exports_name_the_clients_they_hold(as_coordinator, box):
    box.records.append("note", author="s2", body={"text": "Åt bra"}, client_id="c02", date=TODAY)
    as_coordinator.post_form("/export", {"since": TODAY.isoformat(), "what": "csv"})
    as_coordinator.post_form("/export", {"since": TODAY.isoformat(), "what": "pdf"})
    assert [e["detail"]["clients"] for e in box.audit.entries(action="reentry.export")] == [["c02"], ["c02"]]
