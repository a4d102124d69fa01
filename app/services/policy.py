"""Policy tags of solutions and needs: authors claim, admins confirm or reject, lists filter.

The 4th Smart City Comprehensive Plan (2024–28) reserves at least 35% of a diffusion project's
total cost for climate-crisis response and digital inclusion (`PolicyArea`). The author of a
listing ticks the areas it serves on the solution or need form (a claim); an admin checks each
claim in the queue (`/admin/policy-tags/`), confirming or rejecting it, and every decision is
audit-logged. Only confirmed tags are shown as badges and count in the catalogue and API filters
and in the dashboard's budget shares (app/services/policy_share.py).

Editing re-claims: when a listing's text (title, summary, description) changes, every area still
ticked goes back to the queue as a claim, since the admin checked another text; a rejected area
ticked again is claimed again. Unticked areas are dropped. Saving without changing the text keeps
confirmed tags confirmed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Union

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.labels import label
from app.models import (
    AuditAction,
    AuditLog,
    Company,
    Need,
    NeedPolicyTag,
    PolicyArea,
    PolicyTagStatus,
    Solution,
    SolutionPolicyTag,
    User,
)
from app.models.base import utcnow
from app.services import audit
from app.services.errors import NotFound, ServiceError

Listing = Union[Solution, Need]
PolicyTag = Union[SolutionPolicyTag, NeedPolicyTag]
AREAS: tuple[PolicyArea, ...] = tuple(PolicyArea)
DECISIONS = {"confirm": (PolicyTagStatus.CONFIRMED, AuditAction.POLICY_TAG_CONFIRM),
             "reject": (PolicyTagStatus.REJECTED, AuditAction.POLICY_TAG_REJECT)}
QUEUE_LIMIT = 200  # listings per kind on the admin queue (oldest claims first)


def clean_areas(raw: Iterable[object] | None, field_name: str = "policy_areas"
                ) -> list[PolicyArea]:
    """The ticked areas (values of PolicyArea), deduplicated in declaration order."""
    values = {str(value) for value in (raw or []) if value not in (None, "")}
    unknown = values - {area.value for area in AREAS}
    if unknown:
        raise ServiceError(_("정책 분야는 목록에서 선택하세요."), field=field_name)
    return [area for area in AREAS if area.value in values]


def parse_area(raw: str | None) -> PolicyArea | None:
    """A `policy_area` filter value, or None for no filter (callers validate before)."""
    try:
        return PolicyArea(raw) if raw else None
    except ValueError:
        return None


def _tag_class(listing: Listing) -> type:
    return SolutionPolicyTag if isinstance(listing, Solution) else NeedPolicyTag


def claim(listing: Listing, areas: list[PolicyArea], *, text_changed: bool) -> None:
    """Make the listing's tags the ticked areas (see the module's rules on re-claiming)."""
    wanted = set(areas)
    existing = {tag.area: tag for tag in listing.policy_tags}
    for area, tag in existing.items():
        if area not in wanted:
            listing.policy_tags.remove(tag)
        elif text_changed or tag.status == PolicyTagStatus.REJECTED:
            _reset(tag)
    tag_class = _tag_class(listing)
    for area in areas:
        if area not in existing:
            listing.policy_tags.append(tag_class(area=area, status=PolicyTagStatus.CLAIMED,
                                                 claimed_at=utcnow()))


def _reset(tag: PolicyTag) -> None:
    if tag.status != PolicyTagStatus.CLAIMED:
        tag.status = PolicyTagStatus.CLAIMED
        tag.reviewed_at = None
        tag.reviewed_by_id = None
    tag.claimed_at = utcnow()


def area_values(listing: Listing) -> list[str]:
    """The ticked areas' values, to fill the form."""
    return [tag.area.value for tag in listing.policy_tags]


def confirmed_areas(listing: Listing) -> list[PolicyArea]:
    """The areas an admin confirmed (shown publicly and counted)."""
    return [tag.area for tag in listing.policy_tags if tag.status == PolicyTagStatus.CONFIRMED]


