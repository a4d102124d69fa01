"""Notification views (placeholder until notifications land)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_count():
    """Unread notifications of the signed-in user, for the navigation bar."""
    return {"unread_notifications": 0}


@bp.route("/")
@login_required
def index():
    """Placeholder page."""
    return render_template("main/index.html")
