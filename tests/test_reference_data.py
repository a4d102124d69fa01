"""Reference data shipped with the app: the 243 local governments and the 12 statutory categories."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db as _db
from app.models import Base, Category, GovernmentLevel, Municipality
from app.services.reference_data import (
    ReferenceDataError,
    load_categories,
    load_municipalities,
    parse_taxonomy,
    read_category_rows,
    read_municipality_rows,
)
from app.templating import place_name, place_short_name
from tests.conftest import REFERENCE_TABLES

STATUTORY_CODES = [
    ("admin", "행정", "Administration"),
    ("transport", "교통", "Transport"),
    ("health_welfare", "보건·의료·복지", "Health, medical care and welfare"),
    ("env_energy_water", "환경·에너지·수자원", "Environment, energy and water"),
    ("safety", "방범·방재", "Crime prevention and disaster management"),
    ("facilities", "시설물 관리", "Facility management"),
    ("education", "교육", "Education"),
    ("culture_tourism", "문화·관광·스포츠", "Culture, tourism and sports"),
    ("logistics", "물류", "Logistics"),
    ("labor", "근로·고용", "Work and employment"),
    ("housing", "주거", "Housing"),
    ("other", "그 밖에 (국토교통부장관 고시 분야)", "Other fields designated by the Minister"),
]




def taxonomy_markdown(rows=STATUTORY_CODES) -> str:
    """A taxonomy.md like the shared one: prose, then the | code | 한국어 | English | table."""
    lines = ["# Smart-city service fields", "", "Some prose | with a pipe.", "",
             "| code | 한국어 | English |", "|---|---|---|"]
    lines += [f"| {code} | {ko} | {en} |" for code, ko, en in rows]
    return "\n".join(lines + ["", "Codes are suggestions."]) + "\n"


@contextmanager
def categories_restored(app):
    """Run a block that adds or changes categories, then restore the test categories.

    Rows that reference categories are deleted first (as the `db` fixture would),
    categories the block added are removed and the original ones get their values back.
    """
    original = {c.code: (c.name_ko, c.name_en, c.sort_order)
                for c in _db.session.scalars(select(Category))}
    taxonomy_path = app.config["TAXONOMY_PATH"]
    try:
        yield
    finally:
        app.config["TAXONOMY_PATH"] = taxonomy_path
        _db.session.rollback()
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                _db.session.execute(delete(table))
        for category in _db.session.scalars(select(Category)).all():
            if category.code in original:
                category.name_ko, category.name_en, category.sort_order = original[category.code]
            else:
                _db.session.delete(category)
        _db.session.commit()


@pytest.fixture()
def taxonomy_file(app, db, tmp_path) -> Path:
    """A synthetic taxonomy.md with the twelve statutory codes, set as TAXONOMY_PATH."""
    path = tmp_path / "taxonomy.md"
    path.write_text(taxonomy_markdown(), encoding="utf-8")
    with categories_restored(app):
        app.config["TAXONOMY_PATH"] = str(path)
        yield path


def _category_codes() -> set[str]:
    return set(_db.session.scalars(select(Category.code)))


# --- municipalities ---------------------------------------------------------------------------

def test_municipality_list_has_17_provinces_and_226_basic_governments():
    rows = read_municipality_rows()
    provinces = [r for r in rows if r["level"] == "province"]
    basic = [r for r in rows if r["level"] == "basic"]
    assert len(provinces) == 17
    assert len(basic) == 226
    kinds = [r["kind"] for r in basic]
    assert (kinds.count("시"), kinds.count("군"), kinds.count("구")) == (75, 82, 69)


def test_municipality_list_reflects_recent_reorganisations():
    rows = read_municipality_rows()
    province_names = {r["name"] for r in rows if r["level"] == "province"}
    assert {"강원특별자치도", "전북특별자치도", "세종특별자치시", "제주특별자치도"} <= province_names
    assert "강원도" not in province_names and "전라북도" not in province_names
    assert {"province": "대구광역시", "name": "군위군"}.items() <= next(
        r for r in rows if r["name"] == "군위군").items()
    assert not any(r["province"] == "경상북도" and r["name"] == "군위군" for r in rows)


def test_every_basic_government_has_a_parent_province(db):
    basic = db.session.scalars(
        select(Municipality).where(Municipality.level == GovernmentLevel.BASIC)).all()
    assert len(basic) == 226
    assert all(m.parent is not None and m.parent.level == GovernmentLevel.PROVINCE for m in basic)
    assert all(m.full_name == f"{m.parent.name} {m.name}" for m in basic)
    gunwi = db.session.scalar(select(Municipality).where(Municipality.full_name == "대구광역시 군위군"))
    assert gunwi is not None and gunwi.kind == "군"


def test_load_municipalities_is_idempotent(db):
    before = {m.full_name: m.id for m in db.session.scalars(select(Municipality))}
    assert load_municipalities() == 243
    db.session.commit()
    db.session.expire_all()
    after = {m.full_name: m.id for m in db.session.scalars(select(Municipality))}
    assert after == before
    assert len(after) == 243


# --- categories -------------------------------------------------------------------------------

def test_parse_taxonomy_reads_the_table_and_strips_notes_in_parentheses():
    rows = {r.code: r for r in parse_taxonomy(taxonomy_markdown())}
    assert {code for code, _, _ in STATUTORY_CODES} <= set(rows)
    assert (rows["other"].name_ko, rows["other"].name_en) == (
        "그 밖에", "Other fields designated by the Minister")
    assert rows["health_welfare"].name_ko == "보건·의료·복지"


def test_parse_taxonomy_skips_the_header_row():
    rows = parse_taxonomy(taxonomy_markdown())
    assert [r.code for r in rows] == [code for code, _, _ in STATUTORY_CODES]


def test_the_shipped_table_has_the_twelve_statutory_fields_in_order():
    rows = read_category_rows()
    expected = [(code, re.sub(r"\s*\(.*\)$", "", ko), en) for code, ko, en in STATUTORY_CODES]
    assert [(r.code, r.name_ko, r.name_en) for r in rows] == expected


def test_the_shipped_table_agrees_with_the_shared_taxonomy(shared_data):
    shared = parse_taxonomy((shared_data / "taxonomy.md").read_text(encoding="utf-8"))
    assert read_category_rows() == shared


def test_load_categories_without_a_path_loads_the_shipped_table(app, db):
    with categories_restored(app):
        assert load_categories() == 12
        assert {code for code, _, _ in STATUTORY_CODES} <= _category_codes()


def test_load_categories_reads_a_csv_override(app, db, tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("code,name_ko,name_en\nadmin,행정,Administration\n", encoding="utf-8")
    with categories_restored(app):
        assert load_categories(path) == 1
        assert "admin" in _category_codes()


def test_parse_taxonomy_without_a_table_is_an_error():
    with pytest.raises(ReferenceDataError):
        parse_taxonomy("# Nothing here\n\nJust prose, no | table |.\n")


def test_load_categories_upserts_a_synthetic_file(app, db, tmp_path):
    path = tmp_path / "taxonomy.md"
    path.write_text(taxonomy_markdown(STATUTORY_CODES[:3]), encoding="utf-8")
    with categories_restored(app):
        first = load_categories(path)
        db.session.commit()
        count_after_first = db.session.scalar(select(func.count()).select_from(Category))
        assert load_categories(path) == first  # a second load adds nothing
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Category)) == count_after_first
        admin = db.session.scalar(select(Category).where(Category.code == "admin"))
        assert (admin.name_ko, admin.name_en) == ("행정", "Administration")
        health = db.session.scalar(select(Category).where(Category.code == "health_welfare"))
        assert health.sort_order > admin.sort_order
    assert "admin" not in _category_codes()


def test_load_categories_counts_only_the_table_rows(app, db, tmp_path):
    path = tmp_path / "taxonomy.md"
    path.write_text(taxonomy_markdown(STATUTORY_CODES[:3]), encoding="utf-8")
    with categories_restored(app):
        assert load_categories(path) == 3
        assert "code" not in _category_codes()


def test_load_categories_from_the_shared_taxonomy(app, db, shared_data):
    with categories_restored(app):
        load_categories(shared_data / "taxonomy.md")
        db.session.commit()
        assert {code for code, _, _ in STATUTORY_CODES} <= _category_codes()


def test_the_shared_taxonomy_has_twelve_categories(app, db, shared_data):
    with categories_restored(app):
        assert load_categories(shared_data / "taxonomy.md") == 12


def test_load_categories_with_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(ReferenceDataError, match="taxonomy not found"):
        load_categories(tmp_path / "missing.md")


# --- the CLI command --------------------------------------------------------------------------

def test_load_reference_data_command(runner, taxonomy_file):
    result = runner.invoke(args=["load-reference-data"])
    assert result.exit_code == 0, result.output
    assert "지자체 243곳" in result.output
    _db.session.expire_all()
    assert {code for code, _, _ in STATUTORY_CODES} <= _category_codes()
    assert _db.session.scalar(select(func.count()).select_from(Municipality)) == 243


def test_load_reference_data_command_needs_no_taxonomy_file(app, runner):
    with categories_restored(app):
        app.config["TAXONOMY_PATH"] = None
        result = runner.invoke(args=["load-reference-data"])
        assert result.exit_code == 0, result.output
        assert "분류 12개" in result.output
        _db.session.expire_all()
        assert {code for code, _, _ in STATUTORY_CODES} <= _category_codes()


def test_load_reference_data_command_reports_a_missing_taxonomy(app, runner, tmp_path):
    with categories_restored(app):
        app.config["TAXONOMY_PATH"] = str(tmp_path / "nowhere.md")
        result = runner.invoke(args=["load-reference-data"])
    assert result.exit_code == 1
    assert "분류 파일을 찾을 수 없습니다" in result.output


# --- English names ----------------------------------------------------------------------------

def test_every_municipality_has_an_official_english_name():
    rows = read_municipality_rows()
    assert len(rows) == 243
    for row in rows:
        english = row.get("name_en") or ""
        assert re.fullmatch(r"[A-Za-z][A-Za-z' -]*[A-Za-z]", english), row
    basic_suffix = {"시": "-si", "군": "-gun", "구": "-gu"}
    for row in rows:
        if row["level"] == "basic":
            assert row["name_en"].endswith(basic_suffix[row["kind"]]), row


def test_english_full_names_are_unique(db):
    names = [m.full_name_en for m in db.session.scalars(select(Municipality))]
    assert len(names) == 243 and all(names)
    assert len(set(names)) == 243


@pytest.mark.parametrize("full_name, english, short", [
    ("서울특별시", "Seoul", "Seoul"),
    ("서울특별시 종로구", "Jongno-gu, Seoul", "Jongno-gu"),
    ("부산광역시 중구", "Jung-gu, Busan", "Jung-gu"),
    ("인천광역시 미추홀구", "Michuhol-gu, Incheon", "Michuhol-gu"),
    ("대구광역시 군위군", "Gunwi-gun, Daegu", "Gunwi-gun"),
    ("세종특별자치시", "Sejong", "Sejong"),
    ("경기도 수원시", "Suwon-si, Gyeonggi-do", "Suwon-si"),
    ("경기도 광주시", "Gwangju-si, Gyeonggi-do", "Gwangju-si"),
    ("강원특별자치도", "Gangwon State", "Gangwon State"),
    ("강원특별자치도 고성군", "Goseong-gun, Gangwon State", "Goseong-gun"),
    ("경상남도 고성군", "Goseong-gun, Gyeongsangnam-do", "Goseong-gun"),
    ("전북특별자치도 전주시", "Jeonju-si, Jeonbuk State", "Jeonju-si"),
    ("충청북도", "Chungcheongbuk-do", "Chungcheongbuk-do"),
    ("제주특별자치도", "Jeju", "Jeju"),
])
def test_english_names_spot_checks(app, db, full_name, english, short):
    municipality = db.session.scalar(
        select(Municipality).where(Municipality.full_name == full_name))
    assert municipality.full_name_en == english
    assert place_name(municipality, "en") == english
    assert place_short_name(municipality, "en") == short
    assert place_name(municipality, "ko") == full_name
    assert place_short_name(municipality, "ko") == municipality.name


def test_place_name_falls_back_to_korean_without_an_english_name():
    province = Municipality(name="서울특별시", full_name="서울특별시")
    basic = Municipality(name="종로구", full_name="서울특별시 종로구", name_en="Jongno-gu",
                         parent=province)
    assert place_name(province, "en") == "서울특별시"
    assert place_name(basic, "en") == "서울특별시 종로구"  # the province has no English name
    assert place_short_name(basic, "en") == "Jongno-gu"
    assert place_name(None, "en") == "" and place_short_name(None, "en") == ""


def test_load_municipalities_updates_english_names_of_existing_rows(db):
    jongno = db.session.scalar(select(Municipality).where(Municipality.full_name == "서울특별시 종로구"))
    jongno_id = jongno.id
    jongno.name_en = None
    db.session.flush()
    assert load_municipalities() == 243
    db.session.commit()
    db.session.expire_all()
    jongno = db.session.get(Municipality, jongno_id)
    assert jongno.name_en == "Jongno-gu"
    assert jongno.full_name_en == "Jongno-gu, Seoul"
