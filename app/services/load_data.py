"""A large, deterministic data set for load tests (`flask generate-load-data`).

Companies, solutions, needs, officials and references are recombined from the fictional demo
texts in app/data/demo/*.json (titles, summaries and sentences of descriptions mixed and varied),
so the matching engine sees realistic Korean text at catalogue scale. Rows are written with
bulk inserts and the text is analysed in batches; the same seed gives the same rows.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Iterable

from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    Category,
    Company,
    DeploymentReference,
    GovernmentLevel,
    MatchingChange,
    Municipality,
    Need,
    PrivacyConsent,
    Tag,
    User,
)
from app.models.base import utcnow
from app.models.company import company_region
from app.models.need import need_secondary_category
from app.models.solution import Solution, solution_region, solution_secondary_category, solution_tag
from app.services import privacy
from app.services.bizno import check_digit
from app.services.demo_seed import (
    COMPANIES_JSON,
    NEEDS_JSON,
    OFFICIALS_JSON,
    normalise_tag,
    read_demo_file,
)
from app.services.matching_changes import analyse_fields, current_analyser_version
from app.services.reference_data import load_categories, load_municipalities

LOAD_EMAIL_DOMAIN = "load.citymatch.kr"
LOAD_PASSWORD = "citymatch-load!"
# Share of companies per size class; large and mid firms list many more solutions each.
SIZE_SHARES = (("large", 0.03), ("mid", 0.07), ("sme", 0.40), ("startup", 0.50))
SOLUTION_WEIGHTS = {"large": 16.0, "mid": 8.0, "sme": 2.5, "startup": 1.5}
ANALYSE_BATCH = 500
INSERT_BATCH = 2_000
NAME_PREFIXES = ("새한", "미래", "누리", "온빛", "다온", "한빛", "푸른", "바른", "이음", "늘봄",
                 "가온", "도담", "해솔", "마루", "라온", "아름", "한울", "별빛", "참길", "큰솔")
TITLE_VARIANTS = ("", "", "", " 2.0", " 클라우드형", " 구축형", " 경량형", " 통합형", " 고도화",
                  " 플러스", " 모바일", " 지능형")
NEED_PREFIXES = ("", "", "", "2단계 ", "시범 ", "권역별 ", "확대 ", "고도화 ")


class LoadDataError(Exception):
    """The load data set cannot be generated (already present, or reference data missing)."""


@dataclass
class LoadDataReport:
    """How many rows the generator wrote."""

    companies: int = 0
    solutions: int = 0
    needs: int = 0
    references: int = 0
    users: int = 0
    tags: int = 0


def load_account_email(kind: str, number: int) -> str:
    """The sign-in e-mail of generated account `number` (1-based) of a kind ("company", "official")."""
    return f"{kind}{number:05d}@{LOAD_EMAIL_DOMAIN}"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.다요])\s+", text.strip()) if s]


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _bulk_insert(table, rows: list[dict[str, Any]], returning_id: bool = False) -> list[int]:
    """Insert rows in batches; the new ids in order when asked."""
    ids: list[int] = []
    for batch in _batches(rows, INSERT_BATCH):
        if returning_id:
            result = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), batch)
            ids.extend(result.scalars())
        else:
            db.session.execute(insert(table), batch)
    return ids


def _business_number(rng: random.Random, used: set[str]) -> str:
    while True:
        first_nine = f"{rng.randint(101, 999)}{rng.randint(81, 88)}{rng.randint(1, 9999):04d}"
        number = first_nine + str(check_digit(first_nine))
        if number not in used:
            used.add(number)
            return number


def _split_counts(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), each at least 1 when possible."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    counts = [max(1, int(r)) if total >= len(weights) else int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    i = 0
    while sum(counts) > total:
        j = order[-1 - (i % len(order))]
        if counts[j] > 1:
            counts[j] -= 1
        i += 1
    return counts


class _Generator:
    """Builds row dicts from the demo texts with one seeded random source."""

    def __init__(self, seed: int, today: date, progress: Callable[[str], None]) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        self.now = utcnow()
        companies = read_demo_file(COMPANIES_JSON)
        self.company_templates = companies
        self.solution_templates = [s for c in companies for s in c["solutions"]]
        self.need_templates = read_demo_file(NEEDS_JSON)
        self.official_templates = list(read_demo_file(OFFICIALS_JSON).values())
        self.municipalities = list(db.session.scalars(select(Municipality).order_by(Municipality.id)))
        if not self.municipalities:
            raise LoadDataError("지자체 기준 데이터가 없습니다 (no municipalities loaded)")
        self.provinces = [m for m in self.municipalities if m.level == GovernmentLevel.PROVINCE]
        self.categories = {c.code: c.id for c in db.session.scalars(select(Category))}
        self.password_hash = generate_password_hash(LOAD_PASSWORD)

    # -- companies ------------------------------------------------------------------------
    def companies(self, count: int) -> list[dict[str, Any]]:
        sizes = [size for size, share in SIZE_SHARES
                 for _ in range(max(1, round(count * share)))][:count]
        while len(sizes) < count:
            sizes.append("startup")
        used_numbers = set(db.session.scalars(select(Company.business_number)))
        rows = []
        for number, size in enumerate(sizes, start=1):
            template = self.rng.choice(self.company_templates)
            prefix = self.rng.choice(NAME_PREFIXES)
            hq = self.rng.choice(self.provinces)
            regions = self.provinces if size in ("large", "mid") else self.rng.sample(
                self.provinces, self.rng.randint(1, 4))
            rows.append({
                "name": f"{prefix}{template['name']} {number:04d}"[:100],
                "business_number": _business_number(self.rng, used_numbers),
                "size_class": size,
                "hq_region_id": hq.id,
                "website": f"https://load-{number:04d}.example",
                "description": self._mix_sentences(template["description"],
                                                   self.rng.choice(self.company_templates)["description"]),
                "membership_status": "approved",
                "membership_applied_at": self.now,
                "membership_decided_at": self.now,
                "created_at": self.now,
                "updated_at": self.now,
                "_regions": [r.id for r in regions],
            })
        return rows

    def _mix_sentences(self, first: str, second: str, limit: int = 6) -> str:
        sentences = _sentences(first)
        extra = _sentences(second)
        self.rng.shuffle(extra)
        mixed = sentences[:max(1, len(sentences) - 1)] + extra[:self.rng.randint(1, 2)]
        return " ".join(mixed[:limit])

    # -- solutions ------------------------------------------------------------------------
    def solutions(self, count: int, companies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        weights = [SOLUTION_WEIGHTS[c["size_class"]] * self.rng.uniform(0.6, 1.4) for c in companies]
        per_company = _split_counts(count, weights)
        rows = []
        for company, how_many in zip(companies, per_company):
            for _ in range(how_many):
                rows.append(self._solution(company))
        return rows

    def _solution(self, company: dict[str, Any]) -> dict[str, Any]:
        template = self.rng.choice(self.solution_templates)
        other = self.rng.choice(self.solution_templates)
        brand = company["name"].split(" ")[0]
        base_title = template["title"].split(" ", 1)[-1]
        title = f"{brand} {base_title}{self.rng.choice(TITLE_VARIANTS)}"[:120]
        price_min = max(1_000_000, int(template["price_min"] * self.rng.uniform(0.5, 1.5)) // 1_000_000 * 1_000_000)
        price_max = max(price_min, int(template["price_max"] * self.rng.uniform(0.8, 1.6)) // 1_000_000 * 1_000_000)
        tags = list(dict.fromkeys(normalise_tag(t) for t in
                                  template["tags"] + self.rng.sample(other["tags"], min(2, len(other["tags"])))))
        # Like the demo listings (and as the solution form requires), every solution names the
        # provinces it serves: mostly the company's own, sometimes a few of them.
        regions = list(company["_regions"])
        if len(regions) > 3 and self.rng.random() < 0.3:
            regions = sorted(self.rng.sample(regions, 3))
        secondary = [c for c in template["secondary_categories"] if c != template["primary_category"]]
        published = self.rng.random() < 0.95
        return {
            "company_id": None,
            "title": title,
            "summary": template["summary"][:200],
            "description": self._mix_sentences(template["description"], other["description"]),
            "primary_category_id": self.categories[template["primary_category"]],
            "maturity": template["maturity"],
            "price_min": price_min,
            "price_max": price_max,
            "status": "published" if published else "draft",
            "published_at": self.now if published else None,
            "moderation_status": "active",
            "created_at": self.now,
            "updated_at": self.now,
            "_company": company,
            "_tags": tags,
            "_secondary": [self.categories[c] for c in secondary],
            "_regions": regions,
            "_references": self._references(template),
        }

    def _references(self, template: dict[str, Any]) -> list[dict[str, Any]]:
        if self.rng.random() < 0.55:
            return []
        outcomes = [r["outcome"] for r in template.get("references", [])] or [
            r["outcome"] for r in self.rng.choice(self.solution_templates).get("references", [])] or [
            "시범 운영 후 주민 만족도 조사에서 긍정 응답 80% 이상"]
        places = self.rng.sample(self.municipalities, self.rng.randint(1, 3))
        return [{"municipality_id": place.id, "year": self.rng.randint(2016, 2025),
                 "outcome": self.rng.choice(outcomes)[:300]} for place in places]

    # -- officials and needs --------------------------------------------------------------
    def officials(self) -> list[dict[str, Any]]:
        rows = []
        for number, municipality in enumerate(self.municipalities, start=1):
            template = self.official_templates[number % len(self.official_templates)]
            rows.append({
                "email": load_account_email("official", number),
                "password_hash": self.password_hash,
                "name": template["name"],
                "department": template["department"],
                "role": "municipality",
                "account_status": "active",
                "municipality_id": municipality.id,
                "official_status": "verified",
                "created_at": self.now,
                "updated_at": self.now,
            })
        return rows

    def needs(self, count: int, official_ids: list[int]) -> list[dict[str, Any]]:
        rows = []
        places = list(zip(self.municipalities, official_ids))
        for number in range(count):
            municipality, official_id = places[number % len(places)] if number < len(places) \
                else self.rng.choice(places)
            template = self.rng.choice(self.need_templates)
            other = self.rng.choice(self.need_templates)
            budget_min = max(10_000_000, int(template["budget_min"] * self.rng.uniform(0.5, 1.5)) // 1_000_000 * 1_000_000)
            budget_max = max(budget_min, int(template["budget_max"] * self.rng.uniform(0.8, 1.6)) // 1_000_000 * 1_000_000)
            roll = self.rng.random()
            status = "open" if roll < 0.85 else "in_review" if roll < 0.92 else "closed"
            secondary = [c for c in template["secondary_categories"] if c != template["primary_category"]]
            rows.append({
                "municipality_id": municipality.id,
                "created_by_id": official_id,
                "title": f"{municipality.name} {self.rng.choice(NEED_PREFIXES)}{template['title']}"[:120],
                "description": self._mix_sentences(template["description"], other["description"]),
                "primary_category_id": self.categories[template["primary_category"]],
                "budget_min": budget_min,
                "budget_max": budget_max,
                "desired_start": self.today + timedelta(days=self.rng.randint(60, 240)),
                "application_deadline": self.today + timedelta(days=self.rng.randint(10, 120)),
                "target_area": template["target_area"],
                "target_population": int(template["target_population"] * self.rng.uniform(0.5, 2.0)),
                "status": status,
                "moderation_status": "active",
                "created_at": self.now,
                "updated_at": self.now,
                "_secondary": [self.categories[c] for c in secondary],
            })
        return rows

    def company_users(self, companies: list[dict[str, Any]], company_ids: list[int]) -> list[dict[str, Any]]:
        rows = []
        for number, (company, company_id) in enumerate(zip(companies, company_ids), start=1):
            template = self.rng.choice(self.company_templates)["contact"]
            rows.append({
                "email": load_account_email("company", number),
                "password_hash": self.password_hash,
                "name": template["name"],
                "department": template["department"],
                "role": "company",
                "account_status": "active",
                "company_id": company_id,
                "created_at": self.now,
                "updated_at": self.now,
            })
        return rows


def _analysed(rows: list[dict[str, Any]], fields: Callable[[dict[str, Any]], dict[str, str]],
              progress: Callable[[str], None], label: str) -> None:
    """Store each row's analysed text, analysing in batches."""
    version = current_analyser_version()
    for done, batch in enumerate(_batches(rows, ANALYSE_BATCH), start=1):
        for row, analysed in zip(batch, analyse_fields([fields(r) for r in batch])):
            row["analysed_text"] = analysed
            row["analyser_version"] = version
        progress(f"{label}: {min(done * ANALYSE_BATCH, len(rows))}/{len(rows)}")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def generate_load_data(solutions: int, needs: int, companies: int, seed: int = 1,
                       today: date | None = None,
                       progress: Callable[[str], None] = lambda message: None) -> LoadDataReport:
    """Write the generated data set (flushes; the caller commits). Refuses to run twice."""
    if companies < 1 or solutions < companies:
        raise LoadDataError("솔루션 수는 기업 수 이상이어야 합니다 (need solutions >= companies >= 1)")
    load_municipalities()
    load_categories()
    existing = db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.email.like(f"%@{LOAD_EMAIL_DOMAIN}")))
    if existing:
        raise LoadDataError("부하 테스트 데이터가 이미 있습니다 (load data already generated)")
    generator = _Generator(seed, today or date.today(), progress)
    report = LoadDataReport()

    company_rows = generator.companies(companies)
    company_ids = _bulk_insert(Company.__table__, [_public(r) for r in company_rows], returning_id=True)
    for row, company_id in zip(company_rows, company_ids):
        row["id"] = company_id
    _bulk_insert(company_region, [{"company_id": r["id"], "municipality_id": m}
                                  for r in company_rows for m in r["_regions"]])
    user_rows = generator.company_users(company_rows, company_ids)
    progress(f"companies: {len(company_rows)}")

    solution_rows = generator.solutions(solutions, company_rows)
    _analysed(solution_rows, lambda r: {"title": r["title"], "summary": r["summary"],
                                        "tags": " ".join(r["_tags"]), "text": r["description"]},
              progress, "solutions analysed")
    for row in solution_rows:
        row["company_id"] = row["_company"]["id"]
    solution_ids = _bulk_insert(Solution.__table__, [_public(r) for r in solution_rows], returning_id=True)
    tag_names = sorted({t for r in solution_rows for t in r["_tags"]})
    tag_ids = {t.name: t.id for t in db.session.scalars(select(Tag))}
    new_tags = [{"name": name} for name in tag_names if name not in tag_ids]
    for name, tag_id in zip([t["name"] for t in new_tags], _bulk_insert(Tag.__table__, new_tags, returning_id=True)):
        tag_ids[name] = tag_id
    _bulk_insert(solution_tag, [{"solution_id": sid, "tag_id": tag_ids[t]}
                                for r, sid in zip(solution_rows, solution_ids) for t in r["_tags"]])
    _bulk_insert(solution_secondary_category, [{"solution_id": sid, "category_id": c}
                                               for r, sid in zip(solution_rows, solution_ids)
                                               for c in r["_secondary"]])
    _bulk_insert(solution_region, [{"solution_id": sid, "municipality_id": m}
                                   for r, sid in zip(solution_rows, solution_ids) for m in r["_regions"]])
    reference_rows = [dict(ref, solution_id=sid) for r, sid in zip(solution_rows, solution_ids)
                      for ref in r["_references"]]
    _bulk_insert(DeploymentReference.__table__, reference_rows)

    official_rows = generator.officials()
    official_ids = _bulk_insert(User.__table__, official_rows, returning_id=True)
    user_ids = _bulk_insert(User.__table__, user_rows, returning_id=True)
    # The generated accounts sign in without the re-consent page (app/account/consent_guard.py).
    _bulk_insert(PrivacyConsent.__table__, [
        {"user_id": uid, "document_version": privacy.CURRENT.version, "accepted_at": generator.now}
        for uid in official_ids + user_ids])
    need_rows = generator.needs(needs, official_ids)
    _analysed(need_rows, lambda r: {"title": r["title"], "text": r["description"]},
              progress, "needs analysed")
    need_ids = _bulk_insert(Need.__table__, [_public(r) for r in need_rows], returning_id=True)
    _bulk_insert(need_secondary_category, [{"need_id": nid, "category_id": c}
                                           for r, nid in zip(need_rows, need_ids) for c in r["_secondary"]])
    # Running app processes pick the new listings up from the change log like any other edit.
    _bulk_insert(MatchingChange.__table__,
                 [{"entity": "solution", "entity_id": sid, "created_at": generator.now} for sid in solution_ids]
                 + [{"entity": "need", "entity_id": nid, "created_at": generator.now} for nid in need_ids])
    db.session.flush()
    report.companies = len(company_ids)
    report.solutions = len(solution_ids)
    report.needs = len(need_ids)
    report.references = len(reference_rows)
    report.users = len(official_rows) + len(user_rows)
    report.tags = len(new_tags)
    return report


def large_company_accounts(limit: int = 10) -> list[str]:
    """E-mails of generated accounts of the large firms with the most solutions (for load tests)."""
    counts = (select(User.email, func.count(Solution.id).label("n"))
              .join(Company, Company.id == User.company_id)
              .join(Solution, Solution.company_id == Company.id)
              .where(User.email.like(f"%@{LOAD_EMAIL_DOMAIN}"), Company.size_class == "large")
              .group_by(User.email).order_by(func.count(Solution.id).desc(), User.email).limit(limit))
    return [row.email for row in db.session.execute(counts)]
