"""The demo data set (app/data/demo) and `flask seed-demo`: constraints, loading, idempotence."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from difflib import SequenceMatcher
from itertools import combinations

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import (
    Category,
    Company,
    DeploymentReference,
    GovernmentLevel,
    MembershipStatus,
    Need,
    NeedStatus,
    OfficialStatus,
    Role,
    SizeClass,
    Solution,
    SolutionStatus,
    Tag,
    User,
)
from app.services import demo_seed
from app.services.bizno import is_valid_business_number
from app.services.reference_data import read_municipality_rows
from app.services.visibility import public_needs, public_solutions
from tests.test_reference_data import STATUTORY_CODES, categories_restored, taxonomy_markdown

CODES = {code for code, _, _ in STATUTORY_CODES}
MATURITIES = {"rnd", "pilot", "commercial"}
NEAR_DUPLICATE_RATIO = 0.8


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


COMPANIES = _load(demo_seed.COMPANIES_JSON)
NEEDS = _load(demo_seed.NEEDS_JSON)
OFFICIALS = _load(demo_seed.OFFICIALS_JSON)
SOLUTIONS = [(company, solution) for company in COMPANIES for solution in company["solutions"]]


def _municipality_names() -> tuple[set[str], set[str]]:
    """(every full name, province names) exactly as load_municipalities builds them."""
    rows = read_municipality_rows()
    provinces = {r["name"] for r in rows if r["level"] == "province"}
    basic = {f"{r['province']} {r['name']}" for r in rows if r["level"] == "basic"}
    return provinces | basic, provinces


ALL_NAMES, PROVINCE_NAMES = _municipality_names()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _near_duplicates(texts_by_group: dict[str, list[str]]) -> list[tuple[str, str, float]]:
    pairs = []
    for texts in texts_by_group.values():
        for a, b in combinations(texts, 2):
            ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
            if ratio >= NEAR_DUPLICATE_RATIO:
                pairs.append((a[:40], b[:40], ratio))
    return pairs


# --- the data files -------------------------------------------------------------------------

def test_company_counts_and_size_mix():
    sizes = Counter(c["size_class"] for c in COMPANIES)
    assert len(COMPANIES) >= 60
    assert sizes["large"] + sizes["mid"] >= 10
    assert sizes["startup"] >= 25
    assert sizes["sme"] >= 1
    assert set(sizes) <= {s.value for s in SizeClass}


def test_membership_mix_gives_the_admin_console_work():
    memberships = Counter(c["membership"] for c in COMPANIES)
    assert set(memberships) <= {"approved", "pending", "none"}
    assert 3 <= memberships["pending"] <= 7
    assert 1 <= memberships["none"] <= 2
    assert memberships["approved"] >= len(COMPANIES) - 9


def test_company_fields_are_valid():
    for company in COMPANIES:
        assert 0 < len(company["name"]) <= 100
        assert company["hq_region"] in PROVINCE_NAMES, company["name"]
        assert company["hq_region"] in company["regions_served"], company["name"]
        assert company["regions_served"] and set(company["regions_served"]) <= PROVINCE_NAMES
        assert re.fullmatch(r"https://[a-z0-9-]+\.example", company["website"]), company["website"]
        assert len(_sentences(company["description"])) >= 2, company["name"]
        assert company["contact"]["name"] and company["contact"]["department"]
        assert company["solutions"], company["name"]


def test_company_names_business_numbers_and_domains_are_unique():
    for key in ("name", "business_number", "website"):
        values = [c[key] for c in COMPANIES]
        assert len(values) == len(set(values)), key


def test_business_numbers_have_a_possible_structure_and_the_check_digit():
    for company in COMPANIES:
        number = company["business_number"]
        assert re.fullmatch(r"\d{10}", number)
        assert is_valid_business_number(number), company["name"]
        # Every demo company is a for-profit head office (type codes 81, 86, 87, 88).
        assert number[3:5] in {"81", "86", "87", "88"}, company["name"]


def test_solution_counts_and_every_category_has_several():
    primaries = Counter(s["primary_category"] for _, s in SOLUTIONS)
    assert len(SOLUTIONS) >= 150
    assert set(primaries) == CODES
    assert min(primaries.values()) >= 4
    for bigger in ("transport", "safety", "env_energy_water", "facilities", "health_welfare"):
        assert primaries[bigger] >= 12, bigger


def test_solution_fields_are_valid():
    for company, solution in SOLUTIONS:
        label = f"{company['name']} / {solution['title']}"
        assert 0 < len(solution["title"]) <= 120, label
        assert 0 < len(solution["summary"]) <= 200, label
        assert 3 <= len(_sentences(solution["description"])) <= 8, label
        assert solution["primary_category"] in CODES, label
        assert set(solution["secondary_categories"]) <= CODES - {solution["primary_category"]}, label
        assert 3 <= len(solution["tags"]) <= 8, label
        assert all(0 < len(tag) <= 40 for tag in solution["tags"]), label
        assert solution["maturity"] in MATURITIES, label
        assert solution["status"] in {"published", "draft"}, label
        assert solution["regions_served"] and set(solution["regions_served"]) <= PROVINCE_NAMES
        assert set(solution["regions_served"]) <= set(company["regions_served"]), label
        assert 10_000_000 <= solution["price_min"] <= solution["price_max"] <= 10_000_000_000, label
        for reference in solution["references"]:
            assert reference["municipality"] in ALL_NAMES, (label, reference["municipality"])
            assert 2018 <= reference["year"] <= 2025, label
            assert 0 < len(reference["outcome"]) <= 300, label


def test_solution_titles_are_unique_and_most_are_published_with_references():
    titles = [s["title"] for _, s in SOLUTIONS]
    assert len(titles) == len(set(titles))
    statuses = Counter(s["status"] for _, s in SOLUTIONS)
    assert statuses["draft"] >= 3
    assert statuses["published"] >= 0.85 * len(SOLUTIONS)
    references = [r for _, s in SOLUTIONS for r in s["references"]]
    assert len(references) >= 150
    keys = [(s["title"], r["municipality"], r["year"]) for _, s in SOLUTIONS for r in s["references"]]
    assert len(keys) == len(set(keys))


def test_competing_and_complementary_offers_exist():
    def companies_with(*words):
        return {c["name"] for c, s in SOLUTIONS
                if any(w.lower() in (s["title"] + " " + " ".join(s["tags"])).lower() for w in words)}

    assert len(companies_with("DRT", "수요응답")) >= 3
    assert len(companies_with("침수", "홍수")) >= 3
    assert len(companies_with("스마트폴", "가로등")) >= 3
    assert len(companies_with("독거노인", "돌봄")) >= 3
    assert len(companies_with("디지털트윈")) >= 2
    large = {c["name"] for c in COMPANIES if c["size_class"] in ("large", "mid")}
    startups = {c["name"] for c in COMPANIES if c["size_class"] == "startup"}
    assert companies_with("스마트폴", "가로등") & large and companies_with("스마트폴", "가로등") & startups


def test_need_counts_and_spread():
    municipalities = {n["municipality"] for n in NEEDS}
    assert len(NEEDS) >= 80
    assert len(municipalities) >= 30
    assert {n["primary_category"] for n in NEEDS} == CODES
    provinces_used = {m for m in municipalities if m in PROVINCE_NAMES}
    assert 2 <= len(provinces_used) <= 6
    regions = {m.split()[0] for m in municipalities}
    assert regions == PROVINCE_NAMES  # every region has at least one need
    kinds = {m.split()[-1][-1] for m in municipalities - provinces_used}
    assert kinds == {"시", "군", "구"}
    statuses = Counter(n["status"] for n in NEEDS)
    assert set(statuses) <= {s.value for s in NeedStatus}
    assert statuses["open"] >= 0.7 * len(NEEDS)
    assert statuses["in_review"] and statuses["matched"] and statuses["closed"]


def test_need_fields_are_valid():
    for need in NEEDS:
        label = f"{need['municipality']} / {need['title']}"
        assert need["municipality"] in ALL_NAMES, label
        assert 0 < len(need["title"]) <= 120, label
        assert 3 <= len(_sentences(need["description"])) <= 8, label
        assert need["primary_category"] in CODES, label
        assert set(need["secondary_categories"]) <= CODES - {need["primary_category"]}, label
        assert 0 <= need["budget_min"] <= need["budget_max"], label
        assert need["deadline_in_days"] >= 7, label
        assert need["desired_start_in_days"] >= need["deadline_in_days"], label
        assert 0 < len(need["target_area"]) <= 200, label
        assert need["target_population"] > 0, label


def test_need_titles_are_unique_per_municipality():
    keys = [(n["municipality"], n["title"]) for n in NEEDS]
    assert len(keys) == len(set(keys))


def test_texts_are_not_identical_or_templated():
    solution_texts = [s["description"] for _, s in SOLUTIONS]
    need_texts = [n["description"] for n in NEEDS]
    summaries = [s["summary"] for _, s in SOLUTIONS]
    for texts in (solution_texts, need_texts, summaries):
        assert len(texts) == len(set(texts))
    by_category: dict[str, list[str]] = defaultdict(list)
    for _, solution in SOLUTIONS:
        by_category[solution["primary_category"]].append(solution["description"])
    assert _near_duplicates(by_category) == []
    needs_by_category: dict[str, list[str]] = defaultdict(list)
    for need in NEEDS:
        needs_by_category[need["primary_category"]].append(need["description"])
    assert _near_duplicates(needs_by_category) == []


def test_officials_cover_every_municipality_with_needs():
    assert {n["municipality"] for n in NEEDS} <= set(OFFICIALS)
    emails = [o["email"] for o in OFFICIALS.values()]
    assert len(emails) == len(set(emails))
    assert all(e.endswith("@demo.citymatch.kr") for e in emails)


def test_demo_accounts_point_at_suitable_data():
    company = next(c for c in COMPANIES if c["name"] == demo_seed.DEMO_COMPANY_NAME)
    assert company["size_class"] == "large" and company["membership"] == "approved"
    assert sum(s["status"] == "published" for s in company["solutions"]) >= 3
    open_needs = [n for n in NEEDS
                  if n["municipality"] == demo_seed.DEMO_MUNICIPALITY and n["status"] == "open"]
    assert len(open_needs) >= 3
    assert demo_seed.PENDING_OFFICIAL["municipality"] in ALL_NAMES


# --- loading into the database --------------------------------------------------------------

@pytest.fixture()
def full_taxonomy(app, db, tmp_path):
    """The twelve statutory categories (a temporary taxonomy.md); restored afterwards."""
    path = tmp_path / "taxonomy.md"
    path.write_text(taxonomy_markdown(), encoding="utf-8")
    with categories_restored(app):
        app.config["TAXONOMY_PATH"] = str(path)
        yield path


def _counts() -> dict[str, int]:
    _db.session.expire_all()
    return {
        model.__name__: _db.session.scalar(select(func.count()).select_from(model))
        for model in (Company, Solution, DeploymentReference, Need, User, Tag, Category)
    }


def _user(email: str) -> User:
    return _db.session.scalar(select(User).where(User.email == email))


def test_seed_demo_command_loads_the_data_set(runner, full_taxonomy):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "데모 데이터를 불러왔습니다" in result.output
    assert f"기업 {len(COMPANIES)}건" in result.output
    assert f"{len(SOLUTIONS)} solutions" in result.output
    counts = _counts()
    assert counts["Company"] == len(COMPANIES)
    assert counts["Solution"] == len(SOLUTIONS)
    overseas = _load(demo_seed.OVERSEAS_JSON)
    assert counts["Need"] == len(NEEDS) + len(overseas["needs"])
    assert counts["DeploymentReference"] == sum(len(s["references"]) for _, s in SOLUTIONS)
    # company staff + officials + admin, demo company user, demo official, pending official
    needs_municipalities = {n["municipality"] for n in NEEDS}
    assert counts["User"] == (len(COMPANIES) + len(needs_municipalities) + 4
                              + len(overseas["organisations"]))  # an official per overseas organisation
    assert counts["Category"] >= 12

    pending = _db.session.scalars(
        select(Company).where(Company.membership_status == MembershipStatus.PENDING)).all()
    assert len(pending) >= 3 and all(c.membership_applied_at is not None for c in pending)
    hwaseong_needs = _db.session.scalars(
        select(Need).join(Need.municipality).where(Need.status == NeedStatus.OPEN)
        .where(Need.municipality.has(full_name=demo_seed.DEMO_MUNICIPALITY))).all()
    assert len(hwaseong_needs) >= 3
    assert all(n.created_by.is_verified_official for n in hwaseong_needs)


def test_seed_demo_twice_changes_nothing(runner, full_taxonomy):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = _counts()
    titles = set(_db.session.scalars(select(Solution.title)))
    second_run = runner.invoke(args=["seed-demo"])
    assert second_run.exit_code == 0, second_run.output
    assert "nothing new" in second_run.output
    assert _counts() == first
    assert set(_db.session.scalars(select(Solution.title))) == titles


def test_seed_demo_restores_demo_rows_and_keeps_unrelated_ones(runner, full_taxonomy):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    company = _db.session.scalar(select(Company).where(Company.name == demo_seed.DEMO_COMPANY_NAME))
    company.description = "바뀐 설명"
    extra = Company(name="데모에 없는 기업", business_number="1234567891", size_class=SizeClass.SME,
                    hq_region=company.hq_region, description="", membership_status=MembershipStatus.NONE)
    _db.session.add(extra)
    _db.session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    _db.session.expire_all()
    data = next(c for c in COMPANIES if c["name"] == demo_seed.DEMO_COMPANY_NAME)
    assert _db.session.get(Company, company.id).description == data["description"]
    assert _db.session.scalar(select(Company).where(Company.name == "데모에 없는 기업")) is not None


def test_demo_accounts_sign_in_with_the_documented_passwords(app, runner, full_taxonomy):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for email, password in [(demo_seed.ADMIN_EMAIL, "citymatch-admin!"),
                            (demo_seed.DEMO_COMPANY_EMAIL, "citymatch-demo!"),
                            (demo_seed.DEMO_OFFICIAL_EMAIL, "citymatch-demo!"),
                            ("hangyeol-ict@demo.citymatch.kr", "citymatch-demo!")]:
        response = app.test_client().post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
    wrong = app.test_client().post("/auth/login", data={"email": demo_seed.ADMIN_EMAIL,
                                                         "password": "citymatch-demo!"})
    assert wrong.status_code != 302

    _db.session.expire_all()
    assert _user(demo_seed.ADMIN_EMAIL).role == Role.ADMIN
    company_user = _user(demo_seed.DEMO_COMPANY_EMAIL)
    assert company_user.role == Role.COMPANY
    assert company_user.company.size_class == SizeClass.LARGE
    assert company_user.company.is_approved_member
    published = [s for s in company_user.company.solutions if s.status == SolutionStatus.PUBLISHED]
    assert len(published) >= 3
    official = _user(demo_seed.DEMO_OFFICIAL_EMAIL)
    assert official.is_verified_official
    assert official.municipality.full_name == demo_seed.DEMO_MUNICIPALITY
    pending = _user(demo_seed.PENDING_OFFICIAL["email"])
    assert pending.role == Role.MUNICIPALITY and pending.official_status == OfficialStatus.PENDING


def test_seeded_listings_follow_the_visibility_rules(runner, full_taxonomy):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    public = _db.session.scalars(public_solutions()).all()
    expected = [s for c, s in SOLUTIONS if c["membership"] == "approved" and s["status"] == "published"]
    assert len(public) == len(expected)
    assert all(s.company.membership_status == MembershipStatus.APPROVED for s in public)
    overseas = _load(demo_seed.OVERSEAS_JSON)["needs"]
    assert len(_db.session.scalars(public_needs()).all()) == len(NEEDS) + len(overseas)


def test_seed_demo_dates_are_relative_to_today(app, db, full_taxonomy):
    today = date(2030, 3, 2)
    report = demo_seed.seed_demo(today=today)
    db.session.commit()
    assert report.needs == len(NEEDS) and report.created["needs"] == len(NEEDS)
    first = NEEDS[0]
    need = db.session.scalar(select(Need).where(Need.title == first["title"]))
    assert need.application_deadline == today + timedelta(days=first["deadline_in_days"])
    assert need.desired_start == today + timedelta(days=first["desired_start_in_days"])
    assert need.budget_min == first["budget_min"] and need.budget_max == first["budget_max"]
    province = need.municipality.province
    assert province.level == GovernmentLevel.PROVINCE


def test_seed_demo_without_the_taxonomy_is_a_clear_error(app, runner, full_taxonomy, tmp_path):
    app.config["TAXONOMY_PATH"] = str(tmp_path / "missing-taxonomy.md")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "분류 파일을 찾을 수 없습니다" in result.output
    assert "missing-taxonomy.md" in result.output
    assert _counts()["Company"] == 0


def test_seed_demo_with_a_bad_data_file_saves_nothing(runner, full_taxonomy, tmp_path, monkeypatch):
    broken = [dict(NEEDS[0], municipality="가상특별시 없는구")]
    path = tmp_path / "needs.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(demo_seed, "NEEDS_JSON", path)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "가상특별시 없는구" in result.output
    counts = _counts()
    assert counts["Company"] == 0 and counts["User"] == 0 and counts["Need"] == 0
