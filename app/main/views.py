"""The landing page."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.services import catalogue as catalogue_service

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


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Switch the interface language (placeholder until the English locale lands)."""
    from flask import redirect, url_for

    return redirect(url_for("main.index"))
