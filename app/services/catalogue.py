"""Queries of the public catalogue: keyword search, filters, sorting and landing statistics."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, distinct, func, or_, select, union
from flask_sqlalchemy.pagination import Pagination
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
    PolicyArea,
    OverseasOrganisation,
    SizeClass,
    Solution,
    Tag,
)
from app.models.need import need_secondary_category
from app.models.solution import solution_region, solution_secondary_category, solution_tag
from app.services import policy, search
from app.services.pagination import paginate
from app.services.visibility import public_need_clause, public_solution_clause
from matching.query import parse_query, surface_forms

SOLUTION_SORTS = ("relevance", "newest", "title", "price")
NEED_SORTS = ("relevance", "newest", "deadline", "budget")
COMPANY_SORTS = ("relevance", "name")
MAX_KEYWORD_TERMS = 8
#: Up to this many matching ids are bound into the filter query; more are intersected in Python.
MAX_BOUND_IDS = 900
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
    policy_area: PolicyArea | None = None  # confirmed policy tag (app/services/policy.py)


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
    policy_area: PolicyArea | None = None  # confirmed policy tag (app/services/policy.py)
    # Only needs from designated places: a key of app.services.decline.FILTER_KINDS.
    decline: str | None = None
    overseas: bool | None = None  # True: overseas needs only; False: Korean ones only
    country: str | None = None  # ISO 3166-1 alpha-2 of the overseas organisation


@dataclass
class CompanyFilters:
    """What a visitor asked for on the companies list."""

    q: str = ""
    size_class: SizeClass | None = None
    sort: str = "name"


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
                         selectinload(Solution.company), selectinload(Solution.primary_category),
                         selectinload(Solution.policy_tags))
NEED_CARD_OPTIONS = (defer(Need.analysed_text), selectinload(Need.municipality),
                     selectinload(Need.overseas_organisation),
                     selectinload(Need.primary_category), selectinload(Need.policy_tags))


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


def _solution_filter_clauses(filters: SolutionFilters) -> list:
    """The WHERE clauses of the solution filters other than the keyword."""
    clauses = [public_solution_clause()]
    if filters.category_code:
        category_id = _category_ids(filters.category_code)
        clauses.append(or_(
            Solution.primary_category_id == category_id,
            Solution.id.in_(select(solution_secondary_category.c.solution_id)
                            .where(solution_secondary_category.c.category_id == category_id)),
        ))
    if filters.region_id is not None:
        clauses.append(Solution.id.in_(
            select(solution_region.c.solution_id)
            .where(solution_region.c.municipality_id == filters.region_id)
        ))
    if filters.size_class is not None:
        clauses.append(Solution.company_id.in_(
            select(Company.id).where(Company.size_class == filters.size_class)
        ))
    if filters.maturity is not None:
        clauses.append(Solution.maturity == filters.maturity)
    if filters.budget is not None:
        clauses.append(or_(Solution.price_min.is_(None), Solution.price_min <= filters.budget))
    if filters.policy_area is not None:
        clauses.append(policy.solution_clause(filters.policy_area))
    return clauses


def _solution_order(sort: str) -> tuple:
    if sort == "title":
        return (Solution.title.asc(), Solution.id.asc())
    if sort == "price":
        price = func.coalesce(Solution.price_min, Solution.price_max)
        return (case((price.is_(None), 1), else_=0), price.asc(), Solution.price_max.asc(),
                Solution.id.asc())
    return (func.coalesce(Solution.published_at, Solution.created_at).desc(), Solution.id.desc())


def solution_search(filters: SolutionFilters) -> Select:
    """A select of public solutions matching the filters (keyword words as substrings), in the
    requested order; the ranked keyword search is `search_solutions`."""
    query = select(Solution).where(*_solution_filter_clauses(filters)).options(*SOLUTION_CARD_OPTIONS)
    for term in keyword_terms(filters.q):
        query = query.where(Solution.id.in_(_solutions_mentioning(term)))
    return query.order_by(*_solution_order(filters.sort))


def _need_filter_clauses(filters: NeedFilters) -> list:
    """The WHERE clauses of the need filters other than the keyword."""
    clauses = [public_need_clause()]
    if filters.statuses:
        clauses.append(Need.status.in_(filters.statuses))
    if filters.category_code:
        category_id = _category_ids(filters.category_code)
        clauses.append(or_(
            Need.primary_category_id == category_id,
            Need.id.in_(select(need_secondary_category.c.need_id)
                        .where(need_secondary_category.c.category_id == category_id)),
        ))
    if filters.region_id is not None:
        clauses.append(Need.municipality_id.in_(
            select(Municipality.id).where(or_(Municipality.id == filters.region_id,
                                              Municipality.parent_id == filters.region_id))
        ))
    if filters.budget_min is not None:
        clauses.append(or_(Need.budget_max.is_(None), Need.budget_max >= filters.budget_min))
    if filters.budget_max is not None:
        clauses.append(or_(Need.budget_min.is_(None), Need.budget_min <= filters.budget_max))
    if filters.policy_area is not None:
        clauses.append(policy.need_clause(filters.policy_area))
    if filters.decline:
        from app.services import decline

        clauses.append(decline.need_clause(decline.FILTER_KINDS[filters.decline]))
    if filters.overseas is True:
        clauses.append(Need.overseas_organisation_id.is_not(None))
    elif filters.overseas is False:
        clauses.append(Need.overseas_organisation_id.is_(None))
    if filters.country:
        clauses.append(Need.overseas_organisation_id.in_(
            select(OverseasOrganisation.id).where(
                OverseasOrganisation.country == filters.country.upper())))
    return clauses


def _need_order(sort: str) -> tuple:
    if sort == "deadline":
        return (case((Need.application_deadline.is_(None), 1), else_=0),
                Need.application_deadline.asc(), Need.id.desc())
    if sort == "budget":
        budget = func.coalesce(Need.budget_max, Need.budget_min)
        return (case((budget.is_(None), 1), else_=0), budget.desc(), Need.id.desc())
    return (Need.created_at.desc(), Need.id.desc())


def need_search(filters: NeedFilters) -> Select:
    """A select of public needs matching the filters (keyword words as substrings), in the
    requested order; the ranked keyword search is `search_needs`."""
    query = select(Need).where(*_need_filter_clauses(filters)).options(*NEED_CARD_OPTIONS)
    for term in keyword_terms(filters.q):
        query = query.where(Need.id.in_(_needs_mentioning(term)))
    return query.order_by(*_need_order(filters.sort))


def _company_filter_clauses(filters: CompanyFilters) -> list:
    clauses = [Company.membership_status == MembershipStatus.APPROVED]
    if filters.size_class is not None:
        clauses.append(Company.size_class == filters.size_class)
    return clauses


def approved_companies(filters: CompanyFilters) -> Select:
    """A select of approved alliance members matching the filters (keyword words as
    substrings of name or description), by name; the ranked search is `search_companies`."""
    query = select(Company).where(*_company_filter_clauses(filters))
    for term in keyword_terms(filters.q):
        query = query.where(or_(_contains(Company.name, term),
                                _contains(Company.description, term)))
    return query.options(selectinload(Company.hq_region)).order_by(Company.name.asc())


# --- relevance-ranked keyword search ----------------------------------------------------------


class ListPagination(Pagination):
    """One page of an ordered list of ids, the page's rows loaded by `load(ids)` in that order."""

    def _query_items(self) -> list:
        ids = self._query_args["ids"][self._query_offset:self._query_offset + self.per_page]
        return self._query_args["load"](ids) if ids else []

    def _query_count(self) -> int:
        return len(self._query_args["ids"])


