import re

from sync.network.bundle import make_bundle
from sync.plan.demo import demo_plan


def test_audit_log_lists_sign_ins_and_card_openings_by_name(as_coordinator):
    as_coordinator.get("/klient/c01")
    html = as_coordinator.get("/logg").get_data(as_text=True)
    assert "inloggning" in html and "öppnade brukarkort" in html and "Amira Hassan" in html


def test_export_downloads_csv_and_marks_reentered(web, accounts, box):
    web.sign_in(accounts["staff"])
    web.post_form("/klient/c01/skriv", {"kind": "note", "text": "Anteckning för journalen"}, page="/klient/c01")
    web.post_form("/logga-ut", {}, page="/")
    web.sign_in(accounts["coordinator"])
    response = web.post_form("/export", {"since": "2026-01-01", "what": "csv"})
    assert response.mimetype == "text/csv" and "Anteckning för journalen" in response.data.decode("utf-8-sig")
    assert box.audit.entries(action="reentry.export")[0]["actor"] == "s1"
    web.post_form("/export", {"since": "2026-01-01", "what": "mark"})
    assert len(box.records.find(kind="reentered")) == 1


def test_signed_bundle_upload_replaces_the_plan(as_coordinator, box, monkeypatch):
    import datetime as dt
    import io

    from nacl.signing import SigningKey
    key = SigningKey.generate()
    import base64
    monkeypatch.setitem(box.config["hub"], "public_key", base64.b64encode(bytes(key.verify_key)).decode())
    document = demo_plan(dt.date(2026, 11, 27))
    document["generated_at"] = "2026-11-27T06:00:00+01:00"
    raw = make_bundle(document, key)
    response = as_coordinator.post_form("/plan", {"bundle": (io.BytesIO(raw), "plan.hembas")},
                                        content_type="multipart/form-data", follow_redirects=True)
    assert "Planen är inläst" in response.get_data(as_text=True)
    assert box.plan().generated_at.hour == 6
    assert box.audit.entries(action="plan.upload")[0]["actor"] == "s1"


def test_tampered_bundle_is_refused_with_a_reason(as_coordinator, box, monkeypatch):
    import io
    response = as_coordinator.post_form("/plan", {"bundle": (io.BytesIO(b"not a bundle"), "x.bin")},
                                        content_type="multipart/form-data", follow_redirects=True)
    assert "Planen lästes inte in" in response.get_data(as_text=True)


def test_a_crafted_bundle_upload_is_refused_in_swedish_and_audited(as_coordinator, box, monkeypatch):
    """Review finding 10: 4 KB of nested brackets in the header (no key needed) gave a 500 and no audit entry."""
    import base64
    import io

    from nacl.signing import SigningKey
    monkeypatch.setitem(box.config["hub"], "public_key", base64.b64encode(bytes(SigningKey.generate().verify_key)).decode())
    crafted = b'{"format":"hembas.envelope/1","x":' + b"[" * 4000 + b"\n" + base64.b64encode(b"\0" * 64) + b"\n{}"
    version = box.plan().version
    response = as_coordinator.post_form("/plan", {"bundle": (io.BytesIO(crafted), "plan.bundle")},
                                        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Planen lästes inte in: rubrikraden är ingen giltig JSON" in response.get_data(as_text=True)
    assert box.audit.entries(action="plan.upload")[0]["detail"]["refused"] == "rubrikraden är ingen giltig JSON"
    assert box.plan().version == version


def test_coordinator_creates_an_account_and_the_code_enrolls_once(as_coordinator, make_browser, app, state):
    html = as_coordinator.post_form("/personal", {"staff_id": "s4", "role": "staff"}, page="/personal").get_data(
        as_text=True)
    code = re.search(r'class="code">([A-Z0-9-]+)<', html).group(1)
    newcomer = make_browser(app)
    page = f"/aktivera?kod={code}"
    response = newcomer.post_form("/aktivera", {"kod": code, "pin": "602718", "pin2": "602718"}, page=page)
    assert response.status_code == 302
    assert "Mohammed Ali" in newcomer.get("/").get_data(as_text=True)


def test_export_lists_the_visits_of_ended_shifts_without_an_outcome_to_type_in(web, accounts, box):
    from hembas_testing import FOUR_TIMES, TODAY, set_clock

    set_clock(box, FOUR_TIMES["01:30"][0])  # Friday's day and evening are over, the night is not
    day = box.day(TODAY)
    done = day.shift("dag")[0]
    web.sign_in(accounts["coordinator"])
    web.post_form(f"/klient/{done.client_id}/skriv", {"kind": "outcome", "visit_id": done.id, "done": "1"},
                  page=f"/klient/{done.client_id}?besok={done.id}")
    html = web.get(f"/export?since={TODAY}").get_data(as_text=True)
    missing = len(day.shift("dag")) + len(day.shift("kväll")) - 1
    assert f"{missing} besök i avslutade pass har inget Utfört" in html
    assert "Dagpass fre 27/11" in html and "Kvällspass fre 27/11" in html and "Nattpass fre 27/11" not in html
    assert f"besok={done.id}" not in html
    other = day.shift("kväll")[0]
    assert f"/klient/{other.client_id}?besok={other.id}" in html
    assert box.audit.entries(action="reentry.unrecorded")[0]["detail"]["visits"] == missing


def test_a_coordinator_types_in_an_earlier_visit_from_paper(web, accounts, box):
    from hembas_testing import FOUR_TIMES, TODAY, set_clock

    visit = box.day(TODAY).shift("kväll")[0]
    set_clock(box, FOUR_TIMES["06:30"][0])  # Saturday: Friday's evening is an earlier working day
    web.sign_in(accounts["coordinator"])
    page = f"/klient/{visit.client_id}?besok={visit.id}"
    assert "Kvällspass fre 27/11" in web.get(page).get_data(as_text=True)
    web.post_form(f"/klient/{visit.client_id}/skriv", {"kind": "outcome", "visit_id": visit.id, "done": "0",
                                                     "reason": "Brukaren var på sjukhus (från körlistan)"}, page=page)
    [record] = box.records.find(kind="outcome")
    assert record["visit_id"] == visit.id and record["date"] == TODAY.isoformat() and not record["body"]["done"]
