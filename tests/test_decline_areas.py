"""Population-decline areas (인구감소지역 89, 관심지역 18): reference data, badge, filters, follow,
dashboard figures."""
from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from app.models import DeclineKind, Municipality, PopulationDeclineArea, Role
from app.services import unit_of_work
from app.services.reference_data import (
    DECLINE_AREAS_CSV,
    ReferenceDataError,
    load_decline_areas,
    read_decline_area_rows,
    read_municipality_rows,
)
from tests import factories
from tests.conftest import REFERENCE_TABLES

DECLINING_PLACE = "경상북도 의성군"      # 인구감소지역
INTEREST_PLACE = "강원특별자치도 강릉시"  # 관심지역
ORDINARY_PLACE = "서울특별시 종로구"


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the reference list -----------------------------------------------------------------------

def test_the_list_holds_89_decline_and_18_interest_areas_of_the_2021_notice():
    rows = read_decline_area_rows()
    assert Counter(r["kind"] for r in rows) == {"decline": 89, "interest": 18}
    assert {r["notice_number"] for r in rows} == {"행정안전부 고시 제2021-66호"}
    assert {r["notice_date"] for r in rows} == {"2021-10-19"}


def test_each_row_links_to_exactly_one_of_the_243_local_governments():
    governments = read_municipality_rows()
    assert len(governments) == 243
    basic = Counter((g["province"], g["name"]) for g in governments if g["level"] == "basic")
    rows = read_decline_area_rows()
    keys = [(r["province"], r["name"]) for r in rows]
    assert len(set(keys)) == len(keys) == 107
    assert all(basic[key] == 1 for key in keys), [k for k in keys if basic[k] != 1]


def test_per_province_counts_follow_the_notice():
    decline = Counter(r["province"] for r in read_decline_area_rows() if r["kind"] == "decline")
    assert decline == {"부산광역시": 3, "대구광역시": 3, "인천광역시": 2, "경기도": 2,
                       "강원특별자치도": 12, "충청북도": 6, "충청남도": 9, "전북특별자치도": 10,
                       "전라남도": 16, "경상북도": 15, "경상남도": 11}
    gunwi = next(r for r in read_decline_area_rows() if r["name"] == "군위군")
    assert gunwi["province"] == "대구광역시" and "경상북도" in gunwi["note"]
    interest = {(r["province"], r["name"]) for r in read_decline_area_rows() if r["kind"] == "interest"}
    assert ("부산광역시", "금정구") in interest and ("경상남도", "통영시") in interest


def test_loaded_rows_point_at_the_municipalities(db):
    assert "population_decline_area" in REFERENCE_TABLES
    counts = dict(db.session.execute(select(PopulationDeclineArea.kind, func.count())
                                     .group_by(PopulationDeclineArea.kind)).all())
    assert counts == {DeclineKind.DECLINE: 89, DeclineKind.INTEREST: 18}
    area = db.session.scalar(select(PopulationDeclineArea).join(PopulationDeclineArea.municipality)
                             .where(Municipality.full_name == DECLINING_PLACE))
    assert area.kind == DeclineKind.DECLINE and area.notice_date == date(2021, 10, 19)


def test_load_reference_data_is_idempotent_and_reports_the_areas(db, runner):
    before = dict(db.session.execute(select(PopulationDeclineArea.municipality_id,
                                            PopulationDeclineArea.id)).all())
    for _ in range(2):
        result = runner.invoke(args=["load-reference-data"])
        assert result.exit_code == 0, result.output
        assert "인구감소·관심지역 107곳" in result.output
    db.session.expire_all()
    after = dict(db.session.execute(select(PopulationDeclineArea.municipality_id,
                                           PopulationDeclineArea.id)).all())
    assert after == before


def test_an_unknown_place_in_the_file_is_refused_and_changes_nothing(db, tmp_path):
    bad = tmp_path / "areas.csv"
    content = DECLINE_AREAS_CSV.read_text(encoding="utf-8") + \
        "decline,경상북도,없는군,행정안전부 고시 제2021-66호,2021-10-19,\n"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="없는군"):
        load_decline_areas(bad)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PopulationDeclineArea)) == 107
