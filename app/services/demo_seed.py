"""Loading the fictional Korean demo data set (`flask seed-demo`), idempotently by natural keys."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app import countries
from app.extensions import db
from app.formatting import SEOUL
from app.models import (
    AccountStatus,
    Category,
    Company,
    DeploymentReference,
    Match,
    MatchOutcome,
    MatchStatus,
    Maturity,
    MembershipStatus,
    Municipality,
    Need,
    NeedPolicyTag,
    NeedStatus,
    OfficialStatus,
    OutcomeStage,
    PolicyArea,
    PolicyTagStatus,
    ProcurementRoute,
    OrganisationKind,
    OverseasOrganisation,
    Role,
    Side,
    SizeClass,
    Solution,
    SolutionPolicyTag,
    SolutionStatus,
    Tag,
    User,
)
from app.models.base import utcnow
from app.services import privacy
from app.services.bizno import is_valid_business_number
from app.services.reference_data import load_categories, load_decline_areas, load_municipalities

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
COMPANIES_JSON = DEMO_DIR / "companies.json"
NEEDS_JSON = DEMO_DIR / "needs.json"
OFFICIALS_JSON = DEMO_DIR / "officials.json"
# Optional: English summaries for overseas needs, "<company name>/<solution title>" →
# {"title_en", "summary_en", "description_en"}; ignored when the file is absent.
SOLUTIONS_EN_JSON = DEMO_DIR / "solutions_en.json"
ENGLISH_FIELDS = {"title_en": 120, "summary_en": 200, "description_en": 20000}
# Approved matches and their outcomes, so the dashboard's figures (budget shares) are not empty.
MATCHES_JSON = DEMO_DIR / "matches.json"
OVERSEAS_JSON = DEMO_DIR / "overseas.json"

DEMO_EMAIL_DOMAIN = "demo.citymatch.kr"
ADMIN_EMAIL = "admin@citymatch.kr"
ADMIN_PASSWORD = "citymatch-admin!"
DEMO_PASSWORD = "citymatch-demo!"
DEMO_COMPANY_EMAIL = "company@citymatch.kr"
DEMO_OFFICIAL_EMAIL = "official@citymatch.kr"
# The large company and the municipality the two documented demo accounts belong to.
DEMO_COMPANY_NAME = "한결정보통신"
DEMO_MUNICIPALITY = "경기도 화성시"
# An official awaiting verification, so the admin console has work to show.
PENDING_OFFICIAL = {
    "email": f"official.pending.yangpyeong@{DEMO_EMAIL_DOMAIN}",
    "name": "문지후",
    "department": "미래전략과",
    "municipality": "경기도 양평군",
}
TAG_MAX_LENGTH = 40


class DemoDataError(Exception):
    """The demo data files are missing or refer to something that does not exist."""


@dataclass
class SeedReport:
    """How many demo rows the data set describes, and how many of them this run created."""

    municipalities: int = 0
    categories: int = 0
    companies: int = 0
    solutions: int = 0
    references: int = 0
    needs: int = 0
    users: int = 0
    tags: int = 0
    overseas_organisations: int = 0
    overseas_needs: int = 0
    created: dict[str, int] = field(default_factory=dict)

    def count_created(self, kind: str) -> None:
        """Note one newly inserted row of this kind."""
        self.created[kind] = self.created.get(kind, 0) + 1

    @property
    def total_created(self) -> int:
        """Rows inserted by this run (0 when the data set was already loaded)."""
        return sum(self.created.values())


def read_demo_file(path: Path) -> Any:
    """The parsed JSON of one demo data file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DemoDataError(f"데모 데이터 파일이 없습니다 (demo data file missing): {path}") from exc
    except json.JSONDecodeError as exc:
        raise DemoDataError(f"데모 데이터 파일 형식 오류 (invalid JSON) {path.name}: {exc}") from exc


def normalise_tag(name: str) -> str:
    """Tags as the solution form stores them: trimmed, single spaces, ASCII lower-cased, ≤ 40 chars."""
    collapsed = " ".join(name.split())
    return "".join(ch.lower() if ch.isascii() else ch for ch in collapsed)[:TAG_MAX_LENGTH]


def company_slug(company_data: dict[str, Any]) -> str:
    """The company's e-mail local part, taken from its fictional web domain."""
    host = company_data["website"].split("://", 1)[-1].split("/", 1)[0]
    return host.removesuffix(".example")


