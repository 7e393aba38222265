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
