"""The landing page."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """What CityMatch is, with entry points for each kind of user."""
    return render_template("main/index.html")
