"""Thin views of joint procurement: invite, answer, the groups, and the admins' clusters."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import organisation_required, role_required
from app.joint.forms import AnswerForm, InviteForm
from app.models import Role
from app.service_errors import abort_for, commit_service
from app.services import joint as joint_service
from app.services import needs as needs_service
from app.services.errors import ServiceError

bp = Blueprint("joint", __name__)
admin_bp = Blueprint("joint_admin", __name__)


def _loaded(load, *args):
    """The object `load` returns, or the 403/404 its refusal stands for."""
    try:
        return load(current_user, *args)
    except ServiceError as error:
        abort_for(error)
        raise


@bp.route("/")
@organisation_required(Role.MUNICIPALITY)
def index():
    """The groups of the official's municipality and the invitations awaiting an answer."""
    return render_template("joint/index.html",
                           groups=joint_service.groups_for_official(current_user),
                           invitations=joint_service.pending_invitations(current_user))


@bp.route("/<int:group_id>")
@role_required(Role.MUNICIPALITY, Role.ADMIN)
def detail(group_id: int):
    """One group: its lead, members and their answers."""
    group = _loaded(joint_service.get_group, group_id)
    return render_template("joint/detail.html", group=group, form=AnswerForm(),
                           acts_for=lambda need: joint_service.acts_for(current_user, need))


@bp.route("/needs/<int:need_id>/invite", methods=["POST"])
@organisation_required(Role.MUNICIPALITY)
def invite(need_id: int):
    """Invite another municipality's similar need into this need's group."""
    need = _loaded(needs_service.get_need_for_official, need_id)
    form = InviteForm()
    if not form.validate_on_submit():
        flash(_("초대할 수요를 찾을 수 없습니다."), "danger")
    elif commit_service(lambda: joint_service.invite(current_user, need, form.target_id())):
        flash(_("공동구매 초대를 보냈습니다. 상대 지자체가 수락하면 그룹에 참여합니다."), "success")
    return redirect(url_for("needs.detail", need_id=need.id) + "#joint")


def _respond(member_id: int, accept: bool):
    member = _loaded(joint_service.get_member, member_id)
    if AnswerForm().validate_on_submit() and commit_service(
            lambda: joint_service.respond(current_user, member, accept)):
        flash(_("공동구매 그룹에 참여했습니다.") if accept else _("공동구매 초대를 거절했습니다."),
              "success")
    return redirect(url_for("joint.detail", group_id=member.group_id))


@bp.route("/invitations/<int:member_id>/accept", methods=["POST"])
@organisation_required(Role.MUNICIPALITY)
def accept(member_id: int):
    """The invited municipality joins the group."""
    return _respond(member_id, True)


@bp.route("/invitations/<int:member_id>/decline", methods=["POST"])
@organisation_required(Role.MUNICIPALITY)
def decline(member_id: int):
    """The invited municipality declines."""
    return _respond(member_id, False)


@admin_bp.route("/clusters")
@role_required(Role.ADMIN)
def clusters():
    """Clusters of similar open needs of several municipalities."""
    return render_template("joint/admin_clusters.html", clusters=joint_service.clusters())


@admin_bp.route("/groups")
@role_required(Role.ADMIN)
def groups():
    """Every joint procurement group."""
    return render_template("joint/admin_groups.html", groups=joint_service.all_groups())
