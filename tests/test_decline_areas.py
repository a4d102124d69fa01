"""Population-decline areas (인구감소지역 89, 관심지역 18): reference data, badge, filters, follow,
dashboard figures."""
from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.models import (
    DeclineKind,
    Match,
    MatchStatus,
    Municipality,
    Notification,
    PopulationDeclineArea,
    Role,
    SavedSearch,
    Side,
)
from app.extensions import db
from app.formatting import SEOUL
from app.models.base import utcnow
from app.services import digests, unit_of_work
from app.services.reference_data import (
    DECLINE_AREAS_CSV,
    ReferenceDataError,
    load_decline_areas,
    read_decline_area_rows,
    read_municipality_rows,
)
from tests import factories
from tests.conftest import REFERENCE_TABLES
from tests.test_needs import valid_form as need_form

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


@pytest.fixture(autouse=True)
def decline_list(app):
    """The shipped list, loaded as `flask load-reference-data` does (idempotent): tests that
    rebuild the schema on the shared test database reload only the municipalities."""
    with app.app_context():
        load_decline_areas()
        db.session.commit()


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


# --- needs from those places: badge, list filter, API ------------------------------------------

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture()
def places(db):
    """One need each from a decline area, an area of concern and an ordinary place."""
    made = {}
    for key, place in (("decline", DECLINING_PLACE), ("interest", INTEREST_PLACE),
                       ("ordinary", ORDINARY_PLACE)):
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name=place)
        made[key] = factories.make_need(official, title=f"수요응답형 교통 {key}")
        made[f"{key}_official"] = official
    unit_of_work.commit()
    return made


def test_need_pages_and_cards_carry_the_badge_in_both_languages(client, places):
    page = text(client.get(f"/needs/{places['decline'].id}"))
    assert 'data-decline-kind="decline"' in page and "인구감소지역" in page
    page = text(client.get(f"/needs/{places['interest'].id}"))
    assert 'data-decline-kind="interest"' in page and "인구감소 관심지역" in page
    assert "data-decline-kind" not in text(client.get(f"/needs/{places['ordinary'].id}"))
    english = text(client.get(f"/needs/{places['decline'].id}", headers=ENGLISH))
    assert "Population-decline area" in english
    cards = text(client.get("/needs"))
    assert cards.count('data-decline-kind="') == 2
    place = text(client.get(f"/municipalities/{places['decline'].municipality_id}"))
    assert place.count('data-decline-kind="decline"') == 2  # the heading and the need card


def _listed(client, places, query: str) -> set[str]:
    response = client.get(f"/needs?{query}")
    assert response.status_code == 200
    page = text(response)
    return {key for key in ("decline", "interest", "ordinary")
            if f'href="/needs/{places[key].id}"' in page}


def test_the_needs_list_filters_by_decline_kind(client, places):
    assert _listed(client, places, "") == {"decline", "interest", "ordinary"}
    assert _listed(client, places, "decline=1") == {"decline", "interest"}
    assert _listed(client, places, "decline=decline") == {"decline"}
    assert _listed(client, places, "decline=interest") == {"interest"}
    assert _listed(client, places, "decline=1&q=수요응답형") == {"decline", "interest"}


def test_an_unknown_decline_value_is_ignored_with_a_message(client, places):
    response = client.get("/needs?decline=maybe")
    assert response.status_code == 200
    assert "알 수 없는 인구감소지역 조건입니다." in text(response)
    assert _listed(client, places, "decline=maybe") == {"decline", "interest", "ordinary"}
    english = text(client.get("/needs?decline=maybe", headers=ENGLISH))
    assert "Unknown population-decline condition." in english