@dataclass
class Suggestion:
    """A nearby known word for a query word no visible listing has, and the query using it."""

    word: str
    term: str
    query: str


@dataclass
class CatalogueResults:
    """One page of a catalogue list with what the page shows about the keyword search."""

    pagination: Any
    marks: tuple[str, ...] = ()         # surface forms of the query's terms, to highlight
    ranked: bool = False                # ordered by the search index's relevance
    partial: bool = False               # no listing has every word: these have some of them
    suggestions: list[Suggestion] = field(default_factory=list)


def _rows_in_order(model, options: tuple, visible):
    """A loader of the page's rows in the given id order (visible ones only, as a last check)."""
    def load(ids: list[int]) -> list:
        rows = {row.id: row for row in db.session.scalars(
            select(model).where(visible, model.id.in_(ids)).options(*options))}
        return [rows[i] for i in ids if i in rows]
    return load


def _ids(query) -> list[int]:
    """The ids a select returns (Core rows: no ORM bookkeeping for thousands of integers)."""
    return list(db.session.connection().execute(query).scalars())


def _ordered(id_column, clauses: list, order: tuple | None, candidates: list[int]) -> list[int]:
    """The candidates kept by the filters, by relevance (order None) or by the SQL order.

    The index holds only visible listings and was brought up to date in this request, so with
    no filter beyond visibility (`clauses[0]`) relevance order needs no query; a short candidate
    list is bound into the query, a long one intersected in Python.
    """
    if not candidates:
        return []
    if order is None and len(clauses) == 1:
        return candidates
    query = select(id_column).where(*clauses)
    if len(candidates) <= MAX_BOUND_IDS:
        query = query.where(id_column.in_(candidates))
    if order is None:
        allowed = set(_ids(query))
        return [i for i in candidates if i in allowed]
    wanted = set(candidates)
    return [i for i in _ids(query.order_by(*order)) if i in wanted]


