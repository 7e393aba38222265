import datetime as dt
import io

from hembas_testing import fixed_clock
from tls_testing import TestCA, box_with_certificate


def clock_at_new_year_2020(box):
    """A box that woke up without network in 2020: before the plan was made, so untrusted."""
    return fixed_clock(box.data_dir, now=dt.datetime(2020, 1, 1, 8, 0, tzinfo=dt.timezone.utc),
                       floor=lambda: box.plan().generated_at)


def test_status_shows_plan_sync_printer_and_clock(as_technician):
    html = as_technician.get("/status").get_data(as_text=True)
    for text in ("Hemtjänst Kalix centrum", "Senaste försök", "Skrivare", "klockan är tillförlitlig"):
        assert text in html


def test_untrusted_clock_is_said_instead_of_today(as_staff, box):
    box.clock = clock_at_new_year_2020(box)
    html = as_staff.get("/").get_data(as_text=True)
    assert "klockan är inte bekräftad, dagens datum är okänt" in html
    assert "Fredag 27 november" not in html and 'class="fresh warn"' in html


def test_coordinator_confirms_the_clock_from_the_phone(web, accounts, box):
    box.clock = clock_at_new_year_2020(box)
    web.sign_in(accounts["coordinator"])
    phone = "2026-11-27T07:45:00.000Z"
    response = web.post_form("/status/klocka", {"phone_time": phone, "local_time": ""}, page="/status",
                             follow_redirects=True)
    assert "Datum och tid är bekräftade: 2026-11-27 08:45" in response.get_data(as_text=True)
    assert box.clock.today() == dt.date(2026, 11, 27)
    entry = box.audit.entries(action="clock.confirm")[0]
    assert entry["actor"] == "s1"


def test_staff_cannot_confirm_the_clock(as_staff):
    assert as_staff.post_form("/status/klocka", {"phone_time": "2026-11-27T07:45:00Z"}, page="/status").status_code == 403


def test_press_button_needs_a_running_demo_daemon(as_technician):
    html = as_technician.get("/status").get_data(as_text=True)
    assert "Tryck på knappen" not in html  # no firmware daemon runs in this test
    response = as_technician.post_form("/status/knapp", {}, page="/status", follow_redirects=True)
    assert "firmware-tjänsten körs inte" in response.get_data(as_text=True)


def test_settings_file_problems_are_shown_until_fixed(as_technician, box):
    from sync.provisioning import clear_errors, write_errors

    write_errors(box.data_dir, [{"key": "wifi.name", "message": "wifi.name: saknas <b>"}],
                 source="/boot/firmware/hembas.toml", checked_at="2026-11-27T07:00:00+01:00")
    html = as_technician.get("/status").get_data(as_text=True)
    assert "Fel i inställningsfilen" in html and "wifi.name: saknas &lt;b&gt;" in html
    clear_errors(box.data_dir)
    assert "Fel i inställningsfilen" not in as_technician.get("/status").get_data(as_text=True)


def test_the_plans_warnings_are_on_the_status_page_without_client_data(as_technician, box):
    html = as_technician.get("/status").get_data(as_text=True)
    assert "Varningar i planen" in html and "Besök utan personal: " in html
    assert not any(client.name.replace("'", "&#39;") in html for client in box.plan().clients.values())


def test_status_explains_a_self_signed_certificate(as_technician, box, tmp_path):
    box_with_certificate(box, tmp_path, days=0, after_days=0, self_signed=True)
    html = as_technician.get("/status").get_data(as_text=True)
    assert "HTTPS-certifikat" in html and "webbläsare varnar" in html and "kan de inte spara dagen" in html
    assert 'class="flash error">Självsignerat' not in html  # explained, not an alarm


def test_status_warns_two_weeks_before_the_certificate_expires(as_technician, box, tmp_path):
    box_with_certificate(box, tmp_path, days=30, after_days=15)
    html = as_technician.get("/status").get_data(as_text=True)
    assert "Certifikatet gäller till" in html and "Testkommunens CA" in html
    box.clock = fixed_clock(box.data_dir, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=20))
    html = as_technician.get("/status").get_data(as_text=True)
    assert 'class="flash error">Certifikatet går ut om 9 dagar' in html


def test_without_tls_the_status_page_says_nothing_about_certificates(as_technician):
    assert "HTTPS-certifikat" not in as_technician.get("/status").get_data(as_text=True)


def test_a_coordinator_uploads_the_municipal_certificate(web, accounts, box, tmp_path):
    store = box_with_certificate(box, tmp_path, days=0, after_days=0, self_signed=True)
    box.clock = fixed_clock(box.data_dir, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2))
    ca = TestCA(tmp_path / "municipal")
    wrong, key = ca.issue("annan.example")
    web.sign_in(accounts["coordinator"])

    def upload(cert, key):
        return web.post_form("/status/certifikat", {"certificate": (io.BytesIO(cert), "hembas.crt"),
                                                   "key": (io.BytesIO(key), "hembas.key")}, page="/status",
                             content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)

    assert "Certifikatet installerades inte: certifikatet gäller inte namnet hembas.test" in upload(wrong, key)
    assert store.source() == "self-signed"
    cert, key = ca.issue("hembas.test")
    assert "Certifikatet är installerat och gäller till" in upload(cert, key)
    assert store.read() == (cert, key) and store.source() == "upload"
    assert box.audit.entries(action="tls.install")[0]["actor"] == "s1"


def test_staff_cannot_upload_a_certificate(as_staff):
    assert as_staff.post_form("/status/certifikat", {}, page="/status").status_code == 403
