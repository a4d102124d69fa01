"""The demo data (app/data/demo) as the engine's records, keyed like the labelled domain set.

Mirrors ``app.services.recommendations.solution_record``/``need_record`` (recommendable
solutions: published by an approved company; places and categories as the database holds them)
without a database, so research tools and library tests score exactly what the app would. Ids are
the domain set's keys (``eval/domain/README.md``), so ``eval/domain/qrels.txt`` grades apply.
"""
from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "app" / "data" / "demo"
MUNICIPALITIES = ROOT / "app" / "data" / "municipalities.csv"
QRELS = ROOT / "eval" / "domain" / "qrels.txt"
#: A fixed reference date: demo deadlines are "days from today", so results stay reproducible.
REFERENCE_DAY = date(2026, 3, 1)
TAG_MAX_LENGTH = 40


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def solution_key(company: str, title: str) -> str:
    """The domain set's solution key."""
    return f"s-{_sha(company + '/' + title)}"


def need_key(municipality: str, title: str) -> str:
    """The domain set's need key."""
    return f"n-{_sha(municipality + '/' + title)}"


def is_test_key(key: str) -> bool:
    """Whether an item is in the held-out third (issue 9's shared definition)."""
    return int(key[2:], 16) % 3 == 0


def _kinds() -> dict[str, str]:
    """``{full municipality name: kind}`` from the reference table the app loads."""
    with MUNICIPALITIES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {(r["name"] if r["level"] == "province" else f"{r['province']} {r['name']}"): r["kind"]
            for r in rows}


def _place(full_name: str, kinds: dict[str, str]) -> dict:
    return {"id": full_name, "province": full_name.split(" ", 1)[0], "kind": kinds.get(full_name)}


def _tag(name: str) -> str:
    """Tags as the solution form stores them (see ``demo_seed.normalise_tag``)."""
    collapsed = " ".join(name.split())
    return "".join(ch.lower() if ch.isascii() else ch for ch in collapsed)[:TAG_MAX_LENGTH]


def solution_records() -> list[dict]:
    """Recommendable demo solutions (approved company, published) as ``SolutionDoc`` mappings."""
    kinds = _kinds()
    out = []
    for company in json.loads((DEMO / "companies.json").read_text(encoding="utf-8")):
        if company.get("membership") != "approved":
            continue
        for sol in company.get("solutions", []):
            if sol.get("status") != "published":
                continue
            out.append({
                "kind": "solution", "id": solution_key(company["name"], sol["title"]),
                "title": sol["title"], "company_id": company["name"],
                "summary": sol["summary"], "description": sol["description"],
                "tags": [_tag(t) for t in sol["tags"]], "category": sol["primary_category"],
                "secondary_categories": sol["secondary_categories"], "maturity": sol["maturity"],
                "price_min": sol["price_min"], "price_max": sol["price_max"],
                "regions_served": sol.get("regions_served") or company["regions_served"],
                "references": [_place(r["municipality"], kinds) for r in sol.get("references", [])],
                "company_size": company["size_class"],
            })
    return out


def need_records(today: date = REFERENCE_DAY) -> list[dict]:
    """Every demo need (all statuses: each is labelled) as a ``NeedDoc`` mapping."""
    kinds = _kinds()
    return [{
        "kind": "need", "id": need_key(n["municipality"], n["title"]), "title": n["title"],
        "description": n["description"], "place": _place(n["municipality"], kinds),
        "category": n["primary_category"], "secondary_categories": n["secondary_categories"],
        "budget_min": n["budget_min"], "budget_max": n["budget_max"],
        "deadline": today + timedelta(days=n["deadline_in_days"]),
    } for n in json.loads((DEMO / "needs.json").read_text(encoding="utf-8"))]


def grades() -> dict[str, dict[str, int]]:
    """``{need key: {solution key: grade}}`` from the domain qrels (unlisted pairs are 0)."""
    out: dict[str, dict[str, int]] = {}
    for line in QRELS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, did, grade = line.split()
            out.setdefault(qid, {})[did] = int(grade)
    return out
