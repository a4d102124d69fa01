"""The landing page and the interface language switch."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import refresh
from flask_login import current_user

from app import i18n
from app.auth.access import is_safe_redirect
from app.services import catalogue as catalogue_service
from app.services import privacy as privacy_service
from app.services import unit_of_work

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """What CityMatch is: counts, newest listings and entry points for each kind of user."""
    return render_template(
        "main/index.html",
        stats=catalogue_service.landing_stats(),
        newest_solutions=catalogue_service.newest_solutions(),
        newest_needs=catalogue_service.newest_open_needs(),
    )


@bp.route("/privacy")
def privacy():
    """The privacy notice: the current consent text, its version and the user's rights."""
    return render_template("main/privacy.html", consent=privacy_service.CURRENT)


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Switch the interface language: saved on the signed-in user, else in the session."""
    locale = request.form.get("locale", "")
    if not i18n.is_supported(locale):
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = locale
        unit_of_work.commit()
    session[i18n.SESSION_KEY] = locale
    refresh()
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("main.index"))
