"""The preview printer and its rendering in the browser."""

from printer.escpos_job import encode
from printer.layout import Receipt
from printer.preview import preview_bytes, preview_jobs, render_html
from printer.queue import PrintQueue


def test_render_html_shows_the_receipt_with_styles_and_a_cut():
    r = Receipt(columns=32)
    r.title("Körlista")
    r.text("! Allergi: nötter", invert=True, bold=True)
    r.text("Åsa <script>alert(1)</script>")
    html = render_html(encode(r))
    assert '<span class="big">Körlista</span>' in html
    assert '<b><span class="inv">! Allergi: nötter</span></b>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<hr class="hembas-cut">' in html


def test_render_html_draws_native_and_image_qr_codes():
    r = Receipt(columns=48)
    r.qr("http://hembas.local/idag")
    assert 'aria-label="QR: http://hembas.local/idag"' in render_html(encode(r, qr_mode="native"))
    assert 'aria-label="bild"' in render_html(encode(r, qr_mode="image"))


def test_preview_backend_keeps_each_job_for_the_web_ui(box):
    queue = PrintQueue(box)
    job = queue.print_slip("contacts", ordered_by="s1")
    queue.process_once()
    [shown] = preview_jobs(box.data_dir)
    assert shown["id"] == job["id"] and shown["title"] == "Kontaktlista"
    assert "Kontakter" in render_html(preview_bytes(box.data_dir, job["id"]))
    assert preview_bytes(box.data_dir, "../../etc/passwd") is None
