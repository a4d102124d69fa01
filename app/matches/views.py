"""Thin views of the double opt-in match workflow, consortium proposals and admin review."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import NotActingForOrganisation, organisation_required, role_required
from app.extensions import db
from app.ids import page_number, record_id
from app.matches.forms import (
    ConsortiumForm,
    DeclineForm,
    MatchRequestForm,
    ReviewForm,
    optional_float,
)
from app.models import (
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Need,
    Role,
    Solution,
)
from app.rate_limits import interest_limits
from app.service_errors import commit_service
from app.services import workflow
from app.services.review_queue import pending_review_count
from app.services.visibility import can_view_need, can_view_solution

bp = Blueprint("matches", __name__)

ORGANISATION_ROLES = (Role.COMPANY, Role.MUNICIPALITY)
MAX_PAGE = 10_000


@bp.app_context_processor
def workflow_helpers() -> dict:
    """Helpers for the catalogue pages' small workflow blocks (response stats, interest)."""
    return {"match_response_stats": workflow.response_stats}


def _organisation_requests() -> dict:
    """The viewer's organisation's requested pairs, read once per request."""
    if "organisation_requests" not in g:
        g.organisation_requests = (workflow.organisation_requests(current_user)
                                   if current_user.is_authenticated else {})
    return g.organisation_requests


@bp.app_template_global("existing_request")
def _existing_request(need_id: int, solution_id: int) -> Match | None:
    """My organisation's request of this need–solution pair, if any."""
    return _organisation_requests().get((need_id, solution_id))


@bp.app_template_global("requests_about")
def _requests_about(need: Need | None = None, solution: Solution | None = None) -> list[Match]:
    """My organisation's requests about this need (or this solution)."""
    return [match for (need_id, solution_id), match in _organisation_requests().items()
            if (need is not None and need_id == need.id)
            or (solution is not None and solution_id == solution.id)]


@bp.app_template_global("interest_options_left")
def _interest_options_left(need: Need | None = None, solution: Solution | None = None) -> int:
    """How many of my solutions (or needs) could still be offered for this need (or solution)."""
    if need is not None:
        return sum(1 for option in workflow.interest_solutions(current_user)
                   if _existing_request(need.id, option.id) is None)
    return sum(1 for option in workflow.interest_needs(current_user)
               if _existing_request(option.id, solution.id) is None)


@bp.app_template_global("match_request_state")
def _match_request_state(match: Match) -> str:
    """The state of my organisation's request, as I read it."""
    return workflow.request_state(current_user, match)


@bp.app_context_processor
def inject_pending_reviews() -> dict:
    """The admins' review queue size, for the navigation bar (0 for everyone else)."""
    if not current_user.is_authenticated or not current_user.is_admin:
        return {"pending_reviews": 0}
    return {"pending_reviews": pending_review_count()}


# --- helpers ---------------------------------------------------------------------------------


def _commit_or_flash(action, success_message: str) -> bool:
    """Run a service call and commit, flashing its success or its refusal."""
    outcome = commit_service(action)
    if outcome:
        flash(success_message, "success")
    return bool(outcome)




def _page() -> int:
    page = request.args.get("page", 1, type=page_number)
    return page if 1 <= page <= MAX_PAGE else 1


def _load_match(match_id: int) -> Match:
    return db.get_or_404(Match, match_id)


def _load_proposal(proposal_id: int) -> ConsortiumProposal:
    return db.get_or_404(ConsortiumProposal, proposal_id)


def _may_view_match(match: Match) -> bool:
    return current_user.is_admin or workflow.side_of(current_user, match) is not None


# --- lists -----------------------------------------------------------------------------------


@bp.route("/")
@login_required
def inbox():
    """Requests waiting for my organisation's answer (admins go to the review queue)."""
    if current_user.is_admin:
        return redirect(url_for("matches.review"))
    if not current_user.acts_for_organisation:
        raise NotActingForOrganisation(current_user)
    return render_template(
        "matches/inbox.html",
        incoming=workflow.incoming_requests(current_user),
        invitations=workflow.consortium_invitations(current_user),
        consortia=workflow.submitted_consortia(current_user),
        workflow=workflow,
    )


@bp.route("/outbox")
@organisation_required(*ORGANISATION_ROLES)
def outbox():
    """My organisation's pending outgoing requests and consortium proposals."""
    proposals = []
    if current_user.is_company_user:
        proposals = [p for p in workflow.organisation_consortia(
            current_user, (ConsortiumStatus.AWAITING_PARTNERS, ConsortiumStatus.SUBMITTED))
            if p.lead_company_id == current_user.company_id]
    return render_template("matches/outbox.html",
                           outgoing=workflow.outgoing_requests(current_user),
                           proposals=proposals, workflow=workflow)


