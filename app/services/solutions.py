"""A company's solutions: listing, validation, status transitions and deployment references."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.formatting import SEOUL
from app.labels import label
from app.models import (
    Category,
    Company,
    DataHubStandard,
    DeploymentReference,
    GovernmentLevel,
    Maturity,
    ModerationStatus,
    Municipality,
    SandboxKind,
    Solution,
    SolutionDataHubStandard,
    SolutionStatus,
    Tag,
    User,
)
from app.models.base import utcnow
from app.services import data_hub, listing_alerts, policy, sandbox
from app.services.companies import own_company
from app.services.errors import (
    NotFound,
    PermissionDenied,
    Problems,
    ServiceError,
    check_version,
)
from app.services.visibility import public_solution_clause
from app.templating import place_name

TITLE_MAX = 120
SUMMARY_MAX = 200
DESCRIPTION_MAX = 20000
MAX_TAGS = 15
TAG_MAX = 40
PRICE_MAX = 10**15  # 1,000조 원: far above any real price, well inside BIGINT
OUTCOME_MAX = 300
FIRST_REFERENCE_YEAR = 1990
TAG_SEPARATORS = re.compile(r"[,，、]")

# Every allowed status change, (from, to) → the label of the button that performs it.
TRANSITIONS: dict[tuple[SolutionStatus, SolutionStatus], LazyString] = {
    (SolutionStatus.DRAFT, SolutionStatus.PUBLISHED): _l("게시하기"),
    (SolutionStatus.PUBLISHED, SolutionStatus.ARCHIVED): _l("보관하기"),
    (SolutionStatus.ARCHIVED, SolutionStatus.PUBLISHED): _l("다시 게시하기"),
    (SolutionStatus.PUBLISHED, SolutionStatus.DRAFT): _l("게시 취소 (초안으로)"),
}


@dataclass
class SolutionInput:
    """What the solution form collected (raw, validated by the service)."""

    title: str
    summary: str
    description: str
    primary_category_id: int | None
    maturity: str
    secondary_category_ids: list[int | None] = field(default_factory=list)
    tags: str = ""
    price_min: int | None = None
    price_max: int | None = None
    region_ids: list[int | None] = field(default_factory=list)
    data_hub_standards: list[str] = field(default_factory=list)
    open_source_license: str = ""
    source_url: str = ""
    # Optional English summary for overseas (English) needs, same limits as the Korean fields.
    title_en: str = ""
    summary_en: str = ""
    description_en: str = ""
    sandbox_kind: str = ""  # "" when the trial needs no regulatory exemption
    sandbox_rule: str = ""
    # Ticked PolicyArea values; None leaves the solution's policy tags as they are.
    policy_areas: list[str] | None = None


@dataclass(frozen=True)
class _CleanSolution:
    title: str
    summary: str
    description: str
    primary_category: Category
    secondary_categories: list[Category]
    tag_names: list[str]
    maturity: Maturity
    price_min: int | None
    price_max: int | None
    regions: list[Municipality]
    data_hub_standards: list[DataHubStandard] = field(default_factory=list)
    open_source: data_hub.OpenSource = data_hub.OpenSource(None, None)
    title_en: str | None = None
    summary_en: str | None = None
    description_en: str | None = None
    sandbox_kind: SandboxKind | None = None
    sandbox_rule: str | None = None
    policy_areas: list | None = None


def current_year() -> int:
    """This year in Korea."""
    return datetime.now(SEOUL).year


def own_solution(actor: User, solution_id: int) -> Solution:
    """A solution of the actor's company (404 when missing, 403 when another company's)."""
    company_id = own_company(actor).id
    solution = db.session.get(Solution, solution_id)
    if solution is None:
        raise NotFound()
    if solution.company_id != company_id:
        raise PermissionDenied()
    return solution


def company_solutions_query(company: Company, status: SolutionStatus | None = None) -> Select:
    """The company's solutions, most recently changed first (optionally of one status)."""
    query = select(Solution).where(Solution.company_id == company.id)
    if status is not None:
        query = query.where(Solution.status == status)
    return query.order_by(Solution.updated_at.desc(), Solution.id.desc())