def test_the_api_exposes_and_filters_declining_needs(client, places):
    body = client.get("/api/v1/needs?per_page=50").get_json()
    by_id = {item["id"]: item for item in body["data"]}
    assert by_id[places["decline"].id]["declining_area"] is True
    assert by_id[places["decline"].id]["decline_kind"] == "decline"
    assert by_id[places["interest"].id]["decline_kind"] == "interest"
    assert by_id[places["ordinary"].id]["declining_area"] is False
    assert by_id[places["ordinary"].id]["decline_kind"] is None
    ids = {item["id"] for item in client.get("/api/v1/needs?decline=1").get_json()["data"]}
    assert ids == {places["decline"].id, places["interest"].id}
    ids = {item["id"] for item in client.get("/api/v1/needs?decline=interest").get_json()["data"]}
    assert ids == {places["interest"].id}
    refused = client.get("/api/v1/needs?decline=yes")
    assert refused.status_code == 400
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"] for p in spec["paths"]["/api/v1/needs"]["get"]["parameters"]}
    assert "decline" in parameters


# --- following needs from those places -----------------------------------------------------

def _saved(db, user):
    db.session.expire_all()
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)))


def test_a_company_follows_only_declining_needs_and_the_digest_holds_only_those(
        db, company_client, company_user, outbox):
    page = text(company_client.get("/alerts/"))
    assert 'name="declining_only"' in page
    assert company_client.post("/alerts/searches", data={"declining_only": "y"}).status_code == 302
    [search] = _saved(db, company_user)
    assert search.declining_only and search.category_id is None
    assert "인구감소지역·관심지역만" in text(company_client.get("/alerts/"))
    assert company_client.post("/alerts/digest", data={"frequency": "daily"}).status_code == 302
    made = {}
    for key, place in (("decline", DECLINING_PLACE), ("interest", INTEREST_PLACE),
                       ("ordinary", ORDINARY_PLACE)):
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name=place)
        made[key] = factories.make_need(official, title=f"새 교통 수요 {key}")
    unit_of_work.commit()
    outbox.clear()
    report = digests.send_due_digests(utcnow() + timedelta(days=2))
    assert report.sent == 1
    [mail] = outbox
    assert made["decline"].title in mail.body and made["interest"].title in mail.body
    assert made["ordinary"].title not in mail.body


def test_a_new_need_alerts_declining_followers_only_when_it_comes_from_such_a_place(
        db, app, company_client, company_user):
    assert company_client.post("/alerts/searches", data={"declining_only": "y"}).status_code == 302
    for place, expected in ((ORDINARY_PLACE, 0), (DECLINING_PLACE, 1)):
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name=place)
        unit_of_work.commit()
        client = app.test_client()
        assert client.post("/auth/login", data={"email": official.email,
                                                "password": factories.PASSWORD}).status_code == 302
        response = client.post("/my/needs/new", data=need_form(title=f"{place} 교통 수요"))
        assert response.status_code == 302
        db.session.expire_all()
        followed = db.session.scalars(select(Notification).where(
            Notification.user_id == company_user.id, Notification.kind == "saved_search")).all()
        assert len(followed) == expected


def test_officials_cannot_save_a_declining_only_solution_search(db, official_client, official):
    transport = factories.category("transport")
    response = official_client.post("/alerts/searches", data={
        "category_id": str(transport.id), "declining_only": "y"})
    assert response.status_code == 400
    assert _saved(db, official) == []


def test_declining_only_is_a_criterion_of_its_own_for_duplicates(db, company_client, company_user):
    transport = str(factories.category("transport").id)
    assert company_client.post("/alerts/searches", data={"category_id": transport}).status_code == 302
    assert company_client.post("/alerts/searches", data={
        "category_id": transport, "declining_only": "y"}).status_code == 302
    duplicate = company_client.post("/alerts/searches", data={
        "category_id": transport, "declining_only": "y"})
    assert duplicate.status_code == 400
    assert len(_saved(db, company_user)) == 2


# --- dashboard -----------------------------------------------------------------------------

def _match(need, solution, status, moment):
    match = Match(need=need, solution=solution, status=status, initiator_side=Side.COMPANY,
                  requested_by=need.created_by, created_at=moment,
                  expires_at=moment + timedelta(days=14),
                  responded_at=moment if status != MatchStatus.PENDING else None,
                  reviewed_at=moment if status in (MatchStatus.APPROVED,
                                                   MatchStatus.REJECTED) else None)
    db.session.add(match)
    db.session.flush()
    return match


