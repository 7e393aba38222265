"""Captive-portal style: a phone that joins the base's wifi is shown Hembas.

Phones test a known address right after joining a network; on the base's
wifi every name resolves to the box (see deploy/), so those tests land
here. Answering with a redirect instead of the expected "internet works"
reply makes the phone open its sign-in window, which shows Hembas.
"""

from flask import Blueprint, redirect

bp = Blueprint("captive", __name__)

# Connectivity checks of Android, iOS/macOS, Windows and common Linux desktops.
PROBES = ("/generate_204", "/gen_204", "/hotspot-detect.html", "/library/test/success.html",
          "/connecttest.txt", "/ncsi.txt", "/redirect", "/success.txt", "/canonical.html",
          "/check_network_status.txt")


def probe():
    """Any connectivity check: go to the start page (which asks for sign-in when needed)."""
    return redirect("/")


for path in PROBES:
    bp.add_url_rule(path, endpoint="probe", view_func=probe)
