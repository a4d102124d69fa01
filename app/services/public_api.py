"""The public API's queries and records: only what the public catalogue shows, nothing more.

Every query starts from the catalogue's own selects (`app/services/catalogue.py`), which start
from the visibility rules (`app/services/visibility.py`); every record is built here from a
short list of fields the public pages already show (no author, e-mail, phone, moderation or
match data), and the API's schemas dump only the fields they declare.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from flask import url_for
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from app.dashboard.tables import csv_cell
from app.extensions import db
from app.labels import label
from app.models import (
    Category,
    Company,
    DataHubStandard,
    DeploymentReference,
    GovernmentLevel,
    Maturity,
    MembershipStatus,
    Municipality,
    Need,
    NeedStatus,
    SizeClass,
    Solution,
    SolutionDataHubStandard,
)
from app.models.solution import solution_region
from app.services import catalogue, decline, policy
from app.services.catalogue import CompanyFilters, NeedFilters, SolutionFilters
from app.services.pagination import paginate
from app.services.visibility import (
    need_is_public,
    public_need_clause,
    public_solution_clause,
    solution_is_public,
)
from app.templating import category_name, place_name

BATCH_SIZE = 500  # rows per query of a bulk download

# The catalogue's list query defers descriptions (cards do not show them): one query per page
# reads them (`_descriptions`).
SOLUTION_OPTIONS = (
    selectinload(Solution.company),
    selectinload(Solution.primary_category),
    selectinload(Solution.secondary_categories),
    selectinload(Solution.tags),
    selectinload(Solution.regions_served),
    selectinload(Solution.references).selectinload(DeploymentReference.municipality),
    selectinload(Solution.data_hub_links),
    selectinload(Solution.policy_tags),
)
NEED_OPTIONS = (
    selectinload(Need.municipality).selectinload(Municipality.parent),
    selectinload(Need.primary_category),
    selectinload(Need.secondary_categories),
    selectinload(Need.policy_tags),
)
COMPANY_OPTIONS = (selectinload(Company.hq_region).selectinload(Municipality.parent),
                   selectinload(Company.regions_served))
MUNICIPALITY_OPTIONS = (selectinload(Municipality.parent),)


# --- filters ----------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """An aware moment in UTC (a moment without an offset is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _enum(kind, value):
    """The enum member a parameter names (None when absent)."""
    return kind(value) if value is not None else None


def _in_region(column, region_id: int):
    """The local government itself or, for a province, one of its basic governments."""
    return column.in_(select(Municipality.id).where(
        or_(Municipality.id == region_id, Municipality.parent_id == region_id)))


def _region_and_province(region_id: int) -> list[int]:
    """The local government and the province it belongs to (a province serves its basics)."""
    parent = db.session.scalar(select(Municipality.parent_id).where(Municipality.id == region_id))
    return [region_id] if parent is None else [region_id, parent]


#: `data_hub=any`: any data-hub standard (else one code of DataHubStandard).
ANY_DATA_HUB = "any"


def _data_hub_filters(query: Select, model, args: dict[str, Any]) -> Select:
    """`open_source` (1: open source only, 0: closed only) and `data_hub` (a standard's code or
    `any`): for solutions what they offer, for needs what they require."""
    hub, open_source = args.get("data_hub"), args.get("open_source")
    if model is Solution:
        if hub is not None:
            links = select(SolutionDataHubStandard.solution_id)
            if hub != ANY_DATA_HUB:
                links = links.where(SolutionDataHubStandard.standard == DataHubStandard(hub))
            query = query.where(Solution.id.in_(links))
        if open_source is not None:
            licensed = Solution.open_source_license.is_not(None)
            query = query.where(licensed if open_source == "1" else ~licensed)
        return query
    if hub is not None:
        query = query.where(Need.requires_data_hub.is_(True))
        if hub != ANY_DATA_HUB:
            query = query.where(Need.required_data_hub_standard == DataHubStandard(hub))
    if open_source is not None:
        query = query.where(Need.requires_open_source.is_(open_source == "1"))
    return query


def solutions_query(args: dict[str, Any]) -> Select:
    """Public solutions matching the API's filters, in the requested order."""
    query = catalogue.solution_search(SolutionFilters(
        q=args.get("q") or "",
        category_code=args.get("category"),
        size_class=_enum(SizeClass, args.get("size_class")),
        maturity=_enum(Maturity, args.get("maturity")),
        sort=args.get("sort") or "newest",
        policy_area=policy.parse_area(args.get("policy_area")),
    ))
    if args.get("region") is not None:
        query = query.where(Solution.id.in_(
            select(solution_region.c.solution_id)
            .where(solution_region.c.municipality_id.in_(_region_and_province(args["region"])))))
    if args.get("budget_min") is not None:  # the price range reaches the budget range
        query = query.where(or_(Solution.price_max.is_(None),
                                Solution.price_max >= args["budget_min"]))
    if args.get("budget_max") is not None:
        query = query.where(or_(Solution.price_min.is_(None),
                                Solution.price_min <= args["budget_max"]))
    if args.get("updated_since") is not None:
        query = query.where(Solution.updated_at >= _utc(args["updated_since"]))
    query = _data_hub_filters(query, Solution, args)
    if args.get("sandbox") is not None:  # "1": needs a regulatory exemption, "0": does not
        needs_one = Solution.sandbox_kind.is_not(None)
        query = query.where(needs_one if args["sandbox"] == "1" else ~needs_one)
    return query.options(*SOLUTION_OPTIONS)


def need_statuses(status: str | None) -> tuple[NeedStatus, ...]:
    """The statuses a `status` parameter asks for: open by default, every one for "all"."""
    if status == "all":
        return ()
    return (NeedStatus(status or NeedStatus.OPEN.value),)


def needs_query(args: dict[str, Any]) -> Select:
    """Public needs matching the API's filters (open ones unless asked), in the requested order."""
    query = catalogue.need_search(NeedFilters(
        q=args.get("q") or "",
        category_code=args.get("category"),
        region_id=args.get("region"),
        budget_min=args.get("budget_min"),
        budget_max=args.get("budget_max"),
        statuses=need_statuses(args.get("status")),
        overseas=args.get("overseas"),
        country=args.get("country"),
        sort=args.get("sort") or "newest",
        policy_area=policy.parse_area(args.get("policy_area")),
        decline=args.get("decline"),
    ))
    if args.get("updated_since") is not None:
        query = query.where(Need.updated_at >= _utc(args["updated_since"]))
    query = _data_hub_filters(query, Need, args)
    return query.options(*NEED_OPTIONS)


def companies_query(args: dict[str, Any]) -> Select:
    """Approved alliance members matching the API's filters, by name."""
    query = catalogue.approved_companies(CompanyFilters(
        q=args.get("q") or "", size_class=_enum(SizeClass, args.get("size_class"))))
    if args.get("region") is not None:
        query = query.where(_in_region(Company.hq_region_id, args["region"]))
    if args.get("category"):
        listed = catalogue.solution_search(SolutionFilters(category_code=args["category"]))
        query = query.where(Company.id.in_(
            listed.with_only_columns(Solution.company_id).order_by(None)))
    if args.get("updated_since") is not None:
        query = query.where(Company.updated_at >= _utc(args["updated_since"]))
    return query.order_by(Company.id.asc()).options(*COMPANY_OPTIONS)


def municipalities_query(args: dict[str, Any]) -> Select:
    """Local governments matching the API's filters, in the official order."""
    query = select(Municipality)
    if args.get("region") is not None:
        query = query.where(_in_region(Municipality.id, args["region"]))
    if args.get("level") is not None:
        query = query.where(Municipality.level == GovernmentLevel(args["level"]))
    for term in catalogue.keyword_terms(args.get("q")):
        pattern = catalogue.like_pattern(term)
        query = query.where(or_(
            Municipality.full_name.ilike(pattern, escape=catalogue.LIKE_ESCAPE),
            Municipality.name_en.ilike(pattern, escape=catalogue.LIKE_ESCAPE)))
    return query.order_by(Municipality.sort_order, Municipality.id).options(*MUNICIPALITY_OPTIONS)


# --- records ----------------------------------------------------------------------------------


def _category(category: Category) -> dict:
    return {"code": category.code, "name_ko": category.name_ko, "name_en": category.name_en}


def _place(municipality: Municipality) -> dict:
    return {"id": municipality.id, "full_name": municipality.full_name,
            "full_name_en": municipality.full_name_en or None}


def _overseas_organisation(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.id, "name": organisation.name, "name_ko": organisation.name_ko,
            "country": organisation.country, "city": organisation.city,
            "kind": organisation.kind.value}


def solution_record(solution: Solution, description: str | None = None) -> dict:
    """A public solution as its page shows it (`description` when already read)."""
    company = solution.company
    return {
        "id": solution.id,
        "title": solution.title,
        "summary": solution.summary,
        "description": solution.description if description is None else description,
        "company": {"id": company.id, "name": company.name, "size_class": company.size_class.value},
        "primary_category": _category(solution.primary_category),
        "secondary_categories": [_category(c) for c in solution.secondary_categories],
        "maturity": solution.maturity.value,
        "price_min": solution.price_min,
        "price_max": solution.price_max,
        "regions_served": [_place(m) for m in solution.regions_served],
        "tags": [tag.name for tag in solution.tags],
        "policy_tags": [area.value for area in policy.confirmed_areas(solution)],
        "references": [{"municipality": _place(r.municipality), "year": r.year,
                        "outcome": r.outcome, "data_hub_name": r.data_hub_name}
                       for r in solution.references],
        "data_hub_standards": [standard.value for standard in solution.data_hub_standards],
        "open_source_license": solution.open_source_license,
        "source_url": solution.source_url,
        "regulatory_sandbox": ({"kind": solution.sandbox_kind.value,
                                "rule": solution.sandbox_rule}
                               if solution.sandbox_kind else None),
        "published_at": solution.published_at,
        "updated_at": solution.updated_at,
        "url": url_for("catalogue.solution_detail", solution_id=solution.id, _external=True),
        "title_en": solution.title_en,
        "summary_en": solution.summary_en,
        "description_en": solution.description_en,
    }


def need_record(need: Need) -> dict:
    """A public need as its page shows it (never who posted it)."""
    kind = decline.kind_of(need.municipality_id)
    return {
        "id": need.id,
        "title": need.title,
        "description": need.description,
        "municipality": _place(need.municipality) if need.municipality is not None else None,
        "language": need.language,
        "overseas": need.is_overseas,
        "overseas_organisation": _overseas_organisation(need.overseas_organisation),
        "primary_category": _category(need.primary_category),
        "secondary_categories": [_category(c) for c in need.secondary_categories],
        "status": need.status.value,
        "budget_min": need.budget_min,
        "budget_max": need.budget_max,
        "desired_start": need.desired_start,
        "application_deadline": need.application_deadline,
        "target_area": need.target_area,
        "target_population": need.target_population,
        "requires_data_hub": need.requires_data_hub,
        "required_data_hub_standard": (need.required_data_hub_standard.value
                                       if need.required_data_hub_standard else None),
        "requires_open_source": need.requires_open_source,
        "policy_tags": [area.value for area in policy.confirmed_areas(need)],
        "declining_area": kind is not None,
        "decline_kind": kind.value if kind else None,
        "created_at": need.created_at,
        "updated_at": need.updated_at,
        "url": url_for("catalogue.need_detail", need_id=need.id, _external=True),
        "language": need.language,
    }


def company_record(company: Company, solution_count: int) -> dict:
    """An approved member as its profile page shows it (the business number is shown there)."""
    return {
        "id": company.id,
        "name": company.name,
        "business_number": company.formatted_business_number,
        "size_class": company.size_class.value,
        "description": company.description,
        "website": company.website,
        "hq_region": _place(company.hq_region),
        "regions_served": [_place(m) for m in company.regions_served],
        "public_solution_count": solution_count,
        "updated_at": company.updated_at,
        "url": url_for("catalogue.company_detail", company_id=company.id, _external=True),
    }


def municipality_record(municipality: Municipality, open_needs: int) -> dict:
    """A local government with its number of open public needs."""
    return {
        "id": municipality.id,
        "name": municipality.name,
        "full_name": municipality.full_name,
        "name_en": municipality.name_en,
        "full_name_en": municipality.full_name_en or None,
        "level": municipality.level.value,
        "kind": municipality.kind,
        "parent_id": municipality.parent_id,
        "open_need_count": open_needs,
        "url": url_for("catalogue.municipality_detail", municipality_id=municipality.id,
                       _external=True),
    }


@dataclass(frozen=True)
class Collection:
    """One public collection: its query, its rows' id column and how a page becomes records."""

    name: str
    model: type
    query: Callable[[dict], Select]
    records: Callable[[list], list[dict]]


def _solution_records(rows: list[Solution]) -> list[dict]:
    ids = [row.id for row in rows]
    descriptions = dict(db.session.execute(
        select(Solution.id, Solution.description).where(Solution.id.in_(ids))).all())
    return [solution_record(row, descriptions.get(row.id, "")) for row in rows]


def _need_records(rows: list[Need]) -> list[dict]:
    return [need_record(row) for row in rows]


def _company_records(rows: list[Company]) -> list[dict]:
    counts = catalogue.public_solution_counts([row.id for row in rows])
    return [company_record(row, counts.get(row.id, 0)) for row in rows]


def _municipality_records(rows: list[Municipality]) -> list[dict]:
    counts = catalogue.open_need_counts()
    return [municipality_record(row, counts.get(row.id, 0)) for row in rows]


COLLECTIONS = {
    "solutions": Collection("solutions", Solution, solutions_query, _solution_records),
    "needs": Collection("needs", Need, needs_query, _need_records),
    "companies": Collection("companies", Company, companies_query, _company_records),
    "municipalities": Collection("municipalities", Municipality, municipalities_query,
                                 _municipality_records),
}


def page_of(collection: str, args: dict, page: int, per_page: int) -> tuple[list[dict], int]:
    """One page of a collection's records and the total number of matching rows."""
    spec = COLLECTIONS[collection]
    pagination = paginate(spec.query(args), page, per_page)
    return spec.records(list(pagination.items)), pagination.total or 0


def all_records(collection: str, args: dict) -> Iterator[dict]:
    """Every record of a collection matching the filters, by id, read in batches."""
    spec = COLLECTIONS[collection]
    query = spec.query(args).order_by(None).order_by(spec.model.id.asc()).limit(BATCH_SIZE)
    last_id = 0
    while True:
        rows = list(db.session.scalars(query.where(spec.model.id > last_id)))
        if not rows:
            return
        yield from spec.records(rows)
        last_id = rows[-1].id
        db.session.expunge_all()  # a download of every row keeps one batch in memory


def public_solution(solution_id: int) -> dict | None:
    """A solution's record, or None when it does not exist or is not public."""
    solution = db.session.get(Solution, solution_id)
    return solution_record(solution) if solution is not None and solution_is_public(solution) \
        else None


def public_need(need_id: int) -> dict | None:
    """A need's record, or None when it does not exist or is not public."""
    need = db.session.get(Need, need_id)
    return need_record(need) if need is not None and need_is_public(need) else None


def public_company(company_id: int) -> dict | None:
    """An approved member's record, or None for any other company id."""
    company = db.session.get(Company, company_id)
    if company is None or company.membership_status != MembershipStatus.APPROVED:
        return None
    counts = catalogue.public_solution_counts([company.id])
    return company_record(company, counts.get(company.id, 0))


def municipality(municipality_id: int) -> dict | None:
    """A local government's record, or None when the id is unknown."""
    found = db.session.get(Municipality, municipality_id)
    if found is None:
        return None
    return municipality_record(found, catalogue.open_need_counts().get(found.id, 0))


def category_exists(code: str) -> bool:
    """Whether a category code is known."""
    return db.session.scalar(select(Category.id).where(Category.code == code)) is not None


def municipality_exists(municipality_id: int) -> bool:
    """Whether a local-government id is known."""
    return db.session.get(Municipality, municipality_id) is not None


# --- anonymised market statistics ---------------------------------------------------------------
#
# Rule (docs/api.md): a cell is shown only when the listings it counts come from at least
# API_STATS_MIN_ORGANISATIONS distinct organisations (companies for solutions and companies,
# municipalities for needs). When a cell is suppressed, further cells of the same breakdown are
# suppressed, smallest first, until the suppressed cells together come from that many
# organisations, so subtracting the shown cells from the total reveals no single organisation.
# A breakdown whose total comes from fewer organisations is suppressed entirely.


@dataclass
class _Cell:
    key: str
    label: str
    count: int = 0
    organisations: frozenset = frozenset()


def _province_of():
    """An alias of the local governments and its rows' province id (itself for a province)."""
    place = aliased(Municipality)
    return place, func.coalesce(place.parent_id, place.id)


def suppressed_breakdown(cells: list[_Cell], minimum: int) -> dict:
    """The breakdown with the suppression rule applied: cells and total, None where hidden."""
    everyone = frozenset().union(*(cell.organisations for cell in cells))
    total = sum(cell.count for cell in cells)
    hidden: set[str] = set()
    if len(everyone) < minimum:
        hidden = {cell.key for cell in cells if cell.count}
    else:
        hidden = {cell.key for cell in cells if 0 < len(cell.organisations) < minimum}
        while hidden:
            covered = frozenset().union(*(c.organisations for c in cells if c.key in hidden))
            if len(covered) >= minimum:
                break
            shown = sorted((c for c in cells if c.count and c.key not in hidden),
                           key=lambda c: (c.count, c.key))
            hidden.add(shown[0].key)
    return {
        "total": None if len(everyone) < minimum and total else total,
        "cells": [{"key": c.key, "label": c.label,
                   "count": None if c.key in hidden else c.count,
                   "suppressed": c.key in hidden} for c in cells],
    }


def _cells(keys: list[tuple[str, str]], rows) -> list[_Cell]:
    """Cells for every key (in order), filled from (key, organisation id, count) rows."""
    cells = {key: _Cell(key, text) for key, text in keys}
    for key, organisation, count in rows:
        cell = cells.get(str(key.value if hasattr(key, "value") else key))
        if cell is not None:
            cell.count += count
            cell.organisations = cell.organisations | {organisation}
    return list(cells.values())


def _category_keys() -> list[tuple[str, str]]:
    return [(c.code, category_name(c))
            for c in db.session.scalars(select(Category).order_by(Category.sort_order))]


def _province_keys() -> list[tuple[str, str]]:
    provinces = db.session.scalars(select(Municipality).where(
        Municipality.level == GovernmentLevel.PROVINCE).order_by(Municipality.sort_order))
    return [(str(p.id), place_name(p)) for p in provinces]


def _size_keys() -> list[tuple[str, str]]:
    return [(size.value, str(label(size))) for size in SizeClass]


def market_statistics(minimum: int) -> dict:
    """Counts of public solutions, open public needs and approved members per category, province
    and size class, with small counts suppressed (see the rule above)."""
    categories, provinces, sizes = _category_keys(), _province_keys(), _size_keys()
    solutions = select(Solution.company_id, func.count(Solution.id)).where(public_solution_clause())
    needs = select(Need.municipality_id, func.count(Need.id)).where(
        public_need_clause(), Need.status == NeedStatus.OPEN)
    members = select(Company.id, func.count(Company.id)).where(
        Company.membership_status == MembershipStatus.APPROVED)
    hq, hq_province = _province_of()
    place, need_province = _province_of()

    def rows(query, key, *joins, group):
        for target, on in joins:
            query = query.join(target, on)
        return db.session.execute(query.add_columns(key).group_by(key, group)).all()

    def breakdown(keys, found):
        return suppressed_breakdown(_cells(keys, [(r[2], r[0], r[1]) for r in found]), minimum)

    by_category = Category.code
    return {
        "min_organisations": minimum,
        "solutions": {
            "by_category": breakdown(categories, rows(
                solutions, by_category, (Category, Category.id == Solution.primary_category_id),
                group=Solution.company_id)),
            "by_region": breakdown(provinces, rows(
                solutions, hq_province, (Company, Company.id == Solution.company_id),
                (hq, hq.id == Company.hq_region_id), group=Solution.company_id)),
            "by_size_class": breakdown(sizes, rows(
                solutions, Company.size_class, (Company, Company.id == Solution.company_id),
                group=Solution.company_id)),
        },
        "open_needs": {
            "by_category": breakdown(categories, rows(
                needs, by_category, (Category, Category.id == Need.primary_category_id),
                group=Need.municipality_id)),
            "by_region": breakdown(provinces, rows(
                needs, need_province, (place, place.id == Need.municipality_id),
                group=Need.municipality_id)),
        },
        "companies": {
            "by_region": breakdown(provinces, rows(
                members, hq_province, (hq, hq.id == Company.hq_region_id), group=Company.id)),
            "by_size_class": breakdown(sizes, rows(members, Company.size_class, group=Company.id)),
        },
    }


# --- bulk downloads ---------------------------------------------------------------------------


def _names(places: list[dict]) -> str:
    return "; ".join(place["full_name"] for place in places)


def _codes(categories: list[dict]) -> str:
    return "; ".join(category["code"] for category in categories)


CSV_COLUMNS: dict[str, list[tuple[str, Callable[[dict], Any]]]] = {
    "solutions": [
        ("id", lambda r: r["id"]), ("title", lambda r: r["title"]),
        ("summary", lambda r: r["summary"]), ("description", lambda r: r["description"]),
        ("company_id", lambda r: r["company"]["id"]),
        ("company_name", lambda r: r["company"]["name"]),
        ("company_size_class", lambda r: r["company"]["size_class"]),
        ("primary_category", lambda r: r["primary_category"]["code"]),
        ("secondary_categories", lambda r: _codes(r["secondary_categories"])),
        ("maturity", lambda r: r["maturity"]), ("price_min", lambda r: r["price_min"]),
        ("price_max", lambda r: r["price_max"]),
        ("regions_served", lambda r: _names(r["regions_served"])),
        ("tags", lambda r: "; ".join(r["tags"])),
        ("policy_tags", lambda r: "; ".join(r["policy_tags"])),
        ("reference_count", lambda r: len(r["references"])),
        ("data_hub_standards", lambda r: "; ".join(r["data_hub_standards"])),
        ("open_source_license", lambda r: r["open_source_license"]),
        ("source_url", lambda r: r["source_url"]),
        ("sandbox_kind", lambda r: (r["regulatory_sandbox"] or {}).get("kind")),
        ("sandbox_rule", lambda r: (r["regulatory_sandbox"] or {}).get("rule")),
        ("published_at", lambda r: r["published_at"]), ("updated_at", lambda r: r["updated_at"]),
        ("url", lambda r: r["url"]),
    ],
    "needs": [
        ("id", lambda r: r["id"]), ("title", lambda r: r["title"]),
        ("description", lambda r: r["description"]),
        ("municipality_id", lambda r: (r["municipality"] or {}).get("id")),
        ("municipality", lambda r: (r["municipality"] or {}).get("full_name")),
        ("primary_category", lambda r: r["primary_category"]["code"]),
        ("secondary_categories", lambda r: _codes(r["secondary_categories"])),
        ("status", lambda r: r["status"]), ("budget_min", lambda r: r["budget_min"]),
        ("budget_max", lambda r: r["budget_max"]),
        ("desired_start", lambda r: r["desired_start"]),
        ("application_deadline", lambda r: r["application_deadline"]),
        ("target_area", lambda r: r["target_area"]),
        ("target_population", lambda r: r["target_population"]),
        ("requires_data_hub", lambda r: int(r["requires_data_hub"])),
        ("required_data_hub_standard", lambda r: r["required_data_hub_standard"]),
        ("requires_open_source", lambda r: int(r["requires_open_source"])),
        ("policy_tags", lambda r: "; ".join(r["policy_tags"])),
        ("declining_area", lambda r: r["declining_area"]),
        ("decline_kind", lambda r: r["decline_kind"]),
        ("created_at", lambda r: r["created_at"]), ("updated_at", lambda r: r["updated_at"]),
        ("url", lambda r: r["url"]),
        ("language", lambda r: r["language"]), ("overseas", lambda r: r["overseas"]),
        ("overseas_organisation", lambda r: (r["overseas_organisation"] or {}).get("name")),
        ("country", lambda r: (r["overseas_organisation"] or {}).get("country")),
    ],
    "companies": [
        ("id", lambda r: r["id"]), ("name", lambda r: r["name"]),
        ("business_number", lambda r: r["business_number"]),
        ("size_class", lambda r: r["size_class"]), ("description", lambda r: r["description"]),
        ("website", lambda r: r["website"]), ("hq_region", lambda r: r["hq_region"]["full_name"]),
        ("regions_served", lambda r: _names(r["regions_served"])),
        ("public_solution_count", lambda r: r["public_solution_count"]),
        ("updated_at", lambda r: r["updated_at"]), ("url", lambda r: r["url"]),
    ],
    "municipalities": [
        ("id", lambda r: r["id"]), ("name", lambda r: r["name"]),
        ("full_name", lambda r: r["full_name"]), ("name_en", lambda r: r["name_en"]),
        ("full_name_en", lambda r: r["full_name_en"]), ("level", lambda r: r["level"]),
        ("kind", lambda r: r["kind"]), ("parent_id", lambda r: r["parent_id"]),
        ("open_need_count", lambda r: r["open_need_count"]), ("url", lambda r: r["url"]),
    ],
}


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def csv_chunks(collection: str, records: Iterator[dict]) -> Iterator[str]:
    """CSV text of the records: a UTF-8 byte-order mark (Excel then reads Korean), a header
    line, then one line per record, each cell safe to open in a spreadsheet."""
    columns = CSV_COLUMNS[collection]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _value in columns])
    yield "\ufeff" + buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(_csv_value(value(record))) for _name, value in columns])
        yield buffer.getvalue()


def json_chunks(items: Iterator[dict]) -> Iterator[str]:
    """A JSON array of the (already dumped) items, one item per chunk."""
    yield "["
    for index, item in enumerate(items):
        yield ("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]\n"
