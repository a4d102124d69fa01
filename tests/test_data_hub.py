"""Data hub and open source (docs/data-hub.md): solution forms, references, need requirements,
pages, the API's fields and filters, and the requirements in the "why this match" reasons."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text as sql
from sqlalchemy.exc import IntegrityError

from app.models import (
    DataHubStandard,
    DeploymentReference,
    Need,
    Solution,
    SolutionDataHubStandard,
)
from app.services.needs import today_in_seoul
from tests import factories
from tests.test_recommendation_pages import section
from tests.test_solutions import solution_form

API = "/api/v1"
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def solution_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Solution))


def need_form(**overrides) -> dict:
    today = today_in_seoul()
    data = {
        "title": "도시 센서 데이터 통합 플랫폼",
        "description": "도시 곳곳의 센서 데이터를 광역 데이터허브로 모아 통합 관제하려고 합니다.",
        "primary_category_id": str(factories.category("transport").id),
        "budget_min": "20,000,000",
        "budget_max": "80,000,000",
        "application_deadline": (today + timedelta(days=30)).isoformat(),
        "desired_start": (today + timedelta(days=60)).isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


OPEN = {"data_hub_standards": ["onem2m", "ngsi_ld"], "open_source_license": "apache-2.0",
        "source_url": "https://github.com/citymatch/crossing"}


# --- solutions ------------------------------------------------------------------------------


def test_a_solution_declares_standards_and_an_spdx_licence(company_client, company, db):
    response = company_client.post("/my/solutions/new", data=solution_form(**OPEN))
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    solution = db.session.scalar(select(Solution).where(Solution.company_id == company.id))
    assert solution.data_hub_standards == [DataHubStandard.NGSI_LD, DataHubStandard.ONEM2M]
    assert solution.open_source_license == "Apache-2.0"  # the canonical SPDX spelling
    assert solution.source_url == "https://github.com/citymatch/crossing"

    page = text(company_client.get(f"/my/solutions/{solution.id}"))
    assert "스마트시티 데이터허브 표준 API (NGSI-LD)" in page and "oneM2M" in page
    assert "Apache-2.0" in page and 'href="https://github.com/citymatch/crossing"' in page
    form = text(company_client.get(f"/my/solutions/{solution.id}/edit"))
    assert 'value="Apache-2.0"' in form
    assert re.search(r'value="ngsi_ld"[^>]*checked|checked[^>]*value="ngsi_ld"', form)


def test_an_spdx_expression_is_accepted(company_client, db):
    response = company_client.post("/my/solutions/new", data=solution_form(
        open_source_license="mit OR Apache-2.0", source_url="http://git.example.kr/x"))
    assert response.status_code == 302
    assert db.session.scalar(select(Solution.open_source_license)) == "MIT OR Apache-2.0"


@pytest.mark.parametrize("overrides, message", [
    ({"open_source_license": "Apache 2.0", "source_url": OPEN["source_url"]},
     "SPDX 라이선스 목록에 없는 식별자입니다: Apache 2.0"),
    ({"open_source_license": "Foo-1.0", "source_url": OPEN["source_url"]},
     "SPDX 라이선스 목록에 없는 식별자입니다: Foo-1.0"),
    ({"open_source_license": "MIT OR", "source_url": OPEN["source_url"]},
     "SPDX 라이선스 표현식 형식이 올바르지 않습니다"),
    ({"open_source_license": "MIT"}, "소스 코드 주소(http/https)도 입력하세요"),
    ({"open_source_license": "MIT", "source_url": "ftp://example.kr/src"},
     "http:// 또는 https://로 시작하는 올바른 주소"),
    ({"open_source_license": "MIT", "source_url": "javascript:alert(1)"},
     "http:// 또는 https://로 시작하는 올바른 주소"),
    ({"source_url": OPEN["source_url"]}, "SPDX 라이선스도 입력하세요"),
    ({"data_hub_standards": ["ngsi_ld", "carrier-pigeon"]}, "데이터허브 연계 표준은 목록에서 선택하세요"),
])
def test_bad_open_source_input_is_refused_and_nothing_is_saved(company_client, db, overrides,
                                                               message):
    response = company_client.post("/my/solutions/new", data=solution_form(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert solution_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(SolutionDataHubStandard)) == 0


def test_the_licence_error_is_translated(company_client, db):
    response = company_client.post("/my/solutions/new", headers=ENGLISH, data=solution_form(
        open_source_license="Foo-1.0", source_url=OPEN["source_url"]))
    assert response.status_code == 400
    assert "not on the SPDX licence list: Foo-1.0" in text(response)
    missing = company_client.post("/my/solutions/new", headers=ENGLISH,
                                  data=solution_form(open_source_license="MIT"))
    assert "also give the source-code address (http/https)" in text(missing)
    assert solution_count(db) == 0


def test_editing_changes_standards_and_closing_the_source_clears_both(company_client, company,
                                                                     db):
    company_client.post("/my/solutions/new", data=solution_form(**OPEN))
    solution = db.session.scalar(select(Solution))
    edited = solution_form(data_hub_standards=["ngsi_ld", "ogc_sensorthings"],
                           open_source_license="", source_url="", version=str(solution.version))
    response = company_client.post(f"/my/solutions/{solution.id}/edit", data=edited)
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    solution = db.session.get(Solution, solution.id)
    assert solution.data_hub_standards == [DataHubStandard.NGSI_LD, DataHubStandard.SENSORTHINGS]
    assert solution.open_source_license is None and solution.source_url is None


def test_the_database_refuses_a_licence_without_a_source_url(db, company):
    solution = factories.make_solution(company)
    solution.open_source_license = "MIT"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_an_unknown_standard(db, company):
    solution = factories.make_solution(company)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sql("INSERT INTO solution_data_hub_standard (solution_id, standard)"
                                " VALUES (:id, 'carrier_pigeon')"), {"id": solution.id})
    db.session.rollback()


# --- deployment references -----------------------------------------------------------------


def test_a_reference_notes_the_data_hub_it_runs_on(company_client, client, company, db):
    solution = factories.make_solution(company, title="데이터허브 연계 관제")
    db.session.commit()
    place = factories.municipality("부산광역시 해운대구")
    response = company_client.post(f"/my/solutions/{solution.id}/references", data={
        "municipality_id": str(place.id), "year": "2024", "outcome": "관제 데이터 통합",
        "data_hub_name": "  부산   데이터허브 "})
    assert response.status_code == 302
    db.session.expire_all()
    [reference] = db.session.scalars(select(DeploymentReference)).all()
    assert reference.data_hub_name == "부산 데이터허브"
    assert "부산 데이터허브" in text(client.get(f"/solutions/{solution.id}"))
    assert "부산 데이터허브" in text(company_client.get(f"/my/solutions/{solution.id}"))
    api = client.get(f"{API}/solutions/{solution.id}").get_json()
    assert api["references"][0]["data_hub_name"] == "부산 데이터허브"


def test_a_too_long_data_hub_name_is_refused(company_client, company, db):
    solution = factories.make_solution(company)
    db.session.commit()
    response = company_client.post(f"/my/solutions/{solution.id}/references", data={
        "municipality_id": str(factories.municipality().id), "year": "2024",
        "outcome": "성과", "data_hub_name": "가" * 101})
    assert response.status_code == 400
    assert "데이터허브 이름은 100자 이하로 입력하세요" in text(response)
    assert db.session.scalar(select(func.count()).select_from(DeploymentReference)) == 0


# --- needs ----------------------------------------------------------------------------------


def test_a_need_asks_for_a_standard_and_open_source(official_client, client, db):
    response = official_client.post("/my/needs/new", data=need_form(
        required_data_hub_standard="ngsi_ld", requires_open_source="y"))
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    need = db.session.scalar(select(Need))
    assert need.requires_data_hub is True  # naming a standard asks for a data hub
    assert need.required_data_hub_standard == DataHubStandard.NGSI_LD
    assert need.requires_open_source is True
    for page in (text(client.get(f"/needs/{need.id}")),
                 text(official_client.get(f"/my/needs/{need.id}"))):
        assert "필요 · 스마트시티 데이터허브 표준 API (NGSI-LD)" in page
    form = text(official_client.get(f"/my/needs/{need.id}/edit"))
    assert re.search(r'<option selected value="ngsi_ld"|<option value="ngsi_ld" selected', form)

    edit = need_form(required_data_hub_standard="", requires_data_hub="y", status="open",
                     version=str(need.version))
    assert official_client.post(f"/my/needs/{need.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    need = db.session.get(Need, need.id)
    assert need.requires_data_hub and need.required_data_hub_standard is None
    assert need.requires_open_source is False  # unticked


def test_a_need_without_requirements_requires_nothing(official_client, db):
    assert official_client.post("/my/needs/new", data=need_form()).status_code == 302
    need = db.session.scalar(select(Need))
    assert (need.requires_data_hub, need.required_data_hub_standard,
            need.requires_open_source) == (False, None, False)


def test_an_unknown_standard_on_a_need_is_refused(official_client, db):
    response = official_client.post("/my/needs/new", data=need_form(
        required_data_hub_standard="telex"))
    assert response.status_code == 400
    assert "데이터허브 연계 표준은 목록에서 선택하세요" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


# --- API ------------------------------------------------------------------------------------


@pytest.fixture()
def listed(db, company, official):
    """Three published solutions (open + NGSI-LD, closed + oneM2M, plain) and two needs."""
    open_one = factories.make_solution(company, title="오픈 데이터허브 연계")
    open_one.open_source_license, open_one.source_url = "Apache-2.0", "https://github.com/a/b"
    open_one.data_hub_links = [SolutionDataHubStandard(standard=DataHubStandard.NGSI_LD)]
    closed = factories.make_solution(company, title="폐쇄형 oneM2M 연계")
    closed.data_hub_links = [SolutionDataHubStandard(standard=DataHubStandard.ONEM2M)]
    plain = factories.make_solution(company, title="일반 솔루션")
    asking = factories.make_need(official, title="표준 연계 수요")
    asking.requires_data_hub, asking.requires_open_source = True, True
    asking.required_data_hub_standard = DataHubStandard.NGSI_LD
    other = factories.make_need(official, title="요구 없는 수요")
    db.session.commit()
    return {"open": open_one.id, "closed": closed.id, "plain": plain.id,
            "asking": asking.id, "other": other.id}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["data"]}


def test_the_api_shows_the_fields(client, listed):
    record = client.get(f"{API}/solutions/{listed['open']}").get_json()
    assert record["data_hub_standards"] == ["ngsi_ld"]
    assert record["open_source_license"] == "Apache-2.0"
    assert record["source_url"] == "https://github.com/a/b"
    plain = client.get(f"{API}/solutions/{listed['plain']}").get_json()
    assert (plain["data_hub_standards"], plain["open_source_license"],
            plain["source_url"]) == ([], None, None)
    need = client.get(f"{API}/needs/{listed['asking']}").get_json()
    assert (need["requires_data_hub"], need["required_data_hub_standard"],
            need["requires_open_source"]) == (True, "ngsi_ld", True)


def test_the_api_filters_solutions(client, listed):
    assert _ids(client.get(f"{API}/solutions?open_source=1")) == {listed["open"]}
    assert _ids(client.get(f"{API}/solutions?open_source=0")) == {listed["closed"],
                                                                  listed["plain"]}
    assert _ids(client.get(f"{API}/solutions?data_hub=ngsi_ld")) == {listed["open"]}
    assert _ids(client.get(f"{API}/solutions?data_hub=onem2m")) == {listed["closed"]}
    assert _ids(client.get(f"{API}/solutions?data_hub=any")) == {listed["open"],
                                                                 listed["closed"]}
    assert _ids(client.get(f"{API}/solutions?data_hub=fiware")) == set()
    assert _ids(client.get(f"{API}/solutions?data_hub=onem2m&open_source=1")) == set()


def test_the_api_filters_needs_by_what_they_require(client, listed):
    assert _ids(client.get(f"{API}/needs?open_source=1")) == {listed["asking"]}
    assert _ids(client.get(f"{API}/needs?data_hub=any")) == {listed["asking"]}
    assert _ids(client.get(f"{API}/needs?data_hub=ngsi_ld")) == {listed["asking"]}
    assert _ids(client.get(f"{API}/needs?data_hub=onem2m")) == set()
    assert listed["other"] in _ids(client.get(f"{API}/needs?open_source=0"))


def test_bad_api_filters_get_a_localised_error(client, listed):
    response = client.get(f"{API}/solutions?data_hub=telex")
    assert response.status_code == 400
    assert "허용되지 않는 값입니다" in response.get_data(as_text=True)
    english = client.get(f"{API}/solutions?open_source=yes", headers=ENGLISH)
    assert english.status_code == 400
    assert "Not an allowed value. Allowed: 1, 0" in english.get_data(as_text=True)


def test_the_csv_download_has_the_columns(client, listed):
    body = client.get(f"{API}/bulk/solutions.csv").get_data(as_text=True)
    header = body.lstrip("\ufeff").splitlines()[0].split(",")
    assert {"data_hub_standards", "open_source_license", "source_url"} <= set(header)
    needs = client.get(f"{API}/bulk/needs.csv").get_data(as_text=True)
    assert "required_data_hub_standard" in needs.splitlines()[0]


# --- matching -------------------------------------------------------------------------------


FLOOD_NEED_TEXT = (
    "집중호우 때 지하차도와 저지대 침수를 미리 예측하려고 합니다. 지하차도마다 수위 센서를 "
    "설치해 침수 위험을 실시간으로 측정하고, 수위가 오르면 침수 예측 경보를 보내야 합니다.")
SENSOR_TEXT = (
    "지하차도와 하천에 설치하는 IoT 수위 센서입니다. 침수 위험을 실시간 측정하고 "
    "집중호우 때 침수 예측 경보를 자동으로 보냅니다.")


def test_recommendations_say_which_requirement_is_met_or_missed(client, db, company, official):
    need = factories.make_need(official, title="지하차도 침수 예측 수위 센서",
                               description=FLOOD_NEED_TEXT, category_code="safety",
                               deadline_in_days=90)
    need.requires_open_source = True
    opened = factories.make_solution(company, title="오픈소스 침수 예측 수위 센서",
                                     description=SENSOR_TEXT, category_code="safety")
    opened.open_source_license, opened.source_url = "MIT", "https://github.com/a/flood"
    closed = factories.make_solution(company, title="지하차도 수위 경보 센서",
                                     description=SENSOR_TEXT, category_code="safety")
    db.session.commit()

    page = section(text(client.get(f"/needs/{need.id}")), "recommended-solutions-heading")
    assert "요구한 오픈소스 솔루션입니다" in page
    assert "오픈소스가 아닙니다 (수요가 오픈소스를 요구합니다)" in page
    assert "수요 요구사항" in page  # the missed requirement's part of the score
    assert page.index(opened.title) < page.index(closed.title)

    english = text(client.get(f"/needs/{need.id}", headers=ENGLISH))
    assert "It is open source, as required" in english
    assert "Not open source (the need requires it)" in english
