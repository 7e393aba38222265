"""What the ``preview`` printer "printed", and how it looks in a browser.

The preview backend keeps each job's exact ESC/POS bytes in
``<data>/print-preview/`` (newest :data:`KEEP` jobs); the web UI lists them
with :func:`preview_jobs` and shows one with :func:`render_html`, which
reads the bytes back the way a printer would (:mod:`printer.escpos_reader`)::

    for job in preview_jobs(config.data_dir):
        html = render_html(preview_bytes(config.data_dir, job["id"]))

The HTML is a self-contained fragment (its own small ``<style>``), with
every text escaped: it can be placed inside any page.
"""

import datetime as dt
import html
import json
import logging
import re
from pathlib import Path

import qrcode

from sync.store.database import atomic_write_bytes, encode_json

from .escpos_reader import QRCode, Raster, TextLine, read

logger = logging.getLogger(__name__)

FOLDER = "print-preview"
KEEP = 100
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")

CSS = """
.hembas-receipt{font:14px/1.35 ui-monospace,"DejaVu Sans Mono",monospace;background:#fff;color:#000;
 padding:12px 8px;margin:0 auto 4px;box-shadow:0 1px 4px #0004;white-space:pre;overflow-x:auto;width:max-content;max-width:100%}
.hembas-receipt .l{min-height:1.35em}.hembas-receipt .c{text-align:center}.hembas-receipt .r{text-align:right}
.hembas-receipt b{font-weight:700}.hembas-receipt .inv{background:#000;color:#fff}
.hembas-receipt .big{font-size:200%;line-height:1.2}.hembas-receipt .wide{display:inline-block;transform:scaleX(2);
 transform-origin:left}.hembas-receipt .u{text-decoration:underline}
.hembas-receipt svg{display:block;margin:6px auto;image-rendering:pixelated}
.hembas-cut{border:0;border-top:2px dashed #999;margin:10px 0 14px}
"""


def _folder(data_dir):
    return Path(data_dir) / FOLDER


def save_preview(data_dir, job_id, data, *, title=""):
    """Store one job's bytes and metadata; keeps only the newest :data:`KEEP`."""
    if not _SAFE_ID.match(job_id):
        raise ValueError(f"bad job id {job_id!r}")
    folder = _folder(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / f"{job_id}.bin", bytes(data))
    meta = {"id": job_id, "title": title, "bytes": len(data),
            "printed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    atomic_write_bytes(folder / f"{job_id}.json", encode_json(meta))
    for old in _metas(folder)[KEEP:]:
        for suffix in (".bin", ".json"):
            (folder / f"{old['id']}{suffix}").unlink(missing_ok=True)


def forget_preview(data_dir, job_id):
    """Delete a job's bytes (it held a secret); its metadata stays, marked ``forgotten``."""
    meta = preview_meta(data_dir, job_id)
    if meta is None:
        return
    folder = _folder(data_dir)
    atomic_write_bytes(folder / f"{job_id}.json", encode_json({**meta, "forgotten": True}))
    (folder / f"{job_id}.bin").unlink(missing_ok=True)


def preview_meta(data_dir, job_id):
    """The metadata of one previewed job, or None."""
    if not _SAFE_ID.match(str(job_id)):
        return None
    try:
        return json.loads((_folder(data_dir) / f"{job_id}.json").read_bytes())
    except (OSError, ValueError):
        return None


def preview_jobs(data_dir, limit=20):
    """Jobs the preview printer received, newest first: dicts with id, title, bytes, printed_at (, forgotten)."""
    return _metas(_folder(data_dir))[:limit]


def preview_bytes(data_dir, job_id):
    """The raw ESC/POS bytes of one previewed job, or None."""
    if not _SAFE_ID.match(str(job_id)):
        return None
    try:
        return (_folder(data_dir) / f"{job_id}.bin").read_bytes()
    except FileNotFoundError:
        return None


def _metas(folder):
    metas = []
    for path in folder.glob("*.json") if folder.is_dir() else ():
        try:
            metas.append(json.loads(path.read_bytes()))
        except (OSError, ValueError):
            logger.warning("unreadable preview %s", path)
    return sorted(metas, key=lambda m: (m.get("printed_at", ""), m.get("id", "")), reverse=True)


def render_html(raw, *, style=True):
    """An HTML fragment that looks like the receipt *raw* would print."""
    parts = [f"<style>{CSS}</style>"] if style else []
    parts.append('<div class="hembas-receipt">')
    for element in read(raw):
        if isinstance(element, TextLine):
            parts.append(_line_html(element))
        elif isinstance(element, QRCode):
            parts.append(_qr_svg(element.data))
        elif isinstance(element, Raster):
            parts.append(_raster_svg(element))
        else:  # a cut: the next job starts on a new receipt
            parts.append('</div><hr class="hembas-cut"><div class="hembas-receipt">')
    parts.append("</div>")
    return "".join(parts).replace('<div class="hembas-receipt"></div>', "")


def _line_html(line):
    align = {"center": " c", "right": " r"}.get(line.align, "")
    spans = []
    for segment in line.segments:
        text = html.escape(segment.text)
        classes = [name for name, on in (("inv", segment.style.invert), ("u", segment.style.underline),
                                          ("big", segment.style.height > 1),
                                          ("wide", segment.style.width > 1 and segment.style.height == 1)) if on]
        if classes:
            text = f'<span class="{" ".join(classes)}">{text}</span>'
        spans.append(f"<b>{text}</b>" if segment.style.bold else text)
    return f'<div class="l{align}">{"".join(spans)}</div>'


def _qr_svg(data):
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    size = len(matrix)
    return (f'<svg role="img" aria-label="QR: {html.escape(data)}" viewBox="0 0 {size} {size}" width="{size * 4}" '
            f'height="{size * 4}"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}"/></svg>')


def _raster_svg(raster):
    runs = []
    for y, row in enumerate(raster.rows):
        bits = "".join(f"{b:08b}" for b in row)
        for match in re.finditer(r"1+", bits):
            runs.append(f"M{match.start()},{y}h{len(match.group())}v1h-{len(match.group())}z")
    return (f'<svg role="img" aria-label="bild" viewBox="0 0 {raster.width} {raster.height}" '
            f'width="{raster.width // 2}" height="{raster.height // 2}"><path d="{"".join(runs)}"/></svg>')
