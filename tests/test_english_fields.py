"""English fields for overseas demand (issue 11): a solution's English summary and a need's
language, through the forms, the pages, the API and the recommendations the pages show."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Need, Solution
from app.services import unit_of_work
from tests import factories
from tests.test_needs import valid_form as need_form
from tests.test_solutions import solution_form

ENGLISH = {
    "title_en": "AI smart crosswalk",
    "summary_en": "Detects pedestrians and adapts the signal and lighting",
    "description_en": "Video analytics detect pedestrians and vehicles at night crossings.",
}


def _solution(db, company_id: int) -> Solution:
    db.session.expire_all()
    return db.session.scalar(select(Solution).where(Solution.company_id == company_id))


# --- the solution form ------------------------------------------------------------------------


def test_form_offers_the_english_summary_section(company_client):
    page = company_client.get("/my/solutions/new").get_data(as_text=True)
    assert "영문 요약 (해외 수요용)" in page
    assert 'name="title_en"' in page and 'name="summary_en"' in page
    assert 'name="description_en"' in page


def test_english_fields_are_saved_and_shown_under_an_english_heading(company_client, company,
                                                                      client, db):
    response = company_client.post("/my/solutions/new", data=solution_form(**ENGLISH))
    assert response.status_code == 302
    solution = _solution(db, company.id)
    assert (solution.title_en, solution.summary_en, solution.description_en) == (
        ENGLISH["title_en"], ENGLISH["summary_en"], ENGLISH["description_en"])
    page = company_client.get(f"/my/solutions/{solution.id}").get_data(as_text=True)
    assert 'id="english-summary"' in page and "English summary" in page
    assert ENGLISH["summary_en"] in page and ENGLISH["description_en"] in page
    company_client.post(f"/my/solutions/{solution.id}/status", data={"status": "published"})
    public = client.get(f"/solutions/{solution.id}").get_data(as_text=True)
    assert "영문 요약 (해외 수요용)" in public and ENGLISH["title_en"] in public


def test_english_fields_are_optional_and_blank_means_none(company_client, company, db):
    response = company_client.post("/my/solutions/new", data=solution_form(
        title_en="  ", summary_en="", description_en=""))
    assert response.status_code == 302
    solution = _solution(db, company.id)
    assert solution.title_en is None and solution.summary_en is None
    assert solution.description_en is None
    page = company_client.get(f"/my/solutions/{solution.id}").get_data(as_text=True)
    assert 'id="english-summary"' not in page


def test_editing_keeps_and_clears_the_english_fields(company_client, company, db):
    company_client.post("/my/solutions/new", data=solution_form(**ENGLISH))
    solution = _solution(db, company.id)
    form_page = company_client.get(f"/my/solutions/{solution.id}/edit").get_data(as_text=True)
    assert ENGLISH["summary_en"] in form_page
    response = company_client.post(f"/my/solutions/{solution.id}/edit", data=solution_form(
        version=str(solution.version), title_en="", summary_en="", description_en=""))
    assert response.status_code == 302
    solution = _solution(db, company.id)
    assert solution.title_en is None and solution.summary_en is None


@pytest.mark.parametrize("overrides, message", [
    ({"title_en": "a" * 121}, "영문 솔루션명은 120자 이하로 입력하세요."),
    ({"summary_en": "a" * 201}, "영문 한 줄 소개는 200자 이하로 입력하세요."),
    ({"description_en": "a" * 20001}, "영문 상세 설명은 20000자 이하로 입력하세요."),
])
def test_too_long_english_fields_are_refused_and_nothing_is_saved(company_client, db,
                                                                   overrides, message):
    response = company_client.post("/my/solutions/new", data=solution_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 0


def test_english_error_message_is_translated(company_client, db):
    response = company_client.post("/my/solutions/new", data=solution_form(summary_en="a" * 201),
                                   headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 400
    assert "The English one-line summary must be at most 200 characters." in \
        response.get_data(as_text=True)


# --- the need form --------------------------------------------------------------------------


def test_need_form_offers_korean_and_english(official_client):
    page = official_client.get("/my/needs/new").get_data(as_text=True)
    assert 'name="language"' in page and "한국어" in page and "English" in page
    assert '<option selected value="ko">' in page or 'value="ko" selected' in page


def test_need_language_defaults_to_korean_and_can_be_english(official_client, db):
    assert official_client.post("/my/needs/new", data=need_form()).status_code == 302
    assert official_client.post("/my/needs/new", data=need_form(
        title="Smart parking for the old town", language="en",
        description="We need parking sensors and guidance for visitors of the old town.",
    )).status_code == 302
    db.session.expire_all()
    languages = dict(db.session.execute(select(Need.title, Need.language)).all())
    assert languages == {"어르신 이동권 보장을 위한 수요응답형 버스": "ko",
                         "Smart parking for the old town": "en"}
    need = db.session.scalar(select(Need).where(Need.language == "en"))
    edit_page = official_client.get(f"/my/needs/{need.id}/edit").get_data(as_text=True)
    assert 'value="en" selected' in edit_page or '<option selected value="en">' in edit_page


@pytest.mark.parametrize("language", ["fr", "EN", "한국어"])
def test_unknown_need_language_is_refused_and_nothing_is_saved(official_client, db, language):
    response = official_client.post("/my/needs/new", data=need_form(language=language))
    assert response.status_code == 400
    assert "작성 언어를 목록에서 선택하세요." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


# --- the API ----------------------------------------------------------------------------------


def test_api_exposes_english_fields_and_need_language(client, db, company, official):
    solution = factories.make_solution(company, **ENGLISH)
    plain = factories.make_solution(company)
    need = factories.make_need(official, title="Smart parking", language="en",
                               description="Parking sensors and guidance for the old town.")
    unit_of_work.commit()
    record = client.get(f"/api/v1/solutions/{solution.id}").get_json()
    assert record["title_en"] == ENGLISH["title_en"]
    assert record["summary_en"] == ENGLISH["summary_en"]
    assert record["description_en"] == ENGLISH["description_en"]
    assert client.get(f"/api/v1/solutions/{plain.id}").get_json()["summary_en"] is None
    assert client.get(f"/api/v1/needs/{need.id}").get_json()["language"] == "en"
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "summary_en" in schemas["Solution"]["properties"]
    assert "language" in schemas["Need"]["properties"]


# --- recommendations --------------------------------------------------------------------------


def test_english_need_is_recommended_solutions_by_their_english_summary(client, db, company,
                                                                        official):
    parking = factories.make_solution(
        company, title="스마트 주차 안내", summary="주차면 센서와 안내 전광판",
        description="주차면마다 센서를 달아 빈자리를 안내합니다.",
        title_en="Smart parking guidance", summary_en="Parking space sensors and guidance signs",
        description_en="Sensors on every parking space detect free spaces and guide drivers.")
    korean_only = factories.make_solution(company, title="스마트 주차 관제")
    need = factories.make_need(
        official, title="Parking guidance for the old town", language="en",
        description="Visitors circle the old town looking for parking. We want parking space "
                    "sensors and guidance signs that show free spaces to drivers.")
    unit_of_work.commit()
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert 'lang="en">Parking guidance for the old town</h1>' in page
    assert "Parking space sensors and guidance signs" in page
    assert f"/solutions/{parking.id}\"" in page
    assert f"/solutions/{korean_only.id}\"" not in page  # no English text: no candidate

    korean_need = factories.make_need(official, title="구도심 주차 안내",
                                      description="구도심 주차면 센서와 빈자리 안내가 필요합니다.")
    unit_of_work.commit()
    korean_page = client.get(f"/needs/{korean_need.id}").get_data(as_text=True)
    assert "Parking space sensors and guidance signs" not in korean_page  # Korean card as before


def test_rematch_and_freshness_work_for_english_needs(app, db, company, official, company_client):
    from app.models import Recommendation
    from app.services import recommendations

    assert recommendations.needs_for_company(company) == []  # the engine is built empty here
    parking = factories.make_solution(
        company, title="스마트 주차 안내", title_en="Smart parking guidance",
        summary_en="Parking space sensors and guidance signs",
        description_en="Sensors on every parking space detect free spaces and guide drivers.")
    need = factories.make_need(
        official, title="Parking guidance downtown", language="en",
        description="We want parking space sensors and guidance signs downtown.")
    unit_of_work.commit()
    assert [m.solution.id for m in recommendations.solutions_for_need(need)][:1] == [parking.id]
    assert need.id in {m.need.id for m in recommendations.needs_for_solution(parking)}

    result = app.test_cli_runner().invoke(args=["rematch"])
    assert result.exit_code == 0, result.output
    rows = list(db.session.scalars(select(Recommendation).where(Recommendation.need_id == need.id)
                                   .order_by(Recommendation.rank)))
    assert rows and rows[0].solution_id == parking.id

    # the company removes its English text: the solution is no longer a candidate
    response = company_client.post(f"/my/solutions/{parking.id}/edit", data=solution_form(
        title="스마트 주차 안내", version=str(parking.version), title_en="", summary_en="",
        description_en=""))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert parking.id not in {m.solution.id for m in recommendations.solutions_for_need(
        db.session.get(Need, need.id))}