def status_counts(company: Company) -> dict[SolutionStatus, int]:
    """How many of the company's solutions are in each status."""
    counts = {status: 0 for status in SolutionStatus}
    rows = db.session.execute(
        select(Solution.status, func.count()).where(Solution.company_id == company.id)
        .group_by(Solution.status)
    )
    for status, count in rows:
        counts[status] = count
    return counts


def public_count(company: Company) -> int:
    """How many of the company's solutions the public catalogue shows."""
    return db.session.scalar(
        select(func.count()).select_from(Solution)
        .where(Solution.company_id == company.id, public_solution_clause())
    ) or 0


def visibility_note(solution: Solution) -> str | None:
    """Why the solution is not public, or None when the catalogue shows it."""
    if solution.moderation_status == ModerationStatus.SUSPENDED:
        reason = solution.moderation_reason or ""
        return _("관리자가 게시를 중단했습니다. %(reason)s", reason=reason).strip()
    if solution.status != SolutionStatus.PUBLISHED:
        return _("%(status)s 상태라 공개되지 않습니다.", status=label(solution.status))
    if not solution.company.is_approved_member:
        return _("기업의 융합 얼라이언스 회원 가입이 승인되면 공개됩니다.")
    return None


def available_transitions(solution: Solution) -> list[tuple[SolutionStatus, str]]:
    """The status changes allowed from the solution's current status, with button labels."""
    return [(target, str(text)) for (source, target), text in TRANSITIONS.items()
            if source == solution.status]


def normalise_tags(raw: str | None) -> list[str]:
    """Comma-separated tags: trimmed, inner spaces collapsed, ASCII lower-cased, deduplicated."""
    names: list[str] = []
    for piece in TAG_SEPARATORS.split(raw or ""):
        name = re.sub(r"\s+", " ", piece.strip().lstrip("#").strip())
        name = "".join(ch.lower() if ch.isascii() else ch for ch in name)
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ServiceError(_("태그는 %(max)d개까지 입력할 수 있습니다. (입력: %(count)d개)",
                             max=MAX_TAGS, count=len(names)), field="tags")
    too_long = [name for name in names if len(name) > TAG_MAX]
    if too_long:
        raise ServiceError(_("태그는 각각 %(max)d자 이하여야 합니다: %(tag)s",
                             max=TAG_MAX, tag=too_long[0][:TAG_MAX] + "…"), field="tags")
    return names


