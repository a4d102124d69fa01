"""Needs of municipal officials: listing, creating, editing and changing status."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.formatting import SEOUL
from app.labels import NEED_LANGUAGES
from app.models import Category, Need, NeedStatus, OfficialStatus, User
from app.services import data_hub, listing_alerts, policy
from app.services.errors import (
    NotFound,
    PermissionDenied,
    Problems,
    ServiceError,
    check_version,
)

TITLE_MAX = 120
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 10_000
TARGET_AREA_MAX = 200
MAX_KRW = 10**15  # 1,000조 원: far above any budget, safely inside a BIGINT
MAX_POPULATION = 100_000_000
# Officials who may write: verified ones, and pending ones (whose needs stay private meanwhile).
WRITING_OFFICIAL_STATUSES = (OfficialStatus.VERIFIED, OfficialStatus.PENDING)
NEED_LANGUAGE_CODES = frozenset(code for code, _name in NEED_LANGUAGES)


@dataclass
class NeedData:
    """The editable content of a need, as collected by the form."""

    title: str
    description: str
    primary_category_id: int | None
    secondary_category_ids: list[int] = field(default_factory=list)
    budget_min: int | None = None
    budget_max: int | None = None
    desired_start: date | None = None
    application_deadline: date | None = None
    target_area: str | None = None
    target_population: int | None = None
    status: NeedStatus | None = None
    requires_data_hub: bool = False
    required_data_hub_standard: str | None = None
    requires_open_source: bool = False
    language: str = "ko"  # "ko" or "en" (Need.language; see app.labels.NEED_LANGUAGES)
    # Ticked PolicyArea values; None leaves the need's policy tags as they are.
    policy_areas: list[str] | None = None


def today_in_seoul() -> date:
    """Today's date in Korea, the reference for deadlines."""
    return datetime.now(SEOUL).date()


def can_write_needs(user: User) -> bool:
    """True for officials allowed to create needs (verified or awaiting verification)."""
    return bool(user.is_official and user.official_status in WRITING_OFFICIAL_STATUSES)


def can_manage_need(user: User, need: Need) -> bool:
    """Officials acting for the municipality manage all of its needs; pending ones their own."""
    if not user.is_official or user.owner_key != need.owner_key:
        return False
    if user.acts_for_organisation:
        return True
    return user.official_status == OfficialStatus.PENDING and need.created_by_id == user.id


def _visible_to_official(official: User):
    """The needs an official may open here: the municipality's, or only their own drafts
    while they do not act for it (User.acts_for_organisation)."""
    if official.acts_for_organisation:
        return Need.owned_by(official)
    return and_(Need.owned_by(official), Need.created_by_id == official.id)


def municipality_needs(official: User, status: NeedStatus | None = None) -> Select:
    """A select of the needs of the official's municipality (their own only if unverified)."""
    if not official.is_official:
        raise PermissionDenied()
    query = (
        select(Need)
        .where(_visible_to_official(official))
        .options(selectinload(Need.primary_category), selectinload(Need.created_by))
        .order_by(Need.created_at.desc(), Need.id.desc())
    )
    if status is not None:
        query = query.where(Need.status == status)
    return query