@bp.route("/history")
@organisation_required(*ORGANISATION_ROLES)
def history():
    """Every match of my organisation, filterable by status."""
    try:
        status = MatchStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    pagination = db.paginate(workflow.organisation_matches(current_user, status), page=_page(),
                             per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("matches/history.html", pagination=pagination, status=status,
                           statuses=list(MatchStatus),
                           consortia=workflow.organisation_consortia(current_user),
                           workflow=workflow)


# --- one match -------------------------------------------------------------------------------


def _render_detail(match: Match, decline_form: DeclineForm | None = None,
                   review_form: ReviewForm | None = None, status: int = 200):
    side = workflow.side_of(current_user, match)
    contacts = None
    if match.status == MatchStatus.APPROVED:
        contacts = workflow.contact_details(current_user, match)
    return render_template(
        "matches/detail.html",
        match=match,
        side=side,
        contacts=contacts,
        actions=workflow.allowed_actions(current_user, match),
        timeline=workflow.match_timeline(current_user, match),
        decline_form=decline_form or DeclineForm(),
        review_form=review_form or ReviewForm(),
        workflow=workflow,
    ), status


@bp.route("/<int:match_id>")
@login_required
def detail(match_id: int):
    """A match: both sides, the message, the timeline, my actions, contacts once approved."""
    match = _load_match(match_id)
    if not _may_view_match(match):
        abort(403)
    return _render_detail(match)


@bp.route("/new", methods=["GET", "POST"])
@interest_limits
@organisation_required(*ORGANISATION_ROLES)
def new():
    """Express interest in a need–solution pair, with a message for the other side."""
    form = MatchRequestForm()
    is_official = current_user.is_official
    if is_official:
        solution = db.get_or_404(Solution, request.args.get("solution_id", type=record_id) or 0)
        if not can_view_solution(current_user, solution):
            abort(404)
        options = workflow.interest_needs(current_user)
        form.need_id.choices = [("", _("-- 수요를 선택하세요 --"))] + [
            (n.id, n.title) for n in options]
        form.solution_id.choices = [(solution.id, solution.title)]
        fixed, fixed_kind = solution, "solution"
        if request.method == "GET":
            form.solution_id.data = solution.id
            form.need_id.data = request.args.get("need_id", type=record_id)
    else:
        need = db.get_or_404(Need, request.args.get("need_id", type=record_id) or 0)
        if not can_view_need(current_user, need):
            abort(404)
        options = workflow.interest_solutions(current_user)
        form.solution_id.choices = [("", _("-- 솔루션을 선택하세요 --"))] + [
            (s.id, s.title) for s in options]
        form.need_id.choices = [(need.id, need.title)]
        fixed, fixed_kind = need, "need"
        if request.method == "GET":
            form.need_id.data = need.id
            form.solution_id.data = request.args.get("solution_id", type=record_id)
    if request.method == "GET":
        form.score.data = request.args.get("score", "")
    if request.method == "POST" and form.validate():
        if is_official:
            chosen_need = db.session.get(Need, form.need_id.data)
            chosen_solution = fixed
            if chosen_need is None:
                form.need_id.errors = [_("수요를 목록에서 선택하세요.")]
        else:
            chosen_need = fixed
            chosen_solution = db.session.get(Solution, form.solution_id.data)
            if chosen_solution is None:
                form.solution_id.errors = [_("솔루션을 목록에서 선택하세요.")]
        if chosen_need is not None and chosen_solution is not None:
            outcome = commit_service(
                lambda: workflow.express_interest(current_user, chosen_need, chosen_solution,
                                                  form.message.data,
                                                  score=optional_float(form.score.data)),
                form)
            if outcome:
                flash(_("관심을 표현했습니다. 상대방이 응답하면 알려 드립니다."), "success")
                return redirect(url_for("matches.detail", match_id=outcome.value.id))
    has_errors = bool(form.errors or form.form_errors)
    return render_template("matches/new.html", form=form, fixed=fixed, fixed_kind=fixed_kind,
                           options=options), (400 if has_errors else 200)


@bp.route("/<int:match_id>/accept", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def accept(match_id: int):
    """The other side accepts the request."""
    match = _load_match(match_id)
    _commit_or_flash(lambda: workflow.accept(current_user, match),
                     _("요청을 수락했습니다. 관리자 검토 후 연락처가 공개됩니다."))
    return redirect(url_for("matches.detail", match_id=match_id))


@bp.route("/<int:match_id>/decline", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def decline(match_id: int):
    """The other side declines the request, optionally with a reason."""
    match = _load_match(match_id)
    form = DeclineForm()
    if form.validate() and commit_service(
            lambda: workflow.decline(current_user, match, form.reason.data), form):
        flash(_("요청을 거절했습니다."), "info")
        return redirect(url_for("matches.detail", match_id=match_id))
    if workflow.side_of(current_user, match) is None:
        abort(403)
    return _render_detail(match, decline_form=form, status=400)


@bp.route("/<int:match_id>/withdraw", methods=["POST"])
@organisation_required(*ORGANISATION_ROLES)
def withdraw(match_id: int):
    """The requesting side withdraws its pending request."""
    match = _load_match(match_id)
    _commit_or_flash(lambda: workflow.withdraw(current_user, match), _("요청을 철회했습니다."))
    return redirect(url_for("matches.detail", match_id=match_id))


# --- admin review ----------------------------------------------------------------------------


@bp.route("/review")
@role_required(Role.ADMIN)
def review():
    """Mutual matches and consortia waiting for an admin decision."""
    matches, consortia = workflow.review_queue()
    return render_template("matches/review.html", matches=matches, consortia=consortia,
                           form=ReviewForm(), errors={}, workflow=workflow)


def _decide(item, action: str, item_key: tuple[str, int]):
    form = ReviewForm()
    if form.validate():
        outcome = commit_service(lambda: getattr(workflow, action)(current_user, item,
                                                                  form.reason.data), form)
        if outcome:
            flash(_("승인했습니다.") if action == "approve" else _("반려했습니다."), "success")
            return redirect(url_for("matches.review"))
        if action not in workflow.allowed_actions(current_user, item):  # not in the queue
            flash(outcome.error.message, "danger")
    matches, consortia = workflow.review_queue()
    errors = {item_key: list(form.reason.errors) + list(form.form_errors)}
    return render_template("matches/review.html", matches=matches, consortia=consortia,
                           form=ReviewForm(), errors=errors, workflow=workflow), 400


@bp.route("/<int:match_id>/approve", methods=["POST"])
@role_required(Role.ADMIN)
def approve(match_id: int):
    """An admin approves a mutual match."""
    return _decide(_load_match(match_id), "approve", ("match", match_id))


@bp.route("/<int:match_id>/reject", methods=["POST"])
@role_required(Role.ADMIN)
def reject(match_id: int):
    """An admin rejects a mutual match with a reason."""
    return _decide(_load_match(match_id), "reject", ("match", match_id))


@bp.route("/consortia/<int:proposal_id>/approve", methods=["POST"])
@role_required(Role.ADMIN)
def consortium_approve(proposal_id: int):
    """An admin approves a consortium the municipality accepted."""
    return _decide(_load_proposal(proposal_id), "approve", ("consortium", proposal_id))


@bp.route("/consortia/<int:proposal_id>/reject", methods=["POST"])
@role_required(Role.ADMIN)
def consortium_reject(proposal_id: int):
    """An admin rejects a consortium with a reason."""
    return _decide(_load_proposal(proposal_id), "reject", ("consortium", proposal_id))


# --- consortia -------------------------------------------------------------------------------


def _selected_partners(form: ConsortiumForm) -> list[Solution] | None:
    ids = list(dict.fromkeys(form.partner_solution_ids.data or []))
    found = [db.session.get(Solution, sid) for sid in ids]
    if any(s is None for s in found):
        form.partner_solution_ids.errors = [_("참여사 솔루션을 목록에서 선택하세요.")]
        return None
    return found


@bp.route("/consortia/new", methods=["GET", "POST"])
@interest_limits
@organisation_required(Role.COMPANY)
def consortium_new():
    """Propose a consortium to a need (usually from a partnership suggestion)."""
    need = db.get_or_404(Need, request.args.get("need_id", type=record_id) or 0)
    if not can_view_need(current_user, need):
        abort(404)
    company = current_user.company
    form = ConsortiumForm()
    lead_options = [s for s in workflow.interest_solutions(current_user)]
    partner_options = workflow.partner_candidates(company.id)
    form.lead_solution_id.choices = [("", _("-- 주관 솔루션을 선택하세요 --"))] + [
        (s.id, s.title) for s in lead_options]
    form.partner_solution_ids.choices = [(s.id, f"{s.company.name} · {s.title}")
                                         for s in partner_options]
    if request.method == "GET":
        form.lead_solution_id.data = request.args.get("lead_solution_id", type=record_id)
        form.partner_solution_ids.data = request.args.getlist(
            "partner_solution_id", type=record_id)
    if request.method == "POST" and form.validate():
        lead = db.session.get(Solution, form.lead_solution_id.data)
        partners = _selected_partners(form)
        if lead is None:
            form.lead_solution_id.errors = [_("주관 솔루션을 선택하세요.")]
        elif partners is not None:
            outcome = commit_service(
                lambda: workflow.propose_consortium(
                    current_user, need, lead, partners,
                    workflow.suggested_shares(need, lead, partners), form.message.data), form)
            if outcome:
                flash(_("컨소시엄을 제안했습니다. 참여사가 모두 확인하면 지자체에 전달됩니다."), "success")
                return redirect(url_for("matches.consortium_detail",
                                        proposal_id=outcome.value.id))
    has_errors = bool(form.errors or form.form_errors)
    return render_template(
        "matches/consortium_new.html", form=form, need=need, company=company,
        is_lead_size=company.size_class in workflow.LEAD_SIZES,
        cap=current_app.config["CONSORTIUM_LARGE_SHARE_CAP"],
    ), (400 if has_errors else 200)


def _render_consortium(proposal: ConsortiumProposal, decline_form: DeclineForm | None = None,
                       status: int = 200):
    contacts = None
    if proposal.status == ConsortiumStatus.APPROVED:
        contacts = workflow.consortium_contact_details(current_user, proposal)
    return render_template(
        "matches/consortium_detail.html",
        proposal=proposal,
        contacts=contacts,
        actions=workflow.allowed_actions(current_user, proposal),
        decline_form=decline_form or DeclineForm(),
        review_form=ReviewForm(),
        workflow=workflow,
    ), status


@bp.route("/consortia/<int:proposal_id>")
@login_required
def consortium_detail(proposal_id: int):
    """A consortium proposal: members, shares, confirmations, actions and contacts."""
    proposal = _load_proposal(proposal_id)
    if not workflow.can_view_consortium(current_user, proposal):
        abort(403)
    return _render_consortium(proposal)


def _my_membership(proposal: ConsortiumProposal) -> ConsortiumMember:
    member = workflow.partner_membership(current_user, proposal)
    if member is None:
        abort(403)
    return member


@bp.route("/consortia/<int:proposal_id>/confirm", methods=["POST"])
@organisation_required(Role.COMPANY)
def consortium_confirm(proposal_id: int):
    """A partner firm confirms its participation."""
    proposal = _load_proposal(proposal_id)
    member = _my_membership(proposal)
    _commit_or_flash(lambda: workflow.respond_to_consortium(current_user, member, True),
                     _("컨소시엄 참여를 확인했습니다."))
    return redirect(url_for("matches.consortium_detail", proposal_id=proposal_id))


def _decline_consortium(proposal: ConsortiumProposal, action):
    form = DeclineForm()
    if form.validate() and commit_service(lambda: action(form.reason.data), form):
        flash(_("거절했습니다."), "info")
        return redirect(url_for("matches.consortium_detail", proposal_id=proposal.id))
    if not workflow.can_view_consortium(current_user, proposal):
        abort(403)
    return _render_consortium(proposal, decline_form=form, status=400)


@bp.route("/consortia/<int:proposal_id>/partner-decline", methods=["POST"])
@organisation_required(Role.COMPANY)
def consortium_partner_decline(proposal_id: int):
    """A partner firm declines to take part, optionally with a reason."""
    proposal = _load_proposal(proposal_id)
    member = _my_membership(proposal)
    return _decline_consortium(
        proposal, lambda reason: workflow.respond_to_consortium(current_user, member, False,
                                                                 reason))


@bp.route("/consortia/<int:proposal_id>/accept", methods=["POST"])
@organisation_required(Role.MUNICIPALITY)
def consortium_accept(proposal_id: int):
    """The municipality accepts a submitted consortium."""
    proposal = _load_proposal(proposal_id)
    _commit_or_flash(lambda: workflow.answer_consortium(current_user, proposal, True),
                     _("컨소시엄 제안을 수락했습니다. 관리자 검토 후 연락처가 공개됩니다."))
    return redirect(url_for("matches.consortium_detail", proposal_id=proposal_id))


@bp.route("/consortia/<int:proposal_id>/decline", methods=["POST"])
@organisation_required(Role.MUNICIPALITY)
def consortium_decline(proposal_id: int):
    """The municipality declines a submitted consortium, optionally with a reason."""
    proposal = _load_proposal(proposal_id)
    return _decline_consortium(
        proposal, lambda reason: workflow.answer_consortium(current_user, proposal, False,
                                                            reason))


@bp.route("/consortia/<int:proposal_id>/withdraw", methods=["POST"])
@organisation_required(Role.COMPANY)
def consortium_withdraw(proposal_id: int):
    """The lead firm withdraws its proposal."""
    proposal = _load_proposal(proposal_id)
    _commit_or_flash(lambda: workflow.withdraw_consortium(current_user, proposal),
                     _("컨소시엄 제안을 철회했습니다."))
    return redirect(url_for("matches.consortium_detail", proposal_id=proposal_id))