def _tags_named(names: list[str]) -> list[Tag]:
    """Existing Tag rows for these names, creating the missing ones."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    tags = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        tags.append(tag)
    return tags


def _required_text(value: str | None, field_name: str, limit: int, missing: str,
                   too_long: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(missing, field=field_name)
    if len(text) > limit:
        raise ServiceError(too_long, field=field_name)
    return text


def _optional_text(value: str | None, field_name: str, limit: int, too_long: str) -> str | None:
    """An optional text field: stripped, None when empty, refused when longer than `limit`."""
    text = (value or "").strip()
    if len(text) > limit:
        raise ServiceError(too_long, field=field_name)
    return text or None


def _price(value: int | None, field_name: str) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise ServiceError(_("가격은 0원 이상이어야 합니다."), field=field_name)
    if value > PRICE_MAX:
        raise ServiceError(_("가격이 너무 큽니다. 원 단위로 다시 확인하세요."), field=field_name)
    return value


def _clean_primary(category_id: int | None) -> Category:
    primary = db.session.get(Category, category_id) if category_id else None
    if primary is None:
        raise ServiceError(_("주 분야를 목록에서 선택하세요."), field="primary_category_id")
    return primary


def _clean_secondary(category_ids: list[int | None], primary: Category | None) -> list[Category]:
    secondary_ids = list(dict.fromkeys(category_ids or []))
    if primary is not None and primary.id in secondary_ids:
        raise ServiceError(_("보조 분야에 주 분야(%(name)s)를 다시 선택할 수 없습니다.",
                             name=primary.name_ko), field="secondary_category_ids")
    wanted = [i for i in secondary_ids if i is not None]
    secondary = list(db.session.scalars(
        select(Category).where(Category.id.in_(wanted)).order_by(Category.sort_order)
    )) if wanted else []
    if len(secondary) != len(secondary_ids):
        raise ServiceError(_("보조 분야는 목록에서 선택하세요."), field="secondary_category_ids")
    return secondary


def _clean_maturity(raw: str | None) -> Maturity:
    try:
        return Maturity(raw)
    except ValueError as exc:
        raise ServiceError(_("기술 성숙도를 목록에서 선택하세요."), field="maturity") from exc


def _clean_regions(region_ids_raw: list[int | None]) -> list[Municipality]:
    region_ids = list(dict.fromkeys(region_ids_raw or []))
    if not region_ids:
        raise ServiceError(_("공급 가능 지역을 한 곳 이상 선택하세요."), field="region_ids")
    wanted_regions = [i for i in region_ids if i is not None]
    regions = list(db.session.scalars(
        select(Municipality)
        .where(Municipality.id.in_(wanted_regions), Municipality.level == GovernmentLevel.PROVINCE)
        .order_by(Municipality.sort_order)
    )) if wanted_regions else []
    if len(regions) != len(region_ids):
        raise ServiceError(_("공급 가능 지역은 목록의 광역자치단체 중에서 선택하세요."), field="region_ids")
    return regions


def _title_taken(title: str, company_id: int, exclude_id: int | None) -> bool:
    duplicate = select(Solution.id).where(Solution.company_id == company_id,
                                          func.lower(Solution.title) == title.lower())
    if exclude_id is not None:
        duplicate = duplicate.where(Solution.id != exclude_id)
    return db.session.scalar(duplicate) is not None


def check_solution(data: SolutionInput, company_id: int,
                   exclude_id: int | None = None) -> _CleanSolution:
    """Check every field before anything is changed; raise all the refusals together."""
    problems = Problems()
    title = problems.check(_required_text, data.title, "title", TITLE_MAX,
                           _("솔루션명을 입력하세요."),
                           _("솔루션명은 %(max)d자 이하로 입력하세요.", max=TITLE_MAX))
    summary = problems.check(_required_text, data.summary, "summary", SUMMARY_MAX,
                             _("한 줄 소개를 입력하세요."),
                             _("한 줄 소개는 %(max)d자 이하로 입력하세요.", max=SUMMARY_MAX))
    description = problems.check(_required_text, data.description, "description",
                                 DESCRIPTION_MAX, _("상세 설명을 입력하세요."),
                                 _("상세 설명은 %(max)d자 이하로 입력하세요.", max=DESCRIPTION_MAX))
    primary = problems.check(_clean_primary, data.primary_category_id)
    secondary = problems.check(_clean_secondary, data.secondary_category_ids, primary)
    tag_names = problems.check(normalise_tags, data.tags)
    maturity = problems.check(_clean_maturity, data.maturity)
    price_min = problems.check(_price, data.price_min, "price_min")
    price_max = problems.check(_price, data.price_max, "price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        problems.add(_("최고 가격은 최저 가격보다 크거나 같아야 합니다."), field="price_max")
    regions = problems.check(_clean_regions, data.region_ids)
    standards = problems.check(data_hub.clean_standards, data.data_hub_standards)
    open_source = data_hub.check_open_source(data.open_source_license, data.source_url, problems)
    title_en = problems.check(_optional_text, data.title_en, "title_en", TITLE_MAX,
                              _("영문 솔루션명은 %(max)d자 이하로 입력하세요.", max=TITLE_MAX))
    summary_en = problems.check(_optional_text, data.summary_en, "summary_en", SUMMARY_MAX,
                                _("영문 한 줄 소개는 %(max)d자 이하로 입력하세요.", max=SUMMARY_MAX))
    description_en = problems.check(
        _optional_text, data.description_en, "description_en", DESCRIPTION_MAX,
        _("영문 상세 설명은 %(max)d자 이하로 입력하세요.", max=DESCRIPTION_MAX))
    sandbox_pair = problems.check(sandbox.clean_solution_sandbox, data.sandbox_kind,
                                  data.sandbox_rule) or (None, None)
    policy_areas = (problems.check(policy.clean_areas, data.policy_areas)
                    if data.policy_areas is not None else None)
    if title is not None and _title_taken(title, company_id, exclude_id):
        problems.add(_("같은 이름의 솔루션이 이미 있습니다. 다른 이름을 입력하세요."), field="title")
    problems.raise_any()
    return _CleanSolution(title, re.sub(r"\s+", " ", summary), description, primary, secondary,
                          tag_names, maturity, price_min, price_max, regions, standards or [],
                          open_source, title_en,
                          re.sub(r"\s+", " ", summary_en) if summary_en else None, description_en,
                          *sandbox_pair, policy_areas)


def _apply(solution: Solution, clean: _CleanSolution) -> None:
    text_changed = (solution.title, solution.summary, solution.description) != (
        clean.title, clean.summary, clean.description)
    if clean.policy_areas is not None:
        policy.claim(solution, clean.policy_areas, text_changed=text_changed)
    solution.title = clean.title
    solution.summary = clean.summary
    solution.description = clean.description
    solution.primary_category = clean.primary_category
    solution.secondary_categories = clean.secondary_categories
    solution.tags = _tags_named(clean.tag_names)
    solution.maturity = clean.maturity
    solution.price_min = clean.price_min
    solution.price_max = clean.price_max
    solution.regions_served = clean.regions
    kept = [link for link in solution.data_hub_links if link.standard in clean.data_hub_standards]
    have = {link.standard for link in kept}
    solution.data_hub_links = kept + [SolutionDataHubStandard(standard=s)
                                      for s in clean.data_hub_standards if s not in have]
    solution.open_source_license = clean.open_source.license
    solution.source_url = clean.open_source.source_url
    solution.title_en = clean.title_en
    solution.summary_en = clean.summary_en
    solution.description_en = clean.description_en
    solution.sandbox_kind = clean.sandbox_kind
    solution.sandbox_rule = clean.sandbox_rule


def _flush() -> None:
    """Flush; a concurrent duplicate (e.g. the same new tag) becomes a friendly error.

    The failed flush has already undone this transaction's work; the caller's unit of work
    rolls the session back when it handles the error.
    """
    try:
        db.session.flush()
    except IntegrityError as error:
        raise ServiceError(_("동시에 같은 내용이 저장되어 처리하지 못했습니다. 다시 시도하세요.")) from error


def create_solution(actor: User, data: SolutionInput) -> Solution:
    """A new draft solution of the actor's company."""
    company_id = own_company(actor).id
    clean = check_solution(data, company_id)
    solution = Solution(company_id=company_id, status=SolutionStatus.DRAFT)
    with db.session.no_autoflush:
        _apply(solution, clean)
    db.session.add(solution)
    _flush()
    return solution


