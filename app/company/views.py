"""A company's own profile, alliance membership and colleagues. (views)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("company", __name__)


@bp.route("/")
def dashboard():
    """Placeholder page."""
    return render_template("main/index.html")


@bp.route("/new")
def create():
    """Placeholder page."""
    return render_template("main/index.html")