def get_need_for_official(official: User, need_id: int) -> Need:
    """A need the official may open here (NotFound if missing, PermissionDenied if not)."""
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFound()
    if not official.is_official or need.owner_key != official.owner_key:
        raise PermissionDenied()
    if not official.acts_for_organisation and need.created_by_id != official.id:
        raise PermissionDenied()
    return need


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def check_need(data: NeedData, *, existing: Need | None = None) -> tuple[Category, list[Category]]:
    """Check every rule, changing nothing; raise all the refusals together (Problems)."""
    problems = Problems()
    title = _clean_text(data.title)
    if not title:
        problems.add(_("제목을 입력하세요."), field="title")
    elif len(title) > TITLE_MAX:
        problems.add(_("제목은 %(n)d자 이하로 입력하세요.", n=TITLE_MAX), field="title")
    description = _clean_text(data.description)
    if len(description) < DESCRIPTION_MIN:
        problems.add(_("문제 설명을 %(n)d자 이상 입력하세요.", n=DESCRIPTION_MIN),
                     field="description")
    elif len(description) > DESCRIPTION_MAX:
        problems.add(_("문제 설명은 %(n)d자 이하로 입력하세요.", n=DESCRIPTION_MAX),
                     field="description")

    primary = db.session.get(Category, data.primary_category_id) \
        if data.primary_category_id else None
    if primary is None:
        problems.add(_("주 분야를 목록에서 선택하세요."), field="primary_category_id")
    secondary_ids = list(dict.fromkeys(data.secondary_category_ids or []))
    secondaries = list(db.session.scalars(select(Category).where(Category.id.in_(secondary_ids))))
    if primary is not None and primary.id in secondary_ids:
        problems.add(_("주 분야와 같은 분야는 부 분야로 선택할 수 없습니다."),
                     field="secondary_category_ids")
    elif len(secondaries) != len(secondary_ids):
        problems.add(_("부 분야를 목록에서 선택하세요."), field="secondary_category_ids")

    for name, amount in (("budget_min", data.budget_min), ("budget_max", data.budget_max)):
        if amount is not None and not 0 <= amount <= MAX_KRW:
            problems.add(_("예산은 0원 이상, 1,000조 원 이하로 입력하세요."), field=name)
    if data.budget_min is not None and data.budget_max is not None \
            and data.budget_min > data.budget_max and not problems.has("budget_max"):
        problems.add(_("최대 예산은 최소 예산보다 크거나 같아야 합니다."), field="budget_max")

    today = today_in_seoul()
    deadline_changed = (existing is None
                        or data.application_deadline != existing.application_deadline)
    if data.application_deadline is not None and deadline_changed \
            and data.application_deadline < today:
        problems.add(_("신청 마감일은 오늘 이후 날짜여야 합니다."), field="application_deadline")
    start_changed = existing is None or data.desired_start != existing.desired_start
    if data.desired_start is not None and start_changed and data.desired_start < today:
        problems.add(_("희망 착수일은 오늘 이후 날짜여야 합니다."), field="desired_start")
    if data.application_deadline is not None and data.desired_start is not None \
            and data.application_deadline > data.desired_start \
            and not problems.has("application_deadline"):
        problems.add(_("신청 마감일은 희망 착수일보다 늦을 수 없습니다."),
                     field="application_deadline")

    if len(_clean_text(data.target_area)) > TARGET_AREA_MAX:
        problems.add(_("대상 지역은 %(n)d자 이하로 입력하세요.", n=TARGET_AREA_MAX),
                     field="target_area")
    if data.target_population is not None \
            and not 0 <= data.target_population <= MAX_POPULATION:
        problems.add(_("대상 인구는 0명 이상 1억 명 이하로 입력하세요."),
                     field="target_population")
    problems.check(data_hub.standard_from_code, data.required_data_hub_standard,
                   "required_data_hub_standard")
    if data.language not in NEED_LANGUAGE_CODES:
        problems.add(_("작성 언어를 목록에서 선택하세요."), field="language")
    if data.status is not None and not isinstance(data.status, NeedStatus):
        problems.add(_("상태를 목록에서 선택하세요."), field="status")
    if data.policy_areas is not None:
        problems.check(policy.clean_areas, data.policy_areas)
    problems.raise_any()
    return primary, secondaries


def _apply(need: Need, data: NeedData, primary: Category, secondaries: list[Category]) -> None:
    if data.policy_areas is not None:
        text_changed = (need.title, need.description) != (_clean_text(data.title),
                                                          _clean_text(data.description))
        policy.claim(need, policy.clean_areas(data.policy_areas), text_changed=text_changed)
    need.title = _clean_text(data.title)
    need.description = _clean_text(data.description)
    need.primary_category = primary
    need.secondary_categories = secondaries
    need.budget_min = data.budget_min
    need.budget_max = data.budget_max
    need.desired_start = data.desired_start
    need.application_deadline = data.application_deadline
    need.target_area = _clean_text(data.target_area) or None
    need.target_population = data.target_population
    # An overseas organisation's needs are always English (K-City Network); Korean officials choose.
    need.language = "en" if need.overseas_organisation_id is not None else data.language
    if data.status is not None:
        need.status = data.status
    # Naming a standard asks for a data hub through it (docs/data-hub.md).
    standard = data_hub.standard_from_code(data.required_data_hub_standard,
                                           "required_data_hub_standard")
    need.required_data_hub_standard = standard
    need.requires_data_hub = bool(data.requires_data_hub or standard)
    need.requires_open_source = bool(data.requires_open_source)


def create_need(official: User, data: NeedData) -> Need:
    """Post a need for the official's own municipality (private until the official is verified)."""
    if not can_write_needs(official) or official.owner_key is None:
        raise PermissionDenied(_("수요를 등록할 수 있는 공무원 계정이 아닙니다."))
    primary, secondaries = check_need(data, existing=None)
    if official.is_overseas_official:
        # Overseas organisations (K-City Network) post in English, matched on English fields.
        need = Need(overseas_organisation_id=official.overseas_organisation_id,
                    language="en", created_by=official, status=data.status or NeedStatus.OPEN)
    else:
        need = Need(municipality_id=official.municipality_id, created_by=official,
                    status=data.status or NeedStatus.OPEN)
    _apply(need, data, primary, secondaries)
    db.session.add(need)
    db.session.flush()
    listing_alerts.listing_published("need", need.id)
    return need


def update_need(official: User, need: Need, data: NeedData,
                expected_version: int | None = None) -> Need:
    """Change a need of the official's municipality; its municipality never changes (refused
    with a VersionConflict when it changed since `expected_version` was loaded)."""
    if not can_manage_need(official, need):
        raise PermissionDenied()
    check_version(need, expected_version)
    primary, secondaries = check_need(data, existing=need)
    _apply(need, data, primary, secondaries)
    db.session.flush()
    listing_alerts.listing_published("need", need.id)
    return need


def change_status(official: User, need: Need, status: NeedStatus | str) -> Need:
    """Move a need to another status (open, in review, matched, closed)."""
    if not can_manage_need(official, need):
        raise PermissionDenied()
    try:
        new_status = NeedStatus(status)
    except ValueError as exc:
        raise ServiceError(_("상태를 목록에서 선택하세요."), field="status") from exc
    need.status = new_status
    db.session.flush()
    return need