def update_solution(actor: User, solution_id: int, data: SolutionInput,
                    expected_version: int | None = None) -> Solution:
    """Change the contents of one of the actor's company's solutions (refused with a
    VersionConflict when it changed since `expected_version` was loaded)."""
    solution = own_solution(actor, solution_id)
    check_version(solution, expected_version)
    clean = check_solution(data, solution.company_id, exclude_id=solution.id)
    with db.session.no_autoflush:
        _apply(solution, clean)
    _flush()
    if solution.status == SolutionStatus.PUBLISHED:
        listing_alerts.listing_published("solution", solution.id)
    return solution


def change_status(actor: User, solution_id: int, target: str) -> Solution:
    """Move a solution along one of the allowed TRANSITIONS."""
    solution = own_solution(actor, solution_id)
    try:
        new_status = SolutionStatus(target)
    except ValueError as exc:
        raise ServiceError(_("알 수 없는 상태입니다.")) from exc
    if (solution.status, new_status) not in TRANSITIONS:
        raise ServiceError(_("%(source)s 상태에서 %(target)s 상태로 바꿀 수 없습니다.",
                             source=label(solution.status), target=label(new_status)))
    solution.status = new_status
    if new_status == SolutionStatus.PUBLISHED:
        solution.published_at = utcnow()
    db.session.flush()
    if new_status == SolutionStatus.PUBLISHED:
        listing_alerts.listing_published("solution", solution.id)
    return solution


