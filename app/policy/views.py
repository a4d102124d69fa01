"""Thin views of the policy tags: the admins' queue of claims and the budget-share CSV."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.dashboard import tables
from app.date_range import DateRangeForm
from app.errors import error_page
from app.extensions import db
from app.formatting import SEOUL
from app.models import Need, Role, Solution
from app.models.base import utcnow
from app.policy.forms import PolicyReviewForm
from app.service_errors import commit_service
from app.services import audit_display, policy, policy_share

bp = Blueprint("policy", __name__)


@bp.before_request
@role_required(Role.ADMIN)
def require_admin():
    """Every page here is for administrators only."""
    return None


def _render_queue(status: int = 200):
    return render_template("policy/queue.html", queue=policy.queue(),
                           claimed=policy.claimed_count()), status


@bp.route("/policy-tags/")
def queue():
    """Solutions and needs whose authors claimed a policy area, awaiting an admin's check."""
    return _render_queue()


def _review(listing):
    form = PolicyReviewForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return _render_queue(400)
    outcome = commit_service(lambda: policy.review(current_user._get_current_object(), listing,
                                                   form.area.data, form.decision.data))
    if not outcome:
        return _render_queue(400)
    entry = outcome.value
    flash(_("%(target)s: '%(action)s' 처리했습니다.", target=entry.target_label,
            action=audit_display.action_label(entry.action)), "success")
    return redirect(url_for("policy.queue"))


@bp.route("/policy-tags/solutions/<int:solution_id>", methods=["POST"])
def review_solution(solution_id: int):
    """Confirm or reject one claimed area of a solution."""
    return _review(db.get_or_404(Solution, solution_id))


@bp.route("/policy-tags/needs/<int:need_id>", methods=["POST"])
def review_need(need_id: int):
    """Confirm or reject one claimed area of a need."""
    return _review(db.get_or_404(Need, need_id))


@bp.route("/dashboard/policy-share.csv")
def share_csv():
    """The climate / digital-inclusion shares of matched and contracted budget, as CSV
    (national first, then each municipality; the dashboard's date range, default this year)."""
    form = DateRangeForm(formdata=request.args)
    if not form.validate():
        return error_page(400, " ".join(str(m) for errors in form.errors.values()
                                        for m in errors))
    today = utcnow().astimezone(SEOUL).date()
    report = policy_share.report(*policy_share.period(form, today))
    headers, rows = policy_share.csv_table(report)
    day = today.strftime("%Y%m%d")
    return Response(tables.to_csv(headers, rows), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=citymatch-policy-share-{day}.csv"})