@pytest.fixture()
def decline_world(db, company):
    """Needs and matches in a few designated and ordinary places, this year and last year."""
    now = utcnow()
    last_year = datetime(datetime.now(SEOUL).year - 1, 6, 1, tzinfo=timezone.utc)
    solution = factories.make_solution(company)
    needs = {}
    for place in ("경상북도 의성군", "전라남도 신안군", "강원특별자치도 정선군", "경상남도 합천군",
                  "강원특별자치도 강릉시", "경상북도 경주시", ORDINARY_PLACE):
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name=place)
        needs[place] = factories.make_need(official)
    # 합천군 posted only last year; 정선군 has a need but no match.
    needs["경상남도 합천군"].created_at = last_year
    _match(needs["경상북도 의성군"], solution, MatchStatus.APPROVED, now)
    _match(needs["전라남도 신안군"], solution, MatchStatus.MUTUAL, now)
    _match(needs["경상남도 합천군"], solution, MatchStatus.APPROVED, last_year)
    _match(needs["강원특별자치도 강릉시"], solution, MatchStatus.PENDING, now)
    _match(needs["경상북도 경주시"], solution, MatchStatus.REJECTED, now)
    _match(needs[ORDINARY_PLACE], solution, MatchStatus.APPROVED, now)
    unit_of_work.commit()
    return needs


def test_dashboard_counts_declining_places_with_needs_and_matches_this_year(
        decline_world, admin_client):
    page = text(admin_client.get("/admin/dashboard/"))
    assert 'id="table-decline_areas"' in page and "인구감소지역의 수요와 매칭" in page
    response = admin_client.get("/admin/dashboard/export/decline_areas.csv")
    assert response.status_code == 200
    rows = list(csv.reader(response.get_data(as_text=True).lstrip("\ufeff").splitlines()))
    assert rows[0] == ["구분", "지정 지역", "수요를 올린 지역", "상호 수락 매칭이 있는 지역",
                       "승인된 매칭이 있는 지역"]
    # decline: 의성 (approved), 신안 (mutual), 정선 (need only); 합천 only last year.
    # interest: 강릉 (pending request), 경주 (mutual, then rejected by the admins).
    assert rows[1:] == [["인구감소지역", "89", "3", "2", "1"],
                        ["인구감소 관심지역", "18", "2", "1", "0"],
                        ["합계", "107", "5", "3", "1"]]


def test_the_dashboard_panel_is_english_for_english_admins(decline_world, admin_client):
    page = text(admin_client.get("/admin/dashboard/", headers=ENGLISH))
    assert "Needs and matches in population-decline areas" in page
    assert "Places with an approved match" in page


def test_the_dashboard_panel_is_for_admins_only(decline_world, company_client):
    assert company_client.get("/admin/dashboard/export/decline_areas.csv").status_code == 403


# --- the engine in the app -------------------------------------------------------------------

def test_recommended_needs_mark_and_slightly_prefer_declining_places(db, client, company):
    solution = factories.make_solution(company, title="농어촌 DRT 배차 플랫폼",
                                       regions=["서울특별시", "경상북도"])
    ordinary = factories.make_need(factories.make_user(role=Role.MUNICIPALITY),
                                   title="읍면 수요응답형 교통 도입")
    declining = factories.make_need(
        factories.make_user(role=Role.MUNICIPALITY, municipality_name=DECLINING_PLACE),
        title="읍면 수요응답형 교통 도입")
    unit_of_work.commit()
    page = text(client.get(f"/solutions/{solution.id}"))
    first, second = page.find(f'href="/needs/{declining.id}"'), page.find(f'href="/needs/{ordinary.id}"')
    assert 0 < first < second  # equal needs: the declining one first (an id tie-break otherwise)
    assert 'data-decline-kind="decline"' in page[first:second]
