"""Queries of the public catalogue: keyword search, filters, sorting and landing statistics."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, case, distinct, func, or_, select, union
from sqlalchemy.orm import aliased, defer, selectinload

from app.extensions import db
from app.models import (
    Category,
    Company,
    GovernmentLevel,
    Maturity,
    MembershipStatus,
    Municipality,
    Need,
    NeedStatus,
    SizeClass,
    Solution,
    Tag,
)
from app.models.need import need_secondary_category
from app.models.solution import solution_region, solution_secondary_category, solution_tag
from app.services.visibility import public_need_clause, public_solution_clause

SOLUTION_SORTS = ("newest", "title", "price")
NEED_SORTS = ("newest", "deadline", "budget")
MAX_KEYWORD_TERMS = 8
LIKE_ESCAPE = "\\"


@dataclass
class SolutionFilters:
    """What a visitor asked for on the solutions list (None means no filter)."""

    q: str = ""
    category_code: str | None = None
    region_id: int | None = None
    size_class: SizeClass | None = None
    maturity: Maturity | None = None
    budget: int | None = None
    sort: str = "newest"


@dataclass
class NeedFilters:
    """What a visitor asked for on the needs list (None means no filter)."""

    q: str = ""
    category_code: str | None = None
    region_id: int | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    statuses: tuple[NeedStatus, ...] = field(default=(NeedStatus.OPEN,))
    sort: str = "newest"


@dataclass
class CompanyFilters:
    """What a visitor asked for on the companies list."""

    q: str = ""
    size_class: SizeClass | None = None


@dataclass
class MunicipalityGroup:
    """A province with its basic governments and their open public needs."""

    province: Municipality
    province_needs: int
    total_needs: int
    basics: list[tuple[Municipality, int]]


# Columns list cards never show (a solution card shows its summary, a need card the start of
# its description): not read for lists, loaded on first access on the rare page that needs them.
SOLUTION_CARD_OPTIONS = (defer(Solution.description), defer(Solution.analysed_text),
                         selectinload(Solution.company), selectinload(Solution.primary_category))
NEED_CARD_OPTIONS = (defer(Need.analysed_text), selectinload(Need.municipality),
                     selectinload(Need.primary_category))


def like_pattern(term: str) -> str:
    """A %term% LIKE pattern with %, _ and the escape character taken literally."""
    escaped = (term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def keyword_terms(q: str | None) -> list[str]:
    """The whitespace-separated words of a search (every word must match)."""
    return (q or "").split()[:MAX_KEYWORD_TERMS]


def _contains(column, term: str):
    return column.ilike(like_pattern(term), escape=LIKE_ESCAPE)


def _category_ids(code: str):
    return select(Category.id).where(Category.code == code).scalar_subquery()


def _solutions_mentioning(term: str):
    """Ids of solutions whose title, summary, description, company or a tag contains the term.

    One select per field, united, so PostgreSQL answers each from its own trigram index
    (an OR across fields and subqueries would scan every description).
    """
    candidate = aliased(Solution)
    return union(
        select(candidate.id).where(_contains(candidate.title, term)),
        select(candidate.id).where(_contains(candidate.summary, term)),
        select(candidate.id).where(_contains(candidate.description, term)),
        select(candidate.id).join(Company, Company.id == candidate.company_id)
        .where(_contains(Company.name, term)),
        select(solution_tag.c.solution_id).join(Tag, Tag.id == solution_tag.c.tag_id)
        .where(_contains(Tag.name, term)),
    )


def _needs_mentioning(term: str):
    """Ids of needs whose title, description, target area or municipality contains the term."""
    candidate = aliased(Need)
    return union(
        select(candidate.id).where(_contains(candidate.title, term)),
        select(candidate.id).where(_contains(candidate.description, term)),
        select(candidate.id).where(_contains(candidate.target_area, term)),
        select(candidate.id).join(Municipality, Municipality.id == candidate.municipality_id)
        .where(or_(_contains(Municipality.full_name, term), _contains(Municipality.name_en, term))),
    )


def solution_search(filters: SolutionFilters) -> Select:
    """A select of public solutions matching the filters, in the requested order."""
    query = select(Solution).where(public_solution_clause()).options(*SOLUTION_CARD_OPTIONS)
    for term in keyword_terms(filters.q):
        query = query.where(Solution.id.in_(_solutions_mentioning(term)))
    if filters.category_code:
        category_id = _category_ids(filters.category_code)
        query = query.where(or_(
            Solution.primary_category_id == category_id,
            Solution.id.in_(select(solution_secondary_category.c.solution_id)
                            .where(solution_secondary_category.c.category_id == category_id)),
        ))
    if filters.region_id is not None:
        query = query.where(Solution.id.in_(
            select(solution_region.c.solution_id)
            .where(solution_region.c.municipality_id == filters.region_id)
        ))
    if filters.size_class is not None:
        query = query.where(Solution.company_id.in_(
            select(Company.id).where(Company.size_class == filters.size_class)
        ))
    if filters.maturity is not None:
        query = query.where(Solution.maturity == filters.maturity)
    if filters.budget is not None:
        query = query.where(or_(Solution.price_min.is_(None), Solution.price_min <= filters.budget))

    if filters.sort == "title":
        query = query.order_by(Solution.title.asc(), Solution.id.asc())
    elif filters.sort == "price":
        price = func.coalesce(Solution.price_min, Solution.price_max)
        query = query.order_by(case((price.is_(None), 1), else_=0), price.asc(),
                               Solution.price_max.asc(), Solution.id.asc())
    else:
        query = query.order_by(func.coalesce(Solution.published_at, Solution.created_at).desc(),
                               Solution.id.desc())
    return query


def need_search(filters: NeedFilters) -> Select:
    """A select of public needs matching the filters, in the requested order."""
    query = select(Need).where(public_need_clause()).options(*NEED_CARD_OPTIONS)
    if filters.statuses:
        query = query.where(Need.status.in_(filters.statuses))
    for term in keyword_terms(filters.q):
        query = query.where(Need.id.in_(_needs_mentioning(term)))
    if filters.category_code:
        category_id = _category_ids(filters.category_code)
        query = query.where(or_(
            Need.primary_category_id == category_id,
            Need.id.in_(select(need_secondary_category.c.need_id)
                        .where(need_secondary_category.c.category_id == category_id)),
        ))
    if filters.region_id is not None:
        query = query.where(Need.municipality_id.in_(
            select(Municipality.id).where(or_(Municipality.id == filters.region_id,
                                              Municipality.parent_id == filters.region_id))
        ))
    if filters.budget_min is not None:
        query = query.where(or_(Need.budget_max.is_(None), Need.budget_max >= filters.budget_min))
    if filters.budget_max is not None:
        query = query.where(or_(Need.budget_min.is_(None), Need.budget_min <= filters.budget_max))

    if filters.sort == "deadline":
        query = query.order_by(case((Need.application_deadline.is_(None), 1), else_=0),
                               Need.application_deadline.asc(), Need.id.desc())
    elif filters.sort == "budget":
        budget = func.coalesce(Need.budget_max, Need.budget_min)
        query = query.order_by(case((budget.is_(None), 1), else_=0), budget.desc(),
                               Need.id.desc())
    else:
        query = query.order_by(Need.created_at.desc(), Need.id.desc())
    return query


def approved_companies(filters: CompanyFilters) -> Select:
    """A select of approved alliance members matching the filters, by name."""
    query = select(Company).where(Company.membership_status == MembershipStatus.APPROVED)
    for term in keyword_terms(filters.q):
        query = query.where(or_(_contains(Company.name, term),
                                _contains(Company.description, term)))
    if filters.size_class is not None:
        query = query.where(Company.size_class == filters.size_class)
    return query.options(selectinload(Company.hq_region)).order_by(Company.name.asc())


def public_solution_counts(company_ids: list[int]) -> dict[int, int]:
    """How many public solutions each of these companies lists."""
    if not company_ids:
        return {}
    rows = db.session.execute(
        select(Solution.company_id, func.count(Solution.id))
        .where(public_solution_clause(), Solution.company_id.in_(company_ids))
        .group_by(Solution.company_id)
    )
    return {company_id: count for company_id, count in rows}


def company_public_solutions(company: Company) -> Select:
    """A select of the company's public solutions, newest first."""
    return solution_search(SolutionFilters()).where(Solution.company_id == company.id)