def delete_solution(actor: User, solution_id: int) -> str:
    """Delete a draft (only drafts); returns its title."""
    solution = own_solution(actor, solution_id)
    if solution.status != SolutionStatus.DRAFT:
        raise ServiceError(_("초안만 삭제할 수 있습니다. 게시된 솔루션은 보관하거나 게시를 취소하세요."))
    title = solution.title
    db.session.delete(solution)
    db.session.flush()
    return title


def check_reference(solution: Solution, *, municipality_id: int | None, year: int | None,
                    outcome: str | None, data_hub_name: str | None = None
                    ) -> tuple[Municipality, str, str | None]:
    """Check a deployment reference before it is added; raise all the refusals together."""
    problems = Problems()
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None:
        problems.add(_("도입 지자체를 목록에서 선택하세요."), field="municipality_id")
    this_year = current_year()
    if year is None or not FIRST_REFERENCE_YEAR <= year <= this_year:
        problems.add(_("도입 연도는 %(first)d년부터 %(last)d년 사이로 입력하세요.",
                       first=FIRST_REFERENCE_YEAR, last=this_year), field="year")
    text = problems.check(_required_text, outcome, "outcome", OUTCOME_MAX,
                          _("도입 성과를 입력하세요."),
                          _("도입 성과는 %(max)d자 이하로 입력하세요.", max=OUTCOME_MAX))
    hub = problems.check(data_hub.clean_data_hub_name, data_hub_name)
    if municipality is not None and any(existing.municipality_id == municipality.id
                                        and existing.year == year
                                        for existing in solution.references):
        problems.add(_("%(place)s %(year)d년 실적이 이미 등록되어 있습니다.",
                       place=place_name(municipality), year=year), field="municipality_id")
    problems.raise_any()
    return municipality, re.sub(r"\s+", " ", text), hub


def add_reference(actor: User, solution_id: int, *, municipality_id: int | None,
                  year: int | None, outcome: str | None,
                  data_hub_name: str | None = None) -> DeploymentReference:
    """Record a past deployment of the solution in one of the 243 local governments."""
    solution = own_solution(actor, solution_id)
    municipality, text, hub = check_reference(solution, municipality_id=municipality_id,
                                              year=year, outcome=outcome,
                                              data_hub_name=data_hub_name)
    reference = DeploymentReference(solution=solution, municipality=municipality, year=year,
                                    outcome=text, data_hub_name=hub)
    db.session.add(reference)
    db.session.flush()
    return reference


def remove_reference(actor: User, solution_id: int, reference_id: int) -> None:
    """Delete one deployment reference of the actor's company's solution."""
    solution = own_solution(actor, solution_id)
    reference = db.session.get(DeploymentReference, reference_id)
    if reference is None or reference.solution_id != solution.id:
        raise NotFound()
    solution.references.remove(reference)
    db.session.flush()