def _suggestions(group: str, q: str, words: list[str]) -> list[Suggestion]:
    out = []
    for word, terms in search.engine().suggestions(group, words).items():
        for term in terms:
            fixed = q.replace(word, term) if word in q else term
            out.append(Suggestion(word, term, fixed))
    return out


def _ranked_search(group: str, filters, id_column, clauses: list, order: tuple | None,
                   load, page: int, per_page: int) -> CatalogueResults | None:
    """The ranked keyword search of one list (None when the query has no searchable word)."""
    parsed = parse_query(filters.q)
    if not parsed:
        return None
    hits = search.engine().hits(group, parsed)
    ids = _ordered(id_column, clauses, order, hits.ranked)
    partial = False
    if not ids and hits.partial:
        ids, partial = _ordered(id_column, clauses, order, hits.partial), True
    suggestions = []
    if hits.unknown or not ids:
        suggestions = _suggestions(group, filters.q, hits.unknown or
                                   [c.label for c in parsed.concepts])
    pagination = ListPagination(ids=ids, load=load, page=page, per_page=per_page,
                                max_per_page=None, error_out=False)
    return CatalogueResults(pagination, marks=surface_forms(parsed), ranked=order is None,
                            partial=partial, suggestions=suggestions)


def search_solutions(filters: SolutionFilters, page: int, per_page: int) -> CatalogueResults:
    """One page of public solutions: ranked by relevance to the keyword when one is given."""
    order = None if filters.sort == "relevance" else _solution_order(filters.sort)
    results = None
    if filters.q:
        results = _ranked_search("solution", filters, Solution.id,
                                 _solution_filter_clauses(filters), order,
                                 _rows_in_order(Solution, SOLUTION_CARD_OPTIONS, public_solution_clause()), page, per_page)
    if results is None:
        results = CatalogueResults(paginate(solution_search(filters), page, per_page))
    return results


def search_needs(filters: NeedFilters, page: int, per_page: int) -> CatalogueResults:
    """One page of public needs: ranked by relevance to the keyword when one is given."""
    order = None if filters.sort == "relevance" else _need_order(filters.sort)
    results = None
    if filters.q:
        results = _ranked_search("need", filters, Need.id, _need_filter_clauses(filters), order,
                                 _rows_in_order(Need, NEED_CARD_OPTIONS, public_need_clause()), page, per_page)
    if results is None:
        results = CatalogueResults(paginate(need_search(filters), page, per_page))
    return results


def search_companies(filters: CompanyFilters, page: int, per_page: int) -> CatalogueResults:
    """One page of approved members: ranked by relevance to the keyword (name, description and
    public solutions) when one is given, otherwise by name."""
    order = None if filters.sort == "relevance" else (Company.name.asc(), Company.id.asc())
    results = None
    if filters.q:
        results = _ranked_search("company", filters, Company.id,
                                 _company_filter_clauses(filters), order,
                                 _rows_in_order(Company, (selectinload(Company.hq_region),),
                                                _company_filter_clauses(CompanyFilters())[0]),
                                 page, per_page)
    if results is None:
        results = CatalogueResults(paginate(approved_companies(filters), page, per_page))
    return results


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
