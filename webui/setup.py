"""Setup mode: a new box whose settings file was refused shows the problems, and nothing else.

Until the first account exists nobody can sign in, so a technician standing
at a box with a mistake in ``hembas.toml`` would otherwise see only a
sign-in page with no names.  While the settings file has problems
(:mod:`sync.provisioning`) *and* the box has no accounts, every address
answers with the list of problems, without sign-in: no client data exists on
such a box yet.  Once a corrected file has been applied (or an account
exists), this module steps aside and the Status page shows any later
problems to those who sign in.
"""

from flask import render_template, request

from sync.provisioning import read_errors

from .state import get_box, web_state


def init_app(app):
    app.before_request(setup_page)     # before sign-in (webui.auth): registered first, runs first


def setup_page():
    if request.endpoint == "static":
        return None
    errors = read_errors(get_box().data_dir)
    if errors is None or web_state().users.all():
        return None
    return render_template("setup.html", errors=errors)
