"""`/healthz`: the process answers. `/readyz`: it can serve real pages. Neither writes."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.services import readiness

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """The process is up (no database access, so a database outage does not restart workers)."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Database reachable, migrations at head and matching engine loaded; else 503 with why."""
    problem = readiness.check(current_app)
    if problem is not None:
        return jsonify(status="unavailable", reason=problem.reason, detail=problem.detail), 503
    return jsonify(status="ready")
