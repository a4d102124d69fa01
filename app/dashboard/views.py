"""Dashboard views (placeholder until the dashboard lands)."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.auth.access import role_required
from app.models import Role

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    """Placeholder page."""
    return render_template("main/index.html")
