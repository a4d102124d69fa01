"""Joint procurement: similar open needs of other municipalities, and groups to buy together.

The similarity and the clusters come from `matching.joint` over the app's engine (see
app/services/recommendations.py); this module adds who may see and do what.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.korean import particle_args
from app.models import (
    InvitationStatus,
    JointGroup,
    JointMember,
    Need,
    NeedStatus,
    User,
)
from app.models.base import utcnow
from app.services import notifications
from app.services.errors import NotFound, PermissionDenied, ServiceError
from app.services.recommendations import engine, is_recommendable_need
from app.services.visibility import can_view_need, need_is_public
from app.templating import place_particle_args
from matching.joint import DEFAULT_JOINT, JointConfig

CONFIG: JointConfig = DEFAULT_JOINT
ACTIVE_STATUSES = (InvitationStatus.PENDING, InvitationStatus.ACCEPTED)
_NEED_OPTIONS = (selectinload(Need.municipality), selectinload(Need.primary_category))


@dataclass
class SimilarOpenNeed:
    """Another municipality's open need similar to an official's need, and its group state."""

    need: Need
    score: float
    membership: JointMember | None  # its pending or accepted place in a group, if any

    @property
    def invitable(self) -> bool:
        """Not yet in any group."""
        return self.membership is None


@dataclass
class ClusterView:
    """A cluster of similar needs for the admins, with its rows loaded."""

    needs: list[Need]
    terms: tuple

    @property
    def municipalities(self) -> list:
        """The distinct municipalities, in the cluster's order."""
        return list({need.municipality_id: need.municipality for need in self.needs}.values())

    @property
    def categories(self) -> list:
        """The distinct primary categories."""
        return list({need.primary_category_id: need.primary_category
                     for need in self.needs}.values())

    @property
    def total_budget(self) -> int | None:
        """The sum of the maximum (else minimum) budgets given; None when no need gives one."""
        amounts = [n.budget_max if n.budget_max is not None else n.budget_min for n in self.needs]
        known = [a for a in amounts if a is not None]
        return sum(known) if known else None


OVERSEAS_REASON = _l("해외 수요(K-City Network)는 국내 지자체 공동구매 대상이 아닙니다.")


def acts_for(user: User, need: Need) -> bool:
    """A verified official of the need's municipality (overseas needs take no part in joint
    procurement: it is a Korean municipal procedure)."""
    return bool(user.is_official and user.acts_for_organisation and not need.is_overseas
                and user.owner_key == need.owner_key)


def active_membership(need: Need) -> JointMember | None:
    """The need's pending or accepted place in a group."""
    return db.session.scalar(
        select(JointMember).where(JointMember.need_id == need.id,
                                  JointMember.status.in_(ACTIVE_STATUSES)))


def _memberships(need_ids: list[int]) -> dict[int, JointMember]:
    rows = db.session.scalars(
        select(JointMember).where(JointMember.need_id.in_(need_ids),
                                  JointMember.status.in_(ACTIVE_STATUSES))
        .options(selectinload(JointMember.group)))
    return {row.need_id: row for row in rows}


def _loaded(need_ids) -> dict[int, Need]:
    ids = list(need_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(Need).where(Need.id.in_(ids)).options(*_NEED_OPTIONS))
    return {row.id: row for row in rows}


def _is_candidate(official: User, need: Need, other: Need | None) -> bool:
    return (other is not None and other.status == NeedStatus.OPEN and not other.is_overseas
            and other.municipality_id != need.municipality_id and can_view_need(official, other))


def similar_open_needs(official: User, need: Need) -> list[SimilarOpenNeed]:
    """Open needs of other municipalities similar to the official's need, that they may see."""
    if not acts_for(official, need) or not is_recommendable_need(need):
        return []
    from matching.joint import similar_needs

    found = engine().cached(("joint-similar", need.id, CONFIG),
                            lambda rec: similar_needs(rec, need.id, CONFIG))
    rows = _loaded(s.need_id for s in found)
    members = _memberships(list(rows))
    return [SimilarOpenNeed(rows[s.need_id], s.score, members.get(s.need_id))
            for s in found if _is_candidate(official, need, rows.get(s.need_id))]


def clusters() -> list[ClusterView]:
    """Every cluster of similar open needs of several municipalities (for the admins)."""
    from matching.joint import need_clusters

    found = engine().cached(("joint-clusters", CONFIG), lambda rec: need_clusters(rec, CONFIG))
    rows = _loaded(i for cluster in found for i in cluster.need_ids)
    views = []
    for cluster in found:
        needs = [rows[i] for i in cluster.need_ids
                 if i in rows and rows[i].status == NeedStatus.OPEN and need_is_public(rows[i])
                 and not rows[i].is_overseas]
        if len({n.municipality_id for n in needs}) >= CONFIG.min_size:
            views.append(ClusterView(needs, cluster.terms))
    return views


def _similarity(official: User, need: Need, other: Need) -> float | None:
    return next((s.score for s in similar_open_needs(official, need) if s.need.id == other.id),
                None)


