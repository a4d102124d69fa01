"""Thin views of the administrators' console (admins only)."""
from __future__ import annotations

from io import BytesIO
from typing import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.admin.forms import (
    AuditFilterForm,
    BusinessStatusForm,
    CompanyFilterForm,
    DecisionForm,
    ListingFilterForm,
    MunicipalityDomainsForm,
    OfficialFilterForm,
    UserFilterForm,
)
from app.auth.access import is_safe_redirect, role_required
from app.extensions import db
from app.ids import page_number
from app.labels import label
from app.models import Company, Municipality, Need, Role, Solution, User
from app.service_errors import commit_service
from app.services import admin as admin_service
from app.services import audit_display, business_status, verification, visibility
from app.services.errors import NotFound

bp = Blueprint("admin", __name__)

DEFAULT_PAGE_SIZE = 25


@bp.before_app_request
def sign_out_suspended_user():
    """Sign out a user whose account was suspended while they were signed in."""
    if request.endpoint == "static":
        return None
    if not current_user.is_anonymous and not current_user.is_active:
        logout_user()
        flash(_("계정이 정지되어 로그아웃되었습니다. 관리자에게 문의하세요. (Account suspended.)"),
              "warning")
    return None


@bp.before_request
@role_required(Role.ADMIN)
def require_admin():
    """Every page of the console is for administrators only."""
    return None


@bp.context_processor
def admin_helpers() -> dict:
    """Labels and link helpers used by the admin templates."""
    return {
        "audit_action_label": audit_display.action_label,
        "audit_target_label": audit_display.target_label,
        "describe_changes": audit_display.describe_changes,
        "endpoint_exists": lambda endpoint: endpoint in current_app.view_functions,
        "solution_is_public": visibility.solution_is_public,
        "need_is_public": visibility.need_is_public,
    }


def _page() -> int:
    return request.args.get("page", 1, type=page_number)


def _paginate(query):
    per_page = current_app.config.get("ADMIN_PAGE_SIZE", DEFAULT_PAGE_SIZE)
    return db.paginate(query, page=_page(), per_page=per_page, error_out=False)


def _filters(form) -> tuple[dict, int]:
    """The valid filter values of a GET form and the status code (400 when some are invalid)."""
    valid = form.validate()
    values = {field.name: field.data for field in form if field.name not in form.errors}
    return values, (200 if valid else 400)


def _decide(target, apply: Callable, render_detail: Callable, default_next: str):
    """Run an admin decision from a DecisionForm: commit and redirect, or re-render with 400."""
    form = DecisionForm()
    if form.validate_on_submit():
        outcome = commit_service(lambda: apply(current_user._get_current_object(), target,
                                               form.action.data, form.reason.data),
                                 form, flash_unplaced=True)
        if outcome:
            entry = outcome.value
            flash(_("%(target)s: '%(action)s' 처리했습니다.", target=entry.target_label,
                    action=audit_display.action_label(entry.action)), "success")
            target_url = form.next.data
            return redirect(target_url if is_safe_redirect(target_url) else default_next)
    else:
        for message in form.action.errors:
            flash(message, "danger")
    return render_detail(target, form), 400


@bp.route("/")
def index():
    """Console home: what awaits a decision, what is suspended, the latest audit entries."""
    return render_template("admin/index.html", counts=admin_service.dashboard(),
                           recent=admin_service.recent_audit_entries())


# --- companies -----------------------------------------------------------------------------

@bp.route("/companies")
def companies():
    """Companies by membership status, searchable by name or business number."""
    form = CompanyFilterForm(formdata=request.args)
    values, status = _filters(form)
    pagination = _paginate(admin_service.company_query(values.get("status"), values.get("q")))
    return render_template("admin/companies.html", form=form, pagination=pagination), status


def _render_company(company: Company, form: DecisionForm | None = None):
    return render_template(
        "admin/company_detail.html",
        company=company,
        form=form or DecisionForm(formdata=None),
        actions=admin_service.available_actions(admin_service.COMPANY_TRANSITIONS,
                                                company.membership_status),
        history=admin_service.audit_entries_for(company),
        business_status=business_status.latest_check(company),
        business_status_enabled=business_status.is_enabled(),
        business_status_form=BusinessStatusForm(formdata=None),
    )