def open_need_counts() -> dict[int, int]:
    """Open public needs per municipality id."""
    rows = db.session.execute(
        select(Need.municipality_id, func.count(Need.id))
        .where(public_need_clause(), Need.status == NeedStatus.OPEN)
        .group_by(Need.municipality_id)
    )
    return {municipality_id: count for municipality_id, count in rows}


def municipality_groups() -> list[MunicipalityGroup]:
    """All local governments grouped by province, with their open public needs."""
    counts = open_need_counts()
    groups: dict[int, MunicipalityGroup] = {}
    basics: list[Municipality] = []
    for municipality in db.session.scalars(select(Municipality).order_by(Municipality.sort_order)):
        if municipality.level == GovernmentLevel.PROVINCE:
            own = counts.get(municipality.id, 0)
            groups[municipality.id] = MunicipalityGroup(municipality, own, own, [])
        else:
            basics.append(municipality)
    for municipality in basics:
        group = groups.get(municipality.parent_id)
        if group is None:
            continue
        count = counts.get(municipality.id, 0)
        group.basics.append((municipality, count))
        group.total_needs += count
    return list(groups.values())


def municipality_public_needs(municipality: Municipality) -> Select:
    """A select of the municipality's own public needs, open ones first, then newest."""
    return (
        select(Need)
        .where(public_need_clause(), Need.municipality_id == municipality.id)
        .options(*NEED_CARD_OPTIONS)
        .order_by(case((Need.status == NeedStatus.OPEN, 0), else_=1),
                  Need.created_at.desc(), Need.id.desc())
    )


def landing_stats() -> dict[str, int]:
    """Counts for the landing page."""
    return {
        "solutions": db.session.scalar(
            select(func.count(Solution.id)).where(public_solution_clause())) or 0,
        "open_needs": db.session.scalar(
            select(func.count()).select_from(Need).where(public_need_clause(),
                                                         Need.status == NeedStatus.OPEN)) or 0,
        "members": db.session.scalar(
            select(func.count(Company.id))
            .where(Company.membership_status == MembershipStatus.APPROVED)) or 0,
        "municipalities_with_needs": db.session.scalar(
            select(func.count(distinct(Need.municipality_id))).where(public_need_clause())) or 0,
    }


def newest_solutions(limit: int = 6) -> list[Solution]:
    """The most recently published public solutions."""
    return list(db.session.scalars(solution_search(SolutionFilters()).limit(limit)))


def newest_open_needs(limit: int = 6) -> list[Need]:
    """The most recently posted open public needs."""
    return list(db.session.scalars(need_search(NeedFilters()).limit(limit)))