def company_user_email(company_data: dict[str, Any]) -> str:
    """The demo staff account of a company: <slug>@demo.citymatch.kr."""
    return f"{company_slug(company_data)}@{DEMO_EMAIL_DOMAIN}"


def _assign(obj: Any, **values: Any) -> None:
    """Set attributes only where they differ, so an unchanged row is never marked dirty."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _assign_collection(obj: Any, name: str, items: list[Any]) -> None:
    """Replace a relationship list only when its members differ."""
    current = getattr(obj, name)
    if {id(item) for item in current} != {id(item) for item in items} or len(current) != len(items):
        setattr(obj, name, items)


class _Lookup:
    """Reference rows by the names the data files use, with clear errors for unknown names."""

    def __init__(self) -> None:
        self.municipalities = {m.full_name: m for m in db.session.scalars(select(Municipality))}
        self.categories = {c.code: c for c in db.session.scalars(select(Category))}
        self.tags = {t.name: t for t in db.session.scalars(select(Tag))}
        self.used_tags: set[str] = set()

    def municipality(self, full_name: str, context: str) -> Municipality:
        """The local government with this full name."""
        try:
            return self.municipalities[full_name]
        except KeyError as exc:
            raise DemoDataError(f"{context}: 알 수 없는 지자체 (unknown municipality) '{full_name}'") from exc

    def province(self, name: str, context: str) -> Municipality:
        """The provincial-level government with this name."""
        municipality = self.municipality(name, context)
        if municipality.parent_id is not None:
            raise DemoDataError(f"{context}: 광역자치단체가 아닙니다 (not a province) '{name}'")
        return municipality

    def category(self, code: str, context: str) -> Category:
        """The category with this code."""
        try:
            return self.categories[code]
        except KeyError as exc:
            raise DemoDataError(
                f"{context}: 분류 코드가 없습니다 (unknown category) '{code}'. "
                "먼저 분류 파일(taxonomy.md)을 확인하세요."
            ) from exc

    def tag(self, raw: str, report: SeedReport) -> Tag:
        """The tag with this (normalised) name, created if missing."""
        name = normalise_tag(raw)
        self.used_tags.add(name)
        tag = self.tags.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
            self.tags[name] = tag
            report.count_created("tags")
        return tag


def _enum(enum_cls: type, value: str, context: str):
    """The enum member with this value, or a DemoDataError naming the bad value."""
    try:
        return enum_cls(value)
    except ValueError as exc:
        raise DemoDataError(f"{context}: 허용되지 않는 값 (invalid value) '{value}'") from exc


class _Accounts:
    """Creates or updates demo users; one shared password hash keeps seeding fast."""

    def __init__(self, report: SeedReport) -> None:
        self.report = report
        self.existing = {u.email: u for u in db.session.scalars(select(User))}
        self._demo_hash: str | None = None
        self.seen: set[str] = set()

    def demo_hash(self) -> str:
        """The shared password hash of the generated demo accounts (computed once)."""
        if self._demo_hash is None:
            self._demo_hash = generate_password_hash(DEMO_PASSWORD)
        return self._demo_hash

    def upsert(self, email: str, *, password: str | None = None, **fields: Any) -> User:
        """The user with this e-mail, created if missing, with `fields` applied.

        A new user gets `password` (or the shared demo password). An existing user keeps
        their password unless `password` is given and no longer matches.
        """
        user = self.existing.get(email)
        if user is None:
            user = User(email=email)
            if password is None:
                user.password_hash = self.demo_hash()
            else:
                user.set_password(password)
            db.session.add(user)
            self.existing[email] = user
            self.report.count_created("users")
        elif password is not None and not user.check_password(password):
            user.set_password(password)
        _assign(user, account_status=AccountStatus.ACTIVE, **fields)
        self.seen.add(email)
        return user


def _upsert_company(data: dict[str, Any], lookup: _Lookup, report: SeedReport,
                    companies: dict[str, Company]) -> Company:
    name = data["name"]
    context = f"기업 '{name}'"
    if not is_valid_business_number(data["business_number"]):
        raise DemoDataError(f"{context}: 사업자등록번호 검증 실패 (bad business number)")
    company = companies.get(name)
    if company is None:
        company = Company(name=name)
        db.session.add(company)
        companies[name] = company
        report.count_created("companies")
    membership = _enum(MembershipStatus, data["membership"], context)
    _assign(
        company,
        business_number=data["business_number"],
        size_class=_enum(SizeClass, data["size_class"], context),
        hq_region=lookup.province(data["hq_region"], context),
        website=data["website"],
        description=data["description"],
        membership_status=membership,
    )
    _assign_collection(company, "regions_served",
                       [lookup.province(p, context) for p in data["regions_served"]])
    now = utcnow()
    if membership in (MembershipStatus.PENDING, MembershipStatus.APPROVED):
        if company.membership_applied_at is None:
            company.membership_applied_at = now
    if membership == MembershipStatus.APPROVED and company.membership_decided_at is None:
        company.membership_decided_at = now
    if membership in (MembershipStatus.PENDING, MembershipStatus.NONE):
        _assign(company, membership_decided_at=None)
    return company


def _upsert_solution(company: Company, data: dict[str, Any], lookup: _Lookup,
                     report: SeedReport, existing: dict[tuple[int, str], Solution]) -> Solution:
    title = data["title"]
    context = f"솔루션 '{title}'"
    if data["price_min"] > data["price_max"]:
        raise DemoDataError(f"{context}: 가격 범위가 뒤바뀌었습니다 (price_min > price_max)")
    solution = existing.get((company.id, title))
    if solution is None:
        solution = Solution(company=company, title=title)
        db.session.add(solution)
        existing[(company.id, title)] = solution
        report.count_created("solutions")
    status = _enum(SolutionStatus, data["status"], context)
    _assign(
        solution,
        summary=data["summary"],
        description=data["description"],
        primary_category=lookup.category(data["primary_category"], context),
        maturity=_enum(Maturity, data["maturity"], context),
        price_min=data["price_min"],
        price_max=data["price_max"],
        status=status,
    )
    if status == SolutionStatus.PUBLISHED and solution.published_at is None:
        solution.published_at = utcnow()
    _assign_collection(solution, "secondary_categories",
                       [lookup.category(code, context) for code in data["secondary_categories"]])
    _assign_collection(solution, "tags", _unique([lookup.tag(t, report) for t in data["tags"]]))
    _assign_collection(solution, "regions_served",
                       [lookup.province(p, context) for p in data["regions_served"]])
    for reference_data in data.get("references", []):
        _upsert_reference(solution, reference_data, lookup, report, context)
    _seed_policy_tags(solution, SolutionPolicyTag, data.get("policy_tags", {}), report, context)
    return solution


def _seed_policy_tags(listing: Solution | Need, tag_class: type, tags: dict[str, str],
                      report: SeedReport, context: str) -> None:
    """The listing's policy tags exactly as the data gives them ({area: claimed|confirmed})."""
    wanted = {_enum(PolicyArea, area, context): _enum(PolicyTagStatus, status, context)
              for area, status in tags.items()}
    for tag in list(listing.policy_tags):
        if tag.area not in wanted:
            listing.policy_tags.remove(tag)
    existing = {tag.area: tag for tag in listing.policy_tags}
    for area, status in wanted.items():
        tag = existing.get(area)
        if tag is None:
            tag = tag_class(area=area, status=status)
            listing.policy_tags.append(tag)
            report.count_created("policy_tags")
        _assign(tag, status=status)
        if status == PolicyTagStatus.CLAIMED:
            _assign(tag, reviewed_at=None, reviewed_by_id=None)
        elif tag.reviewed_at is None:
            tag.reviewed_at = utcnow()


