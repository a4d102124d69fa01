"""The demo data and the labelled domain set as the engine's records, for research tools and tests.

Maps ``app/data/demo`` the way ``app.services.recommendations`` maps database rows (recommendable
solutions: published by an approved company; places from the municipality table), without a
database, so research tools and library tests score what the app would. Needs are the labelled
ones of ``eval/domain`` (``needs.json`` plus every ``needs_extra_*.json``), keyed like the domain
set (``eval/domain/README.md``) so its judgments apply; deadlines count from a fixed date.

Split (shared rule for issue 9): an item is *test* iff ``int(key[2:], 16) % 3 == 0``.
"""
from __future__ import annotations

import csv
import importlib.util
import json
from datetime import date, timedelta
from pathlib import Path

from matching.inputs import load_jsonl, load_qrels
from matching.records import NeedDoc, Place, SolutionDoc

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "eval" / "domain"
DEMO = ROOT / "app" / "data" / "demo"
MUNICIPALITIES = ROOT / "app" / "data" / "municipalities.csv"
#: The date deadlines are counted from (a need's deadline = this + its ``deadline_in_days``).
REFERENCE_DATE = date(2026, 1, 5)
TAG_MAX_LENGTH = 40


def _load_build_script():
    """``eval/domain/build.py`` (a standalone script): the one place the keys and the split rule
    are defined, so these records and the generated qrels cannot disagree."""
    spec = importlib.util.spec_from_file_location("eval_domain_build", DOMAIN / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BUILD = _load_build_script()
solution_key = _BUILD.solution_key
need_key = _BUILD.need_key
split_of = _BUILD.split_of


def is_test(key: str) -> bool:
    """The held-out third: ``int(key[2:], 16) % 3 == 0``."""
    return split_of(key) == "test"


def places(path: Path = MUNICIPALITIES) -> dict[str, Place]:
    """Every local government by its full name ("경기도 화성시", "서울특별시")."""
    out: dict[str, Place] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["name"] if row["level"] == "province" else f"{row['province']} {row['name']}"
            out[name] = Place(name, row["province"], row["kind"])
    return out


def _tag(name: str) -> str:
    """Tags as the solution form stores them (see ``app.services.demo_seed.normalise_tag``)."""
    collapsed = " ".join(name.split())
    return "".join(ch.lower() if ch.isascii() else ch for ch in collapsed)[:TAG_MAX_LENGTH]


def demo_needs(domain: Path = DOMAIN, demo: Path = DEMO) -> list[dict]:
    """``needs.json`` plus every ``needs_extra_*.json`` of the domain set."""
    needs = json.loads((demo / "needs.json").read_text(encoding="utf-8"))
    for extra in sorted(domain.glob("needs_extra_*.json")):
        needs.extend(json.loads(extra.read_text(encoding="utf-8")))
    return needs


def build_records(domain: Path = DOMAIN, demo: Path = DEMO, today: date = REFERENCE_DATE
                  ) -> tuple[dict[str, SolutionDoc], dict[str, NeedDoc]]:
    """(catalogue solutions, labelled needs) keyed like the domain set, as the app maps them."""
    where = places()
    catalogue = {d["id"] for d in load_jsonl(domain / "docs.jsonl")}
    labelled = {q["id"] for q in load_jsonl(domain / "queries.jsonl", "queries")}
    solutions: dict[str, SolutionDoc] = {}
    for company in json.loads((demo / "companies.json").read_text(encoding="utf-8")):
        for sol in company.get("solutions", []):
            key = solution_key(company["name"], sol["title"])
            if key not in catalogue:
                continue
            solutions[key] = SolutionDoc(
                id=key, title=sol["title"], company_id=company["name"],
                summary=sol.get("summary", ""), description=sol.get("description", ""),
                tags=tuple(_tag(t) for t in sol.get("tags", [])),
                category=sol.get("primary_category"),
                secondary_categories=tuple(sol.get("secondary_categories", [])),
                maturity=sol.get("maturity"), price_min=sol.get("price_min"),
                price_max=sol.get("price_max"),
                regions_served=tuple(sol.get("regions_served") or company.get("regions_served")
                                     or ()),
                references=tuple(where[r["municipality"]] for r in sol.get("references", [])),
                company_size=company.get("size_class"))
    needs: dict[str, NeedDoc] = {}
    for need in demo_needs(domain, demo):
        key = need_key(need["municipality"], need["title"])
        if key not in labelled:
            continue
        deadline = need.get("deadline_in_days")
        needs[key] = NeedDoc(
            id=key, title=need["title"], description=need.get("description", ""),
            place=where[need["municipality"]], category=need.get("primary_category"),
            secondary_categories=tuple(need.get("secondary_categories", [])),
            budget_min=need.get("budget_min"), budget_max=need.get("budget_max"),
            deadline=None if deadline is None else today + timedelta(days=deadline))
    return solutions, needs


def judgments(domain: Path = DOMAIN) -> tuple[dict, dict, str]:
    """(need→solution grades, solution→need grades, where the reverse ones came from);
    ``{query key: {item key: grade}}``, unlisted pairs are grade 0."""
    forward = {q: dict(r) for q, r in load_qrels(domain / "qrels.txt").items()}
    reverse_file = domain / "reverse" / "qrels.txt"
    if reverse_file.is_file():
        reverse = {q: dict(r) for q, r in load_qrels(reverse_file).items()}
        return forward, reverse, str(reverse_file.relative_to(ROOT))
    reverse: dict[str, dict] = {}
    for need, rels in forward.items():
        for sol, grade in rels.items():
            reverse.setdefault(sol, {})[need] = grade
    return forward, reverse, "transposed qrels.txt"