def solution_clause(area: PolicyArea):
    """Solutions carrying the confirmed tag."""
    return Solution.id.in_(select(SolutionPolicyTag.solution_id).where(
        SolutionPolicyTag.area == area, SolutionPolicyTag.status == PolicyTagStatus.CONFIRMED))


def need_clause(area: PolicyArea):
    """Needs carrying the confirmed tag."""
    return Need.id.in_(select(NeedPolicyTag.need_id).where(
        NeedPolicyTag.area == area, NeedPolicyTag.status == PolicyTagStatus.CONFIRMED))


# --- the admins' queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A listing with at least one claimed tag, and all its tags."""

    kind: str  # "solution" or "need"
    listing: Listing
    tags: list[PolicyTag]
    claimed_at: datetime

    @property
    def claimed(self) -> list[PolicyTag]:
        return [tag for tag in self.tags if tag.status == PolicyTagStatus.CLAIMED]


def _queue(model, tag_model, listing_column, options) -> list[QueueItem]:
    oldest = (select(listing_column, func.min(tag_model.claimed_at).label("since"))
              .where(tag_model.status == PolicyTagStatus.CLAIMED)
              .group_by(listing_column).subquery())
    rows = db.session.execute(
        select(model, oldest.c.since).join(oldest, oldest.c[listing_column.key] == model.id)
        .options(selectinload(model.policy_tags), *options)
        .order_by(oldest.c.since.asc(), model.id.asc()).limit(QUEUE_LIMIT)).all()
    kind = "solution" if model is Solution else "need"
    return [QueueItem(kind, listing, list(listing.policy_tags), since) for listing, since in rows]


def queue() -> dict[str, list[QueueItem]]:
    """Solutions and needs with claims awaiting an admin, oldest claim first."""
    return {
        "solution": _queue(Solution, SolutionPolicyTag, SolutionPolicyTag.solution_id,
                           (selectinload(Solution.company).load_only(Company.id, Company.name),)),
        "need": _queue(Need, NeedPolicyTag, NeedPolicyTag.need_id,
                       (selectinload(Need.municipality),)),
    }


def claimed_count() -> int:
    """How many claims (listing × area) await an admin."""
    return sum(db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.status == PolicyTagStatus.CLAIMED)) or 0
               for model in (SolutionPolicyTag, NeedPolicyTag))


def review(actor: User, listing: Listing | None, area_value: str | None,
           decision: str | None) -> AuditLog:
    """Confirm or reject one claimed tag of a listing; audit-logged like every admin action."""
    if listing is None:
        raise NotFound()
    area = parse_area(area_value)
    if area is None:
        raise ServiceError(_("정책 분야를 목록에서 선택하세요."), field="area")
    if decision not in DECISIONS:
        raise ServiceError(_("확인 또는 반려 중에서 선택하세요."), field="decision")
    tag = next((t for t in listing.policy_tags if t.area == area), None)
    if tag is None:
        raise ServiceError(_("이 항목에는 ‘%(area)s’ 태그가 없습니다. 작성자가 태그를 지웠을 수 있습니다.",
                             area=label(area)))
    if tag.status != PolicyTagStatus.CLAIMED:
        raise ServiceError(_("이 태그는 이미 ‘%(status)s’ 처리되었습니다.", status=label(tag.status)))
    status, action = DECISIONS[decision]
    tag_class = _tag_class(listing)
    owner = tag_class.solution_id if tag_class is SolutionPolicyTag else tag_class.need_id
    now = utcnow()
    # Only a claim still waiting is decided: a second admin's click on the same claim is refused.
    decided = db.session.execute(
        update(tag_class)
        .where(owner == listing.id, tag_class.area == area,
               tag_class.status == PolicyTagStatus.CLAIMED)
        .values(status=status, reviewed_at=now, reviewed_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if decided.rowcount != 1:
        raise ServiceError(_("이 태그는 이미 처리되었습니다. 화면을 새로 고쳐 확인하세요."))
    db.session.expire(tag)
    return audit.record(actor, action, listing,
                        before={"policy_area": area.value,
                                "policy_tag_status": PolicyTagStatus.CLAIMED.value},
                        after={"policy_area": area.value, "policy_tag_status": status.value})
