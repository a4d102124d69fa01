"""Loading reference data shipped in app/data: the 243 local governments, the 12 statutory categories
and the population-decline areas designated by 행정안전부."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Category,
    DeclineKind,
    GovernmentLevel,
    Municipality,
    PopulationDeclineArea,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
CATEGORIES_CSV = DATA_DIR / "categories.csv"
DECLINE_AREAS_CSV = DATA_DIR / "population_decline_areas.csv"


class ReferenceDataError(Exception):
    """Reference data could not be read."""


@dataclass(frozen=True)
class CategoryRow:
    """One row of the taxonomy table."""

    code: str
    name_ko: str
    name_en: str


def parse_taxonomy(text: str) -> list[CategoryRow]:
    """Read the `| code | 한국어 | English |` table of taxonomy.md."""
    rows: list[CategoryRow] = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        is_header = cells[0].lower() == "code"
        if len(cells) != 3 or is_header or not re.fullmatch(r"[a-z][a-z0-9_]*", cells[0]):
            continue
        name_ko = re.sub(r"\s*\(.*\)$", "", cells[1]).strip() or cells[1]
        rows.append(CategoryRow(code=cells[0], name_ko=name_ko, name_en=cells[2]))
    if not rows:
        raise ReferenceDataError("taxonomy.md has no category table (| code | 한국어 | English |)")
    return rows


def read_category_rows(path: str | Path | None = None) -> list[CategoryRow]:
    """The category table: the shipped categories.csv, or a CSV/taxonomy.md override file."""
    path = Path(path) if path else CATEGORIES_CSV
    if not path.is_file():
        raise ReferenceDataError(
            f"분류 파일을 찾을 수 없습니다 (taxonomy not found): {path}. TAXONOMY_PATH를 확인하세요."
        )
    if path.suffix.lower() != ".csv":
        return parse_taxonomy(path.read_text(encoding="utf-8"))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [CategoryRow(code=row["code"].strip(), name_ko=row["name_ko"].strip(),
                            name_en=row["name_en"].strip()) for row in csv.DictReader(handle)]
    if not rows:
        raise ReferenceDataError(f"분류 파일이 비어 있습니다 (no categories in {path})")
    return rows


def load_categories(path: str | Path | None = None) -> int:
    """Upsert the statutory categories (shipped table unless a path is given); returns the count."""
    rows = read_category_rows(path)
    existing = {c.code: c for c in db.session.scalars(select(Category))}
    for order, row in enumerate(rows):
        category = existing.get(row.code) or Category(code=row.code)
        category.name_ko, category.name_en, category.sort_order = row.name_ko, row.name_en, order
        db.session.add(category)
    db.session.flush()
    return len(rows)


def read_municipality_rows(path: Path = MUNICIPALITIES_CSV) -> list[dict[str, str]]:
    """Rows of municipalities.csv: level, province, name, kind, name_en."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_municipalities(path: Path = MUNICIPALITIES_CSV) -> int:
    """Upsert the 17 provincial and 226 basic local governments; returns the count."""
    rows = read_municipality_rows(path)
    existing = {m.full_name: m for m in db.session.scalars(select(Municipality))}
    provinces: dict[str, Municipality] = {}
    for order, row in enumerate(rows):
        level = GovernmentLevel(row["level"])
        if level == GovernmentLevel.PROVINCE:
            full_name, parent = row["name"], None
        else:
            parent = provinces[row["province"]]
            full_name = f"{parent.name} {row['name']}"
        municipality = existing.get(full_name) or Municipality(full_name=full_name)
        municipality.name = row["name"]
        municipality.name_en = (row.get("name_en") or "").strip() or None
        municipality.level = level
        municipality.kind = row["kind"]
        municipality.parent = parent
        municipality.sort_order = order
        db.session.add(municipality)
        if level == GovernmentLevel.PROVINCE:
            provinces[row["name"]] = municipality
    db.session.flush()
    return len(rows)


def read_decline_area_rows(path: Path = DECLINE_AREAS_CSV) -> list[dict[str, str]]:
    """Rows of population_decline_areas.csv: kind, province, name, notice_number, notice_date, note."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_decline_areas(path: Path = DECLINE_AREAS_CSV) -> int:
    """Upsert the designated decline areas (by municipality); rows no longer listed are removed.

    Needs the municipalities loaded first; returns the count.
    """
    rows = read_decline_area_rows(path)
    by_name = {m.full_name: m for m in db.session.scalars(select(Municipality))}
    existing = {a.municipality_id: a for a in db.session.scalars(select(PopulationDeclineArea))}
    seen: set[int] = set()
    for row in rows:
        full_name = f"{row['province']} {row['name']}"
        municipality = by_name.get(full_name)
        if municipality is None:
            raise ReferenceDataError(
                f"인구감소지역 파일의 지자체를 찾을 수 없습니다 (unknown local government): {full_name}")
        try:
            kind = DeclineKind(row["kind"].strip())
            notice_date = date.fromisoformat(row["notice_date"].strip())
        except ValueError as error:
            raise ReferenceDataError(
                f"인구감소지역 파일의 행이 올바르지 않습니다 (bad row for {full_name}): {error}") from error
        if municipality.id in seen:
            raise ReferenceDataError(
                f"인구감소지역 파일에 지자체가 두 번 있습니다 (listed twice): {full_name}")
        seen.add(municipality.id)
        area = existing.get(municipality.id) or PopulationDeclineArea(municipality_id=municipality.id)
        area.kind = kind
        area.notice_number = row["notice_number"].strip()
        area.notice_date = notice_date
        area.note = (row.get("note") or "").strip()
        db.session.add(area)
    for municipality_id, area in existing.items():
        if municipality_id not in seen:
            db.session.delete(area)
    db.session.flush()
    return len(rows)


def provinces() -> list[Municipality]:
    """The 17 provincial-level governments in official order."""
    return list(
        db.session.scalars(
            select(Municipality)
            .where(Municipality.level == GovernmentLevel.PROVINCE)
            .order_by(Municipality.sort_order)
        )
    )


def categories() -> list[Category]:
    """All categories in taxonomy order."""
    return list(db.session.scalars(select(Category).order_by(Category.sort_order)))
