"""A minimal status page: plan age and coverage (no client data)."""

from flask import Blueprint, current_app

bp = Blueprint("status", __name__)


@bp.get("/")
def index():
    box = current_app.extensions["hembas_box"]
    plan = box.mirror.current()
    fresh = box.freshness()
    if plan is None:
        line = "Ingen plan är inläst."
    else:
        line = f"Plan från {plan.generated_at:%Y-%m-%d %H:%M} ({fresh['age_hours']} tim sedan)."
    return (f"<!doctype html><html lang=sv><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>Hembas</title><h1>Hembas</h1><p>{line}</p>")