@bp.route("/companies/<int:company_id>")
def company_detail(company_id: int):
    """A company with its members, solutions, membership actions and history."""
    return _render_company(db.get_or_404(Company, company_id))


@bp.route("/companies/<int:company_id>/decision", methods=["POST"])
def company_decision(company_id: int):
    """Approve, reject, suspend or reinstate a company's membership."""
    company = db.get_or_404(Company, company_id)
    return _decide(company, admin_service.decide_membership, _render_company,
                   url_for("admin.company_detail", company_id=company.id))


@bp.route("/companies/<int:company_id>/business-status", methods=["POST"])
def company_business_status(company_id: int):
    """Ask the National Tax Service again whether the company's business is active."""
    company = db.get_or_404(Company, company_id)
    if not BusinessStatusForm().validate_on_submit():
        abort(400)
    outcome = commit_service(lambda: business_status.recheck(current_user._get_current_object(),
                                                             company))
    if outcome:
        flash(_("국세청 사업자 상태를 조회했습니다: %(status)s",
                status=label(outcome.value.status)), "success")
    return redirect(url_for("admin.company_detail", company_id=company.id))


# --- officials -----------------------------------------------------------------------------

@bp.route("/officials")
def officials():
    """Municipal officials with their municipality, by verification status."""
    form = OfficialFilterForm(formdata=request.args)
    values, status = _filters(form)
    pagination = _paginate(admin_service.official_query(values.get("status"), values.get("q")))
    return render_template("admin/officials.html", form=form, pagination=pagination,
                           evidence=verification.summaries(pagination.items)), status


def _official_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not user.is_official:
        abort(404)
    return user


def _render_official(official: User, form: DecisionForm | None = None,
                     domains_form: MunicipalityDomainsForm | None = None):
    return render_template(
        "admin/official_detail.html",
        official=official,
        form=form or DecisionForm(formdata=None),
        actions=admin_service.available_actions(admin_service.OFFICIAL_TRANSITIONS,
                                                official.official_status),
        history=admin_service.audit_entries_for(official),
        needs=db.session.scalars(admin_service.need_query().where(
            Need.created_by_id == official.id).limit(20)).all(),
        evidence=verification.evidence_of(official),
        domain_matches=verification.evidence_domain_matches,
        domains=verification.official_domains(official.municipality),
        domains_form=domains_form or MunicipalityDomainsForm(
            formdata=None, email_domains=official.municipality.email_domains or ""),
    )


@bp.route("/officials/<int:user_id>")
def official_detail(user_id: int):
    """One official: municipality, contact, verification actions and history."""
    return _render_official(_official_or_404(user_id))


@bp.route("/officials/<int:user_id>/decision", methods=["POST"])
def official_decision(user_id: int):
    """Verify, reject, suspend or reinstate an official."""
    official = _official_or_404(user_id)
    return _decide(official, admin_service.decide_official, _render_official,
                   url_for("admin.official_detail", user_id=official.id))


