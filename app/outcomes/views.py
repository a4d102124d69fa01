"""Thin views of a match's outcome: its steps, their confirmation, the rating; the admins' page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import organisation_required, role_required
from app.extensions import db
from app.ids import parse_whole
from app.models import Match, Role
from app.outcomes.forms import (
    ConfirmStepForm,
    ProposeStepForm,
    RatingForm,
    RejectStepForm,
    ReplyForm,
)
from app.service_errors import commit_service
from app.services import outcomes, ratings

bp = Blueprint("outcomes", __name__)

ORGANISATION_ROLES = (Role.COMPANY, Role.MUNICIPALITY)


@bp.app_context_processor
def outcome_helpers() -> dict:
    """Read-only helpers for the match, solution and company pages."""
    return {"outcome_stage_of": outcomes.stage_of,
            "verified_references_of_solution": outcomes.verified_references_of_solution,
            "verified_references_of_company": outcomes.verified_references_of_company,
            "rating_summary": ratings.summary}


def _load_match(match_id: int) -> Match:
    return db.get_or_404(Match, match_id)


def _step_id(form) -> int | None:
    return parse_whole(form.step_id.data)


def _render(match: Match, status: int = 200, **forms):
    side = outcomes.side_of(current_user, match)
    outcome = outcomes.outcome_of(match)
    stage = outcomes.stage_of(match)
    step = outcomes.open_step(outcome)
    propose_form = forms.get("propose_form") or ProposeStepForm(formdata=None)
    propose_form.set_choices(outcomes.next_stages(stage) if stage else [])
    return render_template(
        "outcomes/detail.html",
        match=match, side=side, outcome=outcome, stage=stage, open_step=step,
        steps=list(outcome.steps) if outcome else [],
        can_propose=side is not None and stage is not None and step is None
        and bool(outcomes.next_stages(stage)),
        can_answer=side is not None and step is not None and step.proposed_side != side,
        rating=ratings.rating_of(match),
        can_rate=ratings.may_rate(current_user, match),
        can_reply=ratings.may_reply(current_user, match),
        propose_form=propose_form,
        confirm_form=forms.get("confirm_form") or ConfirmStepForm(formdata=None),
        reject_form=forms.get("reject_form") or RejectStepForm(formdata=None),
        rating_form=forms.get("rating_form") or RatingForm(formdata=None),
        reply_form=forms.get("reply_form") or ReplyForm(formdata=None),
        stall_days=current_app.config["OUTCOME_STALL_DAYS"],
    ), status


def render_detail(match: Match, status: int = 200):
    """The outcome page (the sandbox area re-renders it with its refused form)."""
    return _render(match, status)


def _refuse_outsiders(match: Match) -> None:
    if outcomes.side_of(current_user, match) is None:
        abort(403)


@bp.route("/<int:match_id>/outcome")
@login_required
def detail(match_id: int):
    """The match's stage, its confirmed and open steps, and the rating once it runs."""
    match = _load_match(match_id)
    if not outcomes.may_view(current_user, match):
        abort(403)
    return _render(match)


@bp.route("/<int:match_id>/outcome/propose", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def propose(match_id: int):
    """One side proposes the next step; the other side is asked to confirm it."""
    match = _load_match(match_id)
    _refuse_outsiders(match)
    form = ProposeStepForm()
    stage = outcomes.stage_of(match)
    form.set_choices(outcomes.next_stages(stage) if stage else [])
    if form.validate():
        data = outcomes.StepInput(form.to_stage.data, form.happened_on.data,
                                  form.procurement_route.data, form.amount.data, form.note.data)
        if commit_service(lambda: outcomes.propose_step(current_user, match, data), form):
            flash(_("다음 단계를 제안했습니다. 상대방이 확인하면 반영됩니다."), "success")
            return redirect(url_for("outcomes.detail", match_id=match_id))
    return _render(match, 400, propose_form=form)


@bp.route("/<int:match_id>/outcome/confirm", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def confirm(match_id: int):
    """The other side confirms the proposed step."""
    match = _load_match(match_id)
    _refuse_outsiders(match)
    form = ConfirmStepForm()
    if form.validate() and commit_service(
            lambda: outcomes.confirm_step(current_user, match, _step_id(form))):
        flash(_("단계를 확인했습니다."), "success")
    return redirect(url_for("outcomes.detail", match_id=match_id))


@bp.route("/<int:match_id>/outcome/reject", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def reject(match_id: int):
    """The other side rejects the proposed step with a reason."""
    match = _load_match(match_id)
    _refuse_outsiders(match)
    form = RejectStepForm()
    if form.validate() and commit_service(
            lambda: outcomes.reject_step(current_user, match, _step_id(form), form.reason.data),
            form):
        flash(_("제안된 단계를 거절했습니다."), "info")
        return redirect(url_for("outcomes.detail", match_id=match_id))
    return _render(match, 400, reject_form=form)


@bp.route("/<int:match_id>/rating", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def rate(match_id: int):
    """The municipality rates the solution of a running deployment."""
    match = _load_match(match_id)
    _refuse_outsiders(match)
    form = RatingForm()
    if form.validate() and commit_service(
            lambda: ratings.rate(current_user, match, form.stars.data, form.review.data), form):
        flash(_("평가를 등록했습니다."), "success")
        return redirect(url_for("outcomes.detail", match_id=match_id))
    return _render(match, 400, rating_form=form)


@bp.route("/<int:match_id>/rating/reply", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def reply(match_id: int):
    """The company answers the rating once."""
    match = _load_match(match_id)
    _refuse_outsiders(match)
    form = ReplyForm()
    if form.validate() and commit_service(
            lambda: ratings.reply(current_user, match, form.reply.data), form):
        flash(_("답변을 등록했습니다."), "success")
        return redirect(url_for("outcomes.detail", match_id=match_id))
    return _render(match, 400, reply_form=form)


@bp.route("/outcomes")
@role_required(Role.ADMIN)
def overview():
    """Where approved matches stop: per stage, how many, how many stalled, median days."""
    return render_template("outcomes/overview.html", figures=outcomes.overview(),
                           stall_days=current_app.config["OUTCOME_STALL_DAYS"])