def invite(official: User, need: Need, other_need_id: int | None) -> JointMember:
    """Invite another municipality's open need into the group the official's need leads
    (the group is created with the first invitation)."""
    if need.is_overseas:
        raise ServiceError(OVERSEAS_REASON)
    if not acts_for(official, need):
        raise PermissionDenied()
    if need.status != NeedStatus.OPEN or not need_is_public(need):
        raise ServiceError(_("모집 중인 공개 수요만 공동구매 그룹을 만들 수 있습니다."))
    other = db.session.get(Need, other_need_id) if other_need_id else None
    if other is None or not can_view_need(official, other):
        raise ServiceError(_("초대할 수요를 찾을 수 없습니다."), field="need_id")
    if other.is_overseas:
        raise ServiceError(OVERSEAS_REASON, field="need_id")
    if other.municipality_id == need.municipality_id:
        raise ServiceError(_("같은 지자체의 수요는 공동구매에 초대할 수 없습니다."), field="need_id")
    if other.status != NeedStatus.OPEN:
        raise ServiceError(_("모집 중인 수요만 초대할 수 있습니다."), field="need_id")
    if active_membership(other) is not None:
        raise ServiceError(_("이미 공동구매 그룹에 속한 수요입니다."), field="need_id")
    own = active_membership(need)
    if own is not None and not own.is_lead:
        raise ServiceError(_("다른 지자체가 이끄는 그룹에 속한 수요로는 초대할 수 없습니다."))
    if own is None:
        group = JointGroup(lead_municipality_id=need.municipality_id, created_by=official,
                           title=need.title)
        own = JointMember(group=group, need=need, municipality_id=need.municipality_id,
                          is_lead=True, status=InvitationStatus.ACCEPTED, invited_by=official,
                          responded_by=official, responded_at=utcnow())
        db.session.add_all([group, own])
    member = JointMember(group=own.group, need=other, municipality_id=other.municipality_id,
                         status=InvitationStatus.PENDING, invited_by=official,
                         score=_similarity(official, need, other))
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError as error:  # invited into another group at the same instant
        raise ServiceError(_("이미 공동구매 그룹에 속한 수요입니다."), field="need_id") from error
    notifications.notify_municipality(
        other.municipality, "joint_invitation",
        _l("%(place)s%(place_ga)s 공동구매를 제안했습니다",
           **place_particle_args("place", need.municipality, "이")),
        _l("'%(title)s' 수요와 비슷한 귀 기관의 수요 '%(other)s'%(other_reul)s 함께 조달하자는 제안입니다.",
           title=need.title, **particle_args("other", other.title, "을")),
        notifications.local_path("joint.detail", group_id=own.group_id))
    return member


def respond(official: User, member: JointMember, accept: bool) -> JointMember:
    """The invited municipality accepts or declines (once)."""
    if member.is_lead or not acts_for(official, member.need):
        raise PermissionDenied()
    if member.status != InvitationStatus.PENDING:
        raise ServiceError(_("이미 응답한 초대입니다."))
    if accept and member.need.status != NeedStatus.OPEN:
        raise ServiceError(_("모집 중인 수요만 공동구매에 참여할 수 있습니다."))
    member.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    member.responded_by = official
    member.responded_at = utcnow()
    db.session.flush()
    group = member.group
    title = (_l("%(place)s%(place_ga)s 공동구매 그룹에 참여합니다",
                **place_particle_args("place", member.municipality, "이"))
             if accept else
             _l("%(place)s%(place_ga)s 공동구매 초대를 거절했습니다",
                **place_particle_args("place", member.municipality, "이")))
    notifications.notify_municipality(group.lead_municipality, "joint_update", title,
                                      _l("그룹: %(title)s", title=group.title),
                                      notifications.local_path("joint.detail", group_id=group.id))
    return member


def can_view_group(user: User, group: JointGroup) -> bool:
    """Admins, and verified officials of a municipality invited into or taking part in it."""
    if user.is_admin:
        return True
    if not user.is_official or not user.acts_for_organisation:
        return False
    return any(m.municipality_id == user.municipality_id for m in group.members)


def get_group(user: User, group_id: int) -> JointGroup:
    """A group the user may see (NotFound, PermissionDenied)."""
    group = db.session.get(JointGroup, group_id)
    if group is None:
        raise NotFound()
    if not can_view_group(user, group):
        raise PermissionDenied()
    return group


def get_member(user: User, member_id: int) -> JointMember:
    """An invitation the user may answer (NotFound, PermissionDenied)."""
    member = db.session.get(JointMember, member_id)
    if member is None:
        raise NotFound()
    if member.is_lead or not acts_for(user, member.need):
        raise PermissionDenied()
    return member


def _groups_query():
    return (select(JointGroup)
            .options(selectinload(JointGroup.members).selectinload(JointMember.need),
                     selectinload(JointGroup.members).selectinload(JointMember.municipality),
                     selectinload(JointGroup.lead_municipality))
            .order_by(JointGroup.created_at.desc(), JointGroup.id.desc()))


def groups_for_official(official: User) -> list[JointGroup]:
    """The groups the official's municipality leads, is invited into or takes part in."""
    if not official.is_official or not official.acts_for_organisation:
        raise PermissionDenied()
    return list(db.session.scalars(_groups_query().where(JointGroup.id.in_(
        select(JointMember.group_id).where(
            JointMember.municipality_id == official.municipality_id)))))


def all_groups() -> list[JointGroup]:
    """Every group (for the admins)."""
    return list(db.session.scalars(_groups_query()))


def pending_invitations(official: User) -> list[JointMember]:
    """Invitations the official's municipality has not answered yet."""
    return list(db.session.scalars(
        select(JointMember).where(JointMember.municipality_id == official.municipality_id,
                                  JointMember.status == InvitationStatus.PENDING)
        .order_by(JointMember.id)))


@dataclass
class NeedPanel:
    """What an official's need page shows about joint procurement."""

    membership: JointMember | None
    similar: list[SimilarOpenNeed]

    @property
    def can_invite(self) -> bool:
        """The need leads its group, or is in none yet."""
        return self.membership is None or self.membership.is_lead


def need_panel(official: User, need: Need) -> NeedPanel | None:
    """The joint procurement section of the official's need page (None: not theirs to act on)."""
    if not acts_for(official, need):
        return None
    return NeedPanel(active_membership(need), similar_open_needs(official, need))
