"""Thin views of overseas demand: the admins' organisations and invitations, and the join link."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.auth.access import role_required
from app.models import Role
from app.overseas.forms import InviteForm, JoinForm, LinkForm, OrganisationForm
from app.service_errors import commit_service
from app.services import accounts, privacy
from app.services import overseas as overseas_service
from app.services.errors import NotFound

admin_bp = Blueprint("overseas_admin", __name__)
bp = Blueprint("overseas", __name__)


# --- admins ----------------------------------------------------------------------------------

def _render_list(create_form=None, invite_form=None, status: int = 200):
    organisations = overseas_service.organisations()
    invite_form = invite_form or InviteForm(formdata=None)
    invite_form.organisation_id.choices = [(o.id, o.full_name) for o in organisations
                                           if o.active]
    rows = [(o, overseas_service.officials_of(o), overseas_service.open_invitations(o))
            for o in organisations]
    return render_template("overseas/admin.html", rows=rows,
                           create_form=create_form or OrganisationForm(formdata=None),
                           invite_form=invite_form), status


@admin_bp.route("/")
@role_required(Role.ADMIN)
def index():
    """The overseas organisations (K-City Network), their officials and open invitations."""
    return _render_list()


@admin_bp.route("/", methods=["POST"])
@role_required(Role.ADMIN)
def create():
    """Add an overseas organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        data = overseas_service.OrganisationData(
            name=form.name.data, name_ko=form.name_ko.data, country=form.country.data,
            city=form.city.data, kind=form.kind.data, contact_email=form.contact_email.data)
        outcome = commit_service(lambda: overseas_service.create_organisation(
            current_user._get_current_object(), data), form)
        if outcome:
            flash(_("해외 기관 %(name)s을(를) 등록했습니다.", name=outcome.value.name), "success")
            return redirect(url_for("overseas_admin.index"))
    return _render_list(create_form=form, status=400)


@admin_bp.route("/invitations", methods=["POST"])
@role_required(Role.ADMIN)
def invite():
    """Invite a person by e-mail to act for an organisation (mailed after commit)."""
    form = InviteForm()
    form.organisation_id.choices = []
    if form.validate_on_submit():
        outcome = commit_service(lambda: overseas_service.invite(
            current_user._get_current_object(), form.organisation_id.data, form.email.data), form)
        if outcome:
            flash(_("%(email)s에 초대 메일을 보냈습니다.", email=outcome.value.email), "success")
            return redirect(url_for("overseas_admin.index"))
    return _render_list(invite_form=form, status=400)


# --- the invitee -----------------------------------------------------------------------------

def _invalid_link(error: NotFound):
    return render_template("overseas/join_invalid.html", message=error.message), 404


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Accept an invitation: a new account, or the signed-in one linked to the organisation."""
    try:
        invitation = overseas_service.invitation_for_token(token)
    except NotFound as error:
        return _invalid_link(error)
    signed_in = current_user.is_authenticated
    form = LinkForm() if signed_in else JoinForm()
    if form.validate_on_submit():
        if signed_in:
            outcome = commit_service(lambda: overseas_service.join_existing(
                current_user._get_current_object(), token), form)
        else:
            def create_and_sign_in():
                user = overseas_service.join_new(
                    token, name=form.name.data, password=form.password.data,
                    consent_version=privacy.CURRENT.version if form.privacy_consent.data else None)
                accounts.record_login(user)
                return user
            outcome = commit_service(create_and_sign_in, form)
        if outcome:
            user = current_user._get_current_object() if signed_in else outcome.value
            login_user(user)  # the new role changed the session token
            flash(_("%(name)s의 담당자가 되었습니다. 이제 영어로 수요를 등록할 수 있습니다.",
                    name=invitation.organisation.name), "success")
            return redirect(url_for("needs.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("overseas/join.html", form=form, invitation=invitation,
                           signed_in=signed_in, consent=privacy.CURRENT), status