def _unique(items: list[Any]) -> list[Any]:
    """The items in order, each object once."""
    unique: list[Any] = []
    for item in items:
        if all(item is not kept for kept in unique):
            unique.append(item)
    return unique


def _upsert_reference(solution: Solution, data: dict[str, Any], lookup: _Lookup,
                      report: SeedReport, context: str) -> None:
    municipality = lookup.municipality(data["municipality"], context)
    for reference in solution.references:
        if reference.municipality is municipality and reference.year == data["year"]:
            _assign(reference, outcome=data["outcome"])
            break
    else:
        solution.references.append(
            DeploymentReference(municipality=municipality, year=data["year"], outcome=data["outcome"])
        )
        report.count_created("references")
    report.references += 1


def english_summaries(path: Path | None = None) -> dict[str, dict[str, str | None]]:
    """The English fields of demo solutions by "<company>/<title>" (empty when the file is
    absent); a malformed entry is a DemoDataError naming it."""
    path = path or SOLUTIONS_EN_JSON
    if not path.is_file():
        return {}
    data = read_demo_file(path)
    if not isinstance(data, dict):
        raise DemoDataError(f"{path.name}: 객체여야 합니다 (expected an object keyed by "
                            f"\"<company>/<solution title>\")")
    out: dict[str, dict[str, str | None]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise DemoDataError(f"{path.name} '{key}': 객체여야 합니다 (expected an object)")
        fields: dict[str, str | None] = {}
        for name, limit in ENGLISH_FIELDS.items():
            value = entry.get(name)
            if value is not None and not isinstance(value, str):
                raise DemoDataError(f"{path.name} '{key}': {name}은(는) 문자열이어야 합니다")
            value = (value or "").strip() or None
            if value is not None and len(value) > limit:
                raise DemoDataError(f"{path.name} '{key}': {name}은(는) {limit}자 이하여야 합니다")
            fields[name] = value
        out[key] = fields
    return out


def _seed_english(companies_data: list[dict[str, Any]], solutions: dict[tuple[int, str], Solution],
                  companies: dict[str, Company]) -> None:
    """Fill the solutions' English fields from solutions_en.json, when it exists."""
    english = english_summaries()
    if not english:
        return
    known = {f"{c['name']}/{s['title']}": (c["name"], s["title"])
             for c in companies_data for s in c["solutions"]}
    unknown = sorted(set(english) - set(known))
    if unknown:
        raise DemoDataError(f"{SOLUTIONS_EN_JSON.name}: 없는 솔루션입니다 (unknown solution): "
                            f"{unknown[0]}")
    for key, fields in english.items():
        company_name, title = known[key]
        _assign(solutions[(companies[company_name].id, title)], **fields)


def _seed_companies(lookup: _Lookup, accounts: _Accounts, report: SeedReport) -> dict[str, Company]:
    companies_data = read_demo_file(COMPANIES_JSON)
    companies = {c.name: c for c in db.session.scalars(select(Company))}
    solutions = {(s.company_id, s.title): s for s in db.session.scalars(select(Solution))}
    for data in companies_data:
        company = _upsert_company(data, lookup, report, companies)
        db.session.flush()  # the company's id keys its solutions
        for solution_data in data["solutions"]:
            _upsert_solution(company, solution_data, lookup, report, solutions)
            report.solutions += 1
        contact = data["contact"]
        accounts.upsert(company_user_email(data), name=contact["name"],
                        department=contact["department"], role=Role.COMPANY, company=company,
                        municipality=None, official_status=None)
        report.companies += 1
    _seed_english(companies_data, solutions, companies)
    db.session.flush()
    return companies


def _seed_officials(lookup: _Lookup, accounts: _Accounts,
                    municipalities_with_needs: set[str]) -> dict[str, User]:
    officials_data = read_demo_file(OFFICIALS_JSON)
    missing = sorted(municipalities_with_needs - set(officials_data))
    if missing:
        raise DemoDataError(f"담당 공무원이 정의되지 않은 지자체 (no official defined): {', '.join(missing)}")
    officials: dict[str, User] = {}
    for full_name in sorted(municipalities_with_needs):
        data = officials_data[full_name]
        officials[full_name] = accounts.upsert(
            data["email"], name=data["name"], department=data["department"],
            role=Role.MUNICIPALITY, company=None,
            municipality=lookup.municipality(full_name, f"공무원 {data['email']}"),
            official_status=OfficialStatus.VERIFIED,
        )
    return officials


def _seed_needs(lookup: _Lookup, accounts: _Accounts, report: SeedReport, today: date) -> None:
    needs_data = read_demo_file(NEEDS_JSON)
    officials = _seed_officials(lookup, accounts, {n["municipality"] for n in needs_data})
    db.session.flush()
    existing = {(n.municipality_id, n.title): n for n in db.session.scalars(
        select(Need).where(Need.municipality_id.is_not(None)))}
    for data in needs_data:
        context = f"수요 '{data['title']}'"
        municipality = lookup.municipality(data["municipality"], context)
        if data["budget_min"] > data["budget_max"]:
            raise DemoDataError(f"{context}: 예산 범위가 뒤바뀌었습니다 (budget_min > budget_max)")
        need = existing.get((municipality.id, data["title"]))
        if need is None:
            need = Need(municipality=municipality, title=data["title"])
            db.session.add(need)
            existing[(municipality.id, data["title"])] = need
            report.count_created("needs")
        _assign_need(need, data, officials[data["municipality"]], lookup, context, today)
        _seed_policy_tags(need, NeedPolicyTag, data.get("policy_tags", {}), report, context)
        report.needs += 1


def _assign_need(need: Need, data: dict[str, Any], official: User, lookup: _Lookup,
                 context: str, today: date, **extra: Any) -> None:
    """A demo need's fields exactly as its data gives them (dates relative to today)."""
    _assign(
        need,
        created_by=official,
        description=data["description"],
        primary_category=lookup.category(data["primary_category"], context),
        budget_min=data["budget_min"],
        budget_max=data["budget_max"],
        desired_start=today + timedelta(days=data["desired_start_in_days"]),
        application_deadline=today + timedelta(days=data["deadline_in_days"]),
        target_area=data["target_area"],
        target_population=data["target_population"],
        status=_enum(NeedStatus, data["status"], context),
        **extra,
    )
    _assign_collection(need, "secondary_categories",
                       [lookup.category(c, context) for c in data["secondary_categories"]])


def _demo_moment(today: date, days_ago: int) -> datetime:
    """10:00 in Seoul `days_ago` days before today, but not before 1 January of this year (the
    dashboard's default period)."""
    day = max(today - timedelta(days=days_ago), date(today.year, 1, 1))
    return datetime.combine(day, time(10), tzinfo=SEOUL)


def _seed_matches(report: SeedReport, today: date) -> None:
    """Approved demo matches with their outcome stage and contract, created once each."""
    needs = {(n.municipality.full_name, n.title): n for n in db.session.scalars(
        select(Need).where(Need.municipality_id.is_not(None)))}
    solutions = {(s.company.name, s.title): s for s in db.session.scalars(select(Solution))}
    existing = {(m.need_id, m.solution_id) for m in db.session.scalars(select(Match))}
    for data in read_demo_file(MATCHES_JSON):
        need_key = (data["need"]["municipality"], data["need"]["title"])
        solution_key = (data["solution"]["company"], data["solution"]["title"])
        context = f"매칭 '{need_key[1]}' ↔ '{solution_key[1]}'"
        need, solution = needs.get(need_key), solutions.get(solution_key)
        if need is None or solution is None:
            raise DemoDataError(f"{context}: 데이터에 없는 수요 또는 솔루션입니다 (unknown need or solution)")
        if (need.id, solution.id) in existing:
            continue
        approved = _demo_moment(today, data["approved_days_ago"])
        match = Match(need=need, solution=solution, status=MatchStatus.APPROVED,
                      initiator_side=Side.MUNICIPALITY, requested_by=need.created_by,
                      message="", created_at=approved - timedelta(days=6),
                      expires_at=approved + timedelta(days=8),
                      responded_at=approved - timedelta(days=3), reviewed_at=approved)
        db.session.add(match)
        db.session.flush()
        amount = data.get("contract_amount")
        contracted = (_demo_moment(today, data["contracted_days_ago"]).date()
                      if amount is not None else None)
        route = data.get("procurement_route")
        db.session.add(MatchOutcome(
            match_id=match.id, stage=_enum(OutcomeStage, data["stage"], context),
            stage_since=approved, last_activity_at=utcnow(), contract_amount=amount,
            contracted_on=max(contracted, approved.date()) if contracted else None,
            procurement_route=_enum(ProcurementRoute, route, context) if route else None))
        existing.add((need.id, solution.id))
        report.count_created("matches")
def _seed_overseas(lookup: _Lookup, accounts: _Accounts, report: SeedReport, today: date) -> None:
    """K-City Network demo: overseas organisations, one verified official each, English needs."""
    data = read_demo_file(OVERSEAS_JSON)
    existing = {o.name: o for o in db.session.scalars(select(OverseasOrganisation))}
    officials: dict[str, User] = {}
    for org in data["organisations"]:
        context = f"해외 기관 '{org['name']}'"
        if not countries.is_known(org["country"]):
            raise DemoDataError(f"{context}: 알 수 없는 국가 코드 (unknown country) '{org['country']}'")
        organisation = existing.get(org["name"])
        if organisation is None:
            organisation = OverseasOrganisation(name=org["name"])
            db.session.add(organisation)
            existing[org["name"]] = organisation
            report.count_created("overseas_organisations")
        _assign(organisation, name_ko=org.get("name_ko"), country=org["country"],
                city=org.get("city"), kind=_enum(OrganisationKind, org["kind"], context),
                contact_email=org.get("contact_email"), active=True)
        db.session.flush()
        person = org["official"]
        officials[org["name"]] = accounts.upsert(
            person["email"], name=person["name"], department=person["department"],
            role=Role.MUNICIPALITY, company=None, municipality=None,
            overseas_organisation_id=organisation.id, official_status=OfficialStatus.VERIFIED,
            locale="en")
        report.overseas_organisations += 1
    db.session.flush()
    needs = {(n.overseas_organisation_id, n.title): n for n in db.session.scalars(
        select(Need).where(Need.overseas_organisation_id.is_not(None)))}
    for item in data["needs"]:
        context = f"해외 수요 '{item['title']}'"
        organisation = existing.get(item["organisation"])
        if organisation is None:
            raise DemoDataError(f"{context}: 알 수 없는 해외 기관 '{item['organisation']}'")
        need = needs.get((organisation.id, item["title"]))
        if need is None:
            need = Need(overseas_organisation_id=organisation.id, title=item["title"],
                        language="en")
            db.session.add(need)
            needs[(organisation.id, item["title"])] = need
            report.count_created("overseas_needs")
        _assign_need(need, item, officials[item["organisation"]], lookup, context, today,
                     language="en")
        report.overseas_needs += 1


def _seed_demo_accounts(lookup: _Lookup, accounts: _Accounts,
                        companies: dict[str, Company]) -> None:
    company = companies.get(DEMO_COMPANY_NAME)
    if company is None:
        raise DemoDataError(f"데모 기업이 데이터에 없습니다 (demo company missing): {DEMO_COMPANY_NAME}")
    accounts.upsert(ADMIN_EMAIL, password=ADMIN_PASSWORD, name="데모 관리자", department="플랫폼운영팀",
                    role=Role.ADMIN, company=None, municipality=None, official_status=None)
    accounts.upsert(DEMO_COMPANY_EMAIL, password=DEMO_PASSWORD, name="한지수",
                    department="스마트시티사업본부", role=Role.COMPANY, company=company,
                    municipality=None, official_status=None)
    accounts.upsert(DEMO_OFFICIAL_EMAIL, password=DEMO_PASSWORD, name="오민지",
                    department="스마트도시과", role=Role.MUNICIPALITY, company=None,
                    municipality=lookup.municipality(DEMO_MUNICIPALITY, "데모 공무원"),
                    official_status=OfficialStatus.VERIFIED)
    accounts.upsert(PENDING_OFFICIAL["email"], name=PENDING_OFFICIAL["name"],
                    department=PENDING_OFFICIAL["department"], role=Role.MUNICIPALITY,
                    company=None,
                    municipality=lookup.municipality(PENDING_OFFICIAL["municipality"], "인증 대기 공무원"),
                    official_status=OfficialStatus.PENDING)


def demo_accounts() -> list[tuple[str, str]]:
    """The documented sign-in e-mails and passwords of the demo accounts."""
    return [
        (ADMIN_EMAIL, ADMIN_PASSWORD),
        (DEMO_COMPANY_EMAIL, DEMO_PASSWORD),
        (DEMO_OFFICIAL_EMAIL, DEMO_PASSWORD),
        (f"*@{DEMO_EMAIL_DOMAIN}", DEMO_PASSWORD),
    ]


def seed_demo(today: date | None = None) -> SeedReport:
    """Load reference data, then upsert the demo companies, solutions, needs and accounts.

    Natural keys make a second run a no-op: company by name, solution by (company, title),
    need by (municipality, title), user by e-mail, reference by (solution, municipality, year).
    Dates of needs are relative to `today`. Flushes; the caller commits.
    """
    today = today or date.today()
    report = SeedReport()
    report.municipalities = load_municipalities()
    report.categories = load_categories(current_app.config.get("TAXONOMY_PATH"))
    load_decline_areas()
    with db.session.no_autoflush:
        lookup = _Lookup()
        accounts = _Accounts(report)
        companies = _seed_companies(lookup, accounts, report)
        _seed_needs(lookup, accounts, report, today)
        _seed_overseas(lookup, accounts, report, today)
        _seed_demo_accounts(lookup, accounts, companies)
    db.session.flush()
    _seed_matches(report, today)
    # The fictional demo users sign in without the re-consent page (app/account/consent_guard.py).
    privacy.record_missing_consents([accounts.existing[email] for email in sorted(accounts.seen)])
    report.users = len(accounts.seen)
    report.tags = len(lookup.used_tags)
    return report
