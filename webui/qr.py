"""A QR code as inline SVG, so a new colleague can scan the enrollment link off the coordinator's screen."""

from markupsafe import Markup, escape
from qrcode import QRCode
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(data, *, scale=5):
    """Inline SVG of *data* (no image file, no external service, passes the CSP)."""
    code = QRCode(border=4, error_correction=ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return Markup(f'<svg class="qr" role="img" aria-label="QR-kod: {escape(data)}" viewBox="0 0 {size} {size}" '
                  f'width="{size * scale}" height="{size * scale}"><rect width="{size}" height="{size}" fill="#fff"/>'
                  f'<path d="{path}"/></svg>')
