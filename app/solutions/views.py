"""A company's own solutions. (views)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("solutions", __name__)


@bp.route("/")
def index():
    """Placeholder page."""
    return render_template("main/index.html")
