"""Kontakter: the team's numbers (nurse, coordinator, on-call, alarm centre) and the staff, tap to call.

Team numbers are no client data, so technicians see this page too; the
staff list is for the team only (a substitute of the day included).
"""

from flask import Blueprint, g, render_template

from .auth import ON_ROUTE
from .state import get_box

bp = Blueprint("contacts", __name__, url_prefix="/kontakter")


@bp.get("")
def index():
    plan = get_box().mirror.current()
    staff = sorted(plan.staff.values(), key=lambda s: s.name) if plan and g.user["role"] in ON_ROUTE else []
    return render_template("contacts.html", plan=plan, staff=staff)
