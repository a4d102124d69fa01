"""Public catalogue of solutions, needs, companies and municipalities. (views)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("catalogue", __name__)


@bp.route("/solutions")
def solutions():
    """Placeholder page."""
    return render_template("main/index.html")


@bp.route("/needs")
def needs():
    """Placeholder page."""
    return render_template("main/index.html")


@bp.route("/companies")
def companies():
    """Placeholder page."""
    return render_template("main/index.html")


@bp.route("/municipalities")
def municipalities():
    """Placeholder page."""
    return render_template("main/index.html")