@bp.route("/officials/<int:user_id>/documents/<int:evidence_id>")
def official_document(user_id: int, evidence_id: int):
    """Download an official's verification document (an attachment, never shown inline)."""
    try:
        evidence = verification.document_for_admin(_official_or_404(user_id), evidence_id)
    except NotFound:
        abort(404)
    response = send_file(BytesIO(evidence.content), mimetype=evidence.content_type,
                         as_attachment=True, download_name=verification.download_name(evidence),
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/officials/<int:user_id>/domains", methods=["POST"])
def official_domains(user_id: int):
    """Set the official e-mail domains of this official's municipality."""
    official = _official_or_404(user_id)
    municipality = db.get_or_404(Municipality, official.municipality_id)
    form = MunicipalityDomainsForm()
    if form.validate_on_submit():
        outcome = commit_service(lambda: verification.set_email_domains(
            current_user._get_current_object(), municipality, form.email_domains.data), form)
        if outcome:
            flash(_("%(place)s의 공식 이메일 도메인을 저장했습니다.", place=municipality.full_name),
                  "success")
            return redirect(url_for("admin.official_detail", user_id=official.id))
    return _render_official(official, domains_form=form), 400


# --- solutions and needs -------------------------------------------------------------------

@bp.route("/solutions")
def solutions():
    """Solutions to moderate: pending, public or suspended."""
    form = ListingFilterForm(formdata=request.args)
    values, status = _filters(form)
    pagination = _paginate(admin_service.solution_query(values.get("state"), values.get("q")))
    return render_template("admin/solutions.html", form=form, pagination=pagination), status


def _render_solution(solution: Solution, form: DecisionForm | None = None):
    return render_template(
        "admin/solution_detail.html",
        solution=solution,
        form=form or DecisionForm(formdata=None),
        actions=admin_service.available_actions(admin_service.MODERATION_TRANSITIONS,
                                                solution.moderation_status),
        history=admin_service.audit_entries_for(solution),
    )


@bp.route("/solutions/<int:solution_id>")
def solution_detail(solution_id: int):
    """One solution as the moderators see it."""
    return _render_solution(db.get_or_404(Solution, solution_id))


@bp.route("/solutions/<int:solution_id>/moderation", methods=["POST"])
def solution_moderation(solution_id: int):
    """Suspend or reinstate a solution."""
    solution = db.get_or_404(Solution, solution_id)
    return _decide(solution, admin_service.moderate_solution, _render_solution,
                   url_for("admin.solution_detail", solution_id=solution.id))


@bp.route("/needs")
def needs():
    """Needs to moderate: pending, public or suspended."""
    form = ListingFilterForm(formdata=request.args)
    values, status = _filters(form)
    pagination = _paginate(admin_service.need_query(values.get("state"), values.get("q")))
    return render_template("admin/needs.html", form=form, pagination=pagination), status


def _render_need(need: Need, form: DecisionForm | None = None):
    return render_template(
        "admin/need_detail.html",
        need=need,
        form=form or DecisionForm(formdata=None),
        actions=admin_service.available_actions(admin_service.MODERATION_TRANSITIONS,
                                                need.moderation_status),
        history=admin_service.audit_entries_for(need),
    )


@bp.route("/needs/<int:need_id>")
def need_detail(need_id: int):
    """One need as the moderators see it."""
    return _render_need(db.get_or_404(Need, need_id))


@bp.route("/needs/<int:need_id>/moderation", methods=["POST"])
def need_moderation(need_id: int):
    """Suspend or reinstate a need."""
    need = db.get_or_404(Need, need_id)
    return _decide(need, admin_service.moderate_need, _render_need,
                   url_for("admin.need_detail", need_id=need.id))


# --- users ---------------------------------------------------------------------------------

@bp.route("/users")
def users():
    """Every account, searchable by e-mail or name, by role and status."""
    form = UserFilterForm(formdata=request.args)
    values, status = _filters(form)
    pagination = _paginate(admin_service.user_query(values.get("q"), values.get("role"),
                                                    values.get("status")))
    return render_template("admin/users.html", form=form, pagination=pagination), status


def _render_user(user: User, form: DecisionForm | None = None):
    return render_template(
        "admin/user_detail.html",
        user=user,
        form=form or DecisionForm(formdata=None),
        actions=[action for action in admin_service.available_actions(
            admin_service.ACCOUNT_TRANSITIONS, user.account_status)
            if not (action.action == "suspend" and user.id == current_user.id)],
        history=admin_service.audit_entries_for(user),
        suspension_reason=admin_service.latest_reason(user, "user.suspend")
        if not user.is_active else None,
    )


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    """One account: role, organisation, status, account actions and history."""
    return _render_user(db.get_or_404(User, user_id))


@bp.route("/users/<int:user_id>/account", methods=["POST"])
def user_account(user_id: int):
    """Suspend or reactivate an account."""
    user = db.get_or_404(User, user_id)
    return _decide(user, admin_service.change_account_status, _render_user,
                   url_for("admin.user_detail", user_id=user.id))


# --- audit log -----------------------------------------------------------------------------

@bp.route("/audit")
def audit_log():
    """The audit log, newest first, by action, target type, actor and date range."""
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", _("전체")), *audit_display.action_choices()]
    form.target_type.choices = [("", _("전체")), *audit_display.target_choices()]
    form.actor.choices = [("", _("전체")), *admin_service.audit_actor_choices()]
    valid = form.validate()
    query = admin_service.audit_query(
        action=form.action.data or None,
        target_type=form.target_type.data or None,
        actor_id=form.actor.data,
        date_from=form.day("date_from"),
        date_to=form.day("date_to") if "date_to" not in form.errors else None,
    )
    return render_template("admin/audit_log.html", form=form,
                           pagination=_paginate(query)), (200 if valid else 400)
