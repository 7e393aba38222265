"""Status: the plan's age and window, sync, printer and the box's clock (no client data)."""

from flask import Blueprint, render_template

from .state import get_box

bp = Blueprint("status", __name__)


@bp.get("/status")
def index():
    box = get_box()
    return render_template("status.html", plan=box.mirror.current(), clock=box.clock.status())
