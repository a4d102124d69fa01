"""Match workflow views (placeholder until the workflow lands)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("matches", __name__)


@bp.route("/")
@login_required
def inbox():
    """Placeholder page."""
    return render_template("main/index.html")
