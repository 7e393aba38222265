"""The ``preview`` printer: jobs land in the data folder and show in the web UI.

The default for ``make demo`` and for a box that has no printer yet.  Each
job's exact bytes are kept (see :mod:`printer.preview`), so what the web UI
renders is what a thermal printer would have received.
"""

from .. import preview
from .base import OK, Backend, PrinterStatus


class PreviewBackend(Backend):
    name = "förhandsvisning"

    def __init__(self, *, data_dir, timeout=5):
        super().__init__(timeout=timeout)
        self.data_dir = data_dir

    def describe(self):
        return "förhandsvisning i webbläsaren (ingen skrivare)"

    def status(self):
        return PrinterStatus(OK, "förhandsvisning – utskrifterna visas i webbläsaren")

    def send(self, data, *, job_id, title=""):
        preview.save_preview(self.data_dir, job_id, data, title=title)
        return self.status()

    def delivered(self, job_id):
        return preview.preview_meta(self.data_dir, job_id) is not None

    def forget(self, job_id):
        preview.forget_preview(self.data_dir, job_id)
