"""Thin views for a company's own profile, alliance membership and colleagues."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.company.access import company_member_required
from app.company.forms import CompanyForm, ConfirmForm, InvitationForm
from app.extensions import db
from app.models import Company, Role
from app.service_errors import commit_service, submitted_version, validate_with_rules
from app.services import recommendations
from app.services import companies, solutions
from app.services.errors import NotFound, PermissionDenied, ServiceError

bp = Blueprint("company", __name__)


def _profile_from(form: CompanyForm) -> companies.CompanyProfile:
    return companies.CompanyProfile(
        name=form.name.data or "",
        business_number=form.business_number.data or "",
        size_class=form.size_class.data or "",
        hq_region_id=form.hq_region_id.data,
        region_ids=form.region_ids.data or [],
        website=form.website.data,
        description=form.description.data or "",
    )


def _profile_data(company: Company) -> dict:
    return {
        "name": company.name,
        "business_number": company.formatted_business_number,
        "size_class": company.size_class.value,
        "hq_region_id": company.hq_region_id,
        "region_ids": [region.id for region in company.regions_served],
        "website": company.website or "",
        "description": company.description,
        "version": company.version,
    }


def _render_dashboard(invite_form: InvitationForm | None = None, status: int = 200):
    company = current_user.company
    return render_template(
        "company/dashboard.html",
        company=company,
        colleagues=companies.colleagues(company),
        invitations=[(invitation, companies.invitation_is_expired(invitation),
                      companies.registration_link(invitation))
                     for invitation in companies.open_invitations(company)],
        can_apply=companies.can_apply_for_membership(company),
        counts=solutions.status_counts(company),
        public_count=solutions.public_count(company),
        recent_solutions=db.session.scalars(
            solutions.company_solutions_query(company).limit(5)).all(),
        invite_form=invite_form or InvitationForm(formdata=None),
        recs=recommendations.company_overview(company),
    ), status


@bp.route("/")
@company_member_required
def dashboard():
    """The company's profile, membership, colleagues, solutions, invitations and recommendations."""
    return _render_dashboard()


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def create():
    """Register the signed-in user's company."""
    if current_user.company_id is not None:
        flash(_("이미 소속 기업이 있습니다."), "info")
        return redirect(url_for("company.dashboard"))
    form = CompanyForm()
    if validate_with_rules(form, lambda: companies.check_profile(_profile_from(form))):
        outcome = commit_service(lambda: companies.create_company(current_user,
                                                                  _profile_from(form)), form)
        if outcome:
            flash(_("%(name)s 기업을 등록했습니다. 이제 솔루션을 등록하고 융합 얼라이언스 회원 가입을 "
                    "신청할 수 있습니다.", name=outcome.value.name), "success")
            return redirect(url_for("company.dashboard"))
    return render_template("company/form.html", form=form, editing=False), \
        (400 if form.errors else 200)


@bp.route("/edit", methods=["GET", "POST"])
@company_member_required
def edit():
    """Change the company's profile."""
    company = current_user.company
    form = CompanyForm(data=_profile_data(company))
    if validate_with_rules(form, lambda: companies.check_profile(_profile_from(form), company)):
        outcome = commit_service(lambda: companies.update_company(
            current_user, _profile_from(form), submitted_version(form)), form)
        if outcome:
            flash(_("기업 정보를 저장했습니다."), "success")
            return redirect(url_for("company.dashboard"))
        if outcome.conflict:  # show what the colleague saved; the user re-applies the change
            company = current_user.company
            form = CompanyForm(formdata=None, data=_profile_data(company))
            form.form_errors.append(outcome.error.message)
            return render_template("company/form.html", form=form, editing=True,
                                   company=company), 409
    return render_template("company/form.html", form=form, editing=True, company=company), \
        (400 if form.errors else 200)


@bp.route("/apply", methods=["POST"])
@company_member_required
def apply():
    """Apply for convergence-alliance membership."""
    if commit_service(lambda: companies.apply_for_membership(current_user)):
        flash(_("융합 얼라이언스 회원 가입을 신청했습니다. 관리자 검토 후 결과를 알려 드립니다."), "success")
    return redirect(url_for("company.dashboard"))


@bp.route("/invitations", methods=["POST"])
@company_member_required
def invite():
    """Invite a colleague by e-mail."""
    form = InvitationForm()
    if form.validate_on_submit():
        outcome = commit_service(lambda: companies.invite_colleague(current_user, form.email.data),
                                 form)
        if outcome:
            invitation = outcome.value
            link = companies.registration_link(invitation)
            flash(_("%(email)s 주소로 초대 메일을 보냈습니다. 초대 링크를 직접 전달해도 됩니다: %(link)s",
                    email=invitation.email, link=link), "success")
            return redirect(url_for("company.dashboard"))
    return _render_dashboard(invite_form=form, status=400)


def _invitation_action(action, invitation_id: int, success: str):
    """Run an invitation service call that returns the address concerned; report the outcome."""
    outcome = commit_service(lambda: action(current_user, invitation_id))
    if outcome:
        flash(success % {"email": outcome.value}, "success")
    return redirect(url_for("company.dashboard"))


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@company_member_required
def resend_invitation(invitation_id: int):
    """E-mail an open invitation again, with a fresh expiry."""
    return _invitation_action(
        lambda actor, target: companies.resend_invitation(actor, target).email,
        invitation_id, _("%(email)s 주소로 초대 메일을 다시 보냈습니다."))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@company_member_required
def revoke_invitation(invitation_id: int):
    """Withdraw an open invitation."""
    return _invitation_action(companies.revoke_invitation, invitation_id,
                              _("%(email)s 주소로 보낸 초대를 취소했습니다."))


@bp.route("/join/<token>", methods=["GET", "POST"])
@role_required(Role.COMPANY)
def join(token: str):
    """Accept an invitation with an existing company account that has no company yet."""
    form = ConfirmForm()
    try:
        invitation = companies.invitation_for(current_user, token)
    except ServiceError as error:
        status = 403 if isinstance(error, PermissionDenied) else \
            404 if isinstance(error, NotFound) else 400
        return render_template("company/join.html", invitation=None, error=error.message,
                               form=form), status
    if request.method == "POST" and form.validate_on_submit():
        outcome = commit_service(lambda: companies.accept_invitation(current_user, token))
        if outcome:
            flash(_("%(name)s의 구성원이 되었습니다.", name=outcome.value.name), "success")
            return redirect(url_for("company.dashboard"))
    return render_template("company/join.html", invitation=invitation, error=None, form=form)
