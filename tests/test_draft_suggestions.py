"""Live suggestions on the need form: POST /my/needs/suggestions with the draft, JSON back."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import (
    Category,
    MembershipStatus,
    ModerationStatus,
    Need,
    OfficialStatus,
    Role,
    SolutionStatus,
)
from app.services import recommendations
from tests import factories
from tests.db_writes import recording_writes

URL = "/my/needs/suggestions"

FLOOD_TITLE = "지하차도 침수 예측 경보"
FLOOD_TEXT = (
    "집중호우 때 지하차도와 저지대가 침수되어 차량이 고립되는 일이 반복됩니다. 지하차도마다 수위 "
    "센서를 설치해 침수 위험을 실시간으로 측정하고, 수위가 오르면 진입 차단과 침수 예측 경보를 "
    "자동으로 보내는 체계가 필요합니다."
)
DRT_TITLE = "읍면 수요응답형 버스 도입"
DRT_TEXT = (
    "읍면 지역은 버스 노선이 적어 어르신의 이동이 어렵습니다. 전화나 앱으로 호출하면 오는 "
    "수요응답형 교통(DRT) 버스와 실시간 배차 플랫폼을 도입해 교통 사각지대를 없애려고 합니다."
)
SENSOR_TITLE = "지하차도 침수 예측 수위 센서"
SENSOR_TEXT = (
    "지하차도와 하천에 설치하는 IoT 수위 센서입니다. 침수 위험을 실시간 측정하고 집중호우 때 "
    "침수 예측 경보를 자동으로 보내며, 지하차도 진입 차단기와 연동합니다."
)
DRT_SOLUTION_TITLE = "농어촌 DRT 호출·배차 플랫폼"
DRT_SOLUTION_TEXT = (
    "농어촌 읍면 지역의 수요응답형 교통(DRT) 호출 앱과 실시간 배차 플랫폼입니다. 어르신이 전화나 "
    "앱으로 버스를 부르면 배차 알고리즘이 경로를 계산해 교통 사각지대의 이동권을 보장합니다."
)


@pytest.fixture()
def catalogue(db, company):
    """A flood-sensor product and a DRT platform, both published by an approved startup."""
    sensor = factories.make_solution(company, title=SENSOR_TITLE, description=SENSOR_TEXT,
                                     category_code="safety")
    drt = factories.make_solution(company, title=DRT_SOLUTION_TITLE,
                                  description=DRT_SOLUTION_TEXT, category_code="transport")
    db.session.commit()
    return {"sensor": sensor, "drt": drt}


def category_id(code: str) -> int:
    return _db.session.scalar(select(Category.id).where(Category.code == code))


def flood_draft(**changes) -> dict:
    draft = {"title": FLOOD_TITLE, "description": FLOOD_TEXT,
             "primary_category_id": str(category_id("safety")), "budget_min": "30,000,000",
             "budget_max": "80,000,000"}
    draft.update(changes)
    return draft


def titles(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]


# --- what is suggested ------------------------------------------------------------------------


def test_a_flood_draft_gets_the_flood_product_first(official_client, catalogue):
    response = official_client.post(URL, data=flood_draft())

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    first = data["suggestions"][0]
    assert first["title"] == SENSOR_TITLE
    assert first["company"] == catalogue["sensor"].company.name
    assert first["url"] == f"/solutions/{catalogue['sensor'].id}"
    assert first["percent"] == round(first["score"] * 100) and 0 < first["score"] <= 1
    assert first["low_confidence"] is False
    assert data["partial"] == [] and data["hint"] is None


def test_suggestions_follow_the_draft_text(official_client, catalogue):
    drt = official_client.post(URL, data={"title": DRT_TITLE, "description": DRT_TEXT,
                                          "primary_category_id": ""}).get_json()
    flood = official_client.post(URL, data={"title": FLOOD_TITLE, "description": FLOOD_TEXT,
                                            "primary_category_id": ""}).get_json()

    assert titles(drt["suggestions"])[0] == DRT_SOLUTION_TITLE
    assert titles(flood["suggestions"])[0] == SENSOR_TITLE


def test_scores_are_the_engines_for_the_same_need_once_posted(official_client, official,
                                                               catalogue):
    """A draft is scored exactly as the need it becomes (same record, same headline scores)."""
    need = factories.make_need(official, title=FLOOD_TITLE, description=FLOOD_TEXT,
                               category_code="safety", budget=(30_000_000, 80_000_000))
    need.application_deadline = None
    _db.session.commit()
    stored = [m for m in recommendations.solutions_for_need(_db.session.get(Need, need.id))
              if not m.low_confidence]

    draft = official_client.post(URL, data=flood_draft()).get_json()["suggestions"]

    assert [(s["id"], s["score"]) for s in draft] == \
        [(m.solution.id, round(m.explanation["score"], 4)) for m in stored][:5]


def test_hidden_solutions_are_never_suggested(official_client, db, company, catalogue):
    unpublished = factories.make_solution(company, title="초안 상태의 침수 센서",
                                          description=SENSOR_TEXT, category_code="safety",
                                          status=SolutionStatus.DRAFT)
    suspended = factories.make_solution(company, title="정지된 침수 센서",
                                        description=SENSOR_TEXT, category_code="safety")
    suspended.moderation_status = ModerationStatus.SUSPENDED
    applicant = factories.make_company(membership=MembershipStatus.PENDING)
    unapproved = factories.make_solution(applicant, title="미승인 기업의 침수 센서",
                                         description=SENSOR_TEXT, category_code="safety")
    hidden = {unpublished.id, suspended.id, unapproved.id}
    db.session.commit()

    data = official_client.post(URL, data=flood_draft()).get_json()

    shown = {item["id"] for item in data["suggestions"] + data["partial"]}
    assert catalogue["sensor"].id in shown
    assert not shown & hidden


def test_a_solution_hidden_after_the_engine_was_built_is_not_suggested(official_client, db,
                                                                       catalogue):
    assert SENSOR_TITLE in titles(official_client.post(URL, data=flood_draft())
                                  .get_json()["suggestions"])
    sensor = _db.session.get(type(catalogue["sensor"]), catalogue["sensor"].id)
    sensor.moderation_status = ModerationStatus.SUSPENDED
    db.session.commit()

    again = official_client.post(URL, data=flood_draft()).get_json()

    assert SENSOR_TITLE not in titles(again["suggestions"] + again["partial"])


def test_without_a_good_fit_only_marked_partial_fits_are_shown(official_client, db, company):
    factories.make_solution(
        company, title="복지관 프로그램 안내 키오스크", category_code="health_welfare",
        regions=["부산광역시"], price=(500_000_000, 900_000_000),
        description="부산 복지관 이용 안내와 프로그램 접수, 셔틀버스 시간표를 보여 주는 키오스크이며 "
                    "관리자용 대시보드를 함께 제공합니다.",
    )
    db.session.commit()

    data = official_client.post(URL, data=flood_draft(
        description=FLOOD_TEXT + " 상황실 대시보드에서 관리자가 확인합니다.")).get_json()

    assert data["suggestions"] == []
    assert titles(data["partial"]) == ["복지관 프로그램 안내 키오스크"]
    assert all(item["low_confidence"] for item in data["partial"])
    assert "아직 이 초안에 잘 맞는 공개 솔루션이 없습니다" in data["hint"]


@pytest.mark.parametrize("draft", [
    {},
    {"title": "", "description": ""},
    {"title": "침수", "description": "  "},
    {"title": "!!! ???", "description": "... ,,, ---"},
])
def test_a_short_or_empty_draft_gets_an_empty_list_and_a_hint(official_client, catalogue, draft):
    response = official_client.post(URL, data=draft)

    assert response.status_code == 200
    data = response.get_json()
    assert data["suggestions"] == [] and data["partial"] == []
    assert "조금 더 입력하면" in data["hint"]


# --- nothing is written ----------------------------------------------------------------------


def test_suggesting_writes_nothing_and_leaves_the_index_as_it_was(app, official_client, db,
                                                                  official, catalogue):
    need = factories.make_need(official, title=DRT_TITLE, description=DRT_TEXT)
    db.session.commit()
    official_client.post(URL, data=flood_draft())  # the engine is built and synced
    engine = recommendations.engine()
    documents = engine.recommender.n_documents()
    before = recommendations.solutions_for_need(_db.session.get(Need, need.id))
    needs = _db.session.scalar(select(func.count()).select_from(Need))

    with recording_writes(_db.engine) as writes, writes.during():
        for _ in range(3):
            assert official_client.post(URL, data=flood_draft()).status_code == 200

    assert list(writes) == []
    assert _db.session.scalar(select(func.count()).select_from(Need)) == needs
    assert engine.recommender.n_documents() == documents
    assert not engine.recommender.has_need("draft")
    after = recommendations.solutions_for_need(_db.session.get(Need, need.id))
    assert [(m.solution.id, m.explanation["score"]) for m in after] == \
        [(m.solution.id, m.explanation["score"]) for m in before]


# --- refusals --------------------------------------------------------------------------------


def test_a_company_user_may_not_ask(company_client, catalogue):
    assert company_client.post(URL, data=flood_draft()).status_code == 403


def test_a_rejected_official_may_not_ask(login, db, catalogue):
    rejected = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.REJECTED)
    db.session.commit()
    assert login(rejected).post(URL, data=flood_draft()).status_code == 403


def test_an_official_awaiting_verification_may_ask(login, db, catalogue):
    pending = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    db.session.commit()
    data = login(pending).post(URL, data=flood_draft()).get_json()
    assert titles(data["suggestions"])[0] == SENSOR_TITLE


def test_anonymous_visitors_are_sent_to_sign_in(client, catalogue):
    response = client.post(URL, data=flood_draft())
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_get_is_not_allowed(official_client):
    assert official_client.get(URL).status_code == 405


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "가" * 121}, "title", "제목은 120자 이하로 입력하세요."),
    ({"description": "나" * 10_001}, "description", "문제 설명은 10000자 이하로 입력하세요."),
    ({"budget_min": "많이"}, "budget_min", "금액을 읽을 수 없습니다"),
    ({"budget_max": "9" * 20}, "budget_max", "너무 큰 값입니다"),
    ({"budget_max": "10000000000000001"}, "budget_max", "1,000조 이하"),
    ({"budget_min": "-5"}, "budget_min", "0 이상으로 입력하세요"),
    ({"primary_category_id": "abc"}, "primary_category_id", "주 분야를 목록에서 선택하세요."),
    ({"primary_category_id": "999999"}, "primary_category_id", "주 분야를 목록에서 선택하세요."),
    ({"primary_category_id": "9" * 30}, "primary_category_id", "주 분야를 목록에서 선택하세요."),
    ({"secondary_category_ids": ["1", "x"]}, "secondary_category_ids", "부 분야를 목록에서"),
    ({"application_deadline": "next week"}, "application_deadline", "YYYY-MM-DD"),
    ({"application_deadline": "2026-02-30"}, "application_deadline", "YYYY-MM-DD"),
    ({"title": ["하나", "둘"]}, "title", "값을 하나만"),
])
def test_malformed_drafts_get_a_localised_400(official_client, catalogue, changes, field, message):
    response = official_client.post(URL, data=flood_draft(**changes))

    assert response.status_code == 400
    data = response.get_json()
    assert data["field"] == field
    assert message in data["error"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_malformed_draft_is_explained_in_english_on_an_english_page(official_client, catalogue):
    official_client.post("/locale", data={"locale": "en", "next": "/"})
    response = official_client.post(URL, data=flood_draft(title="가" * 121))

    assert response.status_code == 400
    assert response.get_json()["error"] == "The title must be 120 characters or fewer."


def test_a_nul_character_is_a_400(official_client, catalogue):
    response = official_client.post(URL, data=flood_draft(description="침수\x00센서 " * 5))
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_a_json_body_is_a_400_not_a_500(official_client, catalogue):
    response = official_client.post(URL, json={"title": ["not", "text"], "description": 5})
    assert response.status_code == 400
    assert "폼 데이터" in response.get_json()["error"]


def test_the_csrf_token_is_required(app, official_client, catalogue):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = official_client.get("/my/needs/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        refused = official_client.post(URL, data=flood_draft())
        accepted = official_client.post(URL, data=flood_draft(csrf_token=token))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert refused.status_code == 400
    assert "보안 토큰" in refused.get_data(as_text=True)
    assert accepted.status_code == 200
    assert titles(accepted.get_json()["suggestions"])[0] == SENSOR_TITLE


def test_suggestions_are_rate_limited_per_user(app, official_client, catalogue, rate_limits):
    saved = app.config["RATE_LIMIT_SUGGESTIONS_PER_USER"]
    app.config["RATE_LIMIT_SUGGESTIONS_PER_USER"] = "3 per minute"
    try:
        statuses = [official_client.post(URL, data=flood_draft()).status_code for _ in range(4)]
    finally:
        app.config["RATE_LIMIT_SUGGESTIONS_PER_USER"] = saved

    assert statuses == [200, 200, 200, 429]


# --- the form ---------------------------------------------------------------------------------


def test_the_need_forms_carry_an_accessible_suggestion_panel(official_client, official, db):
    need = factories.make_need(official, title=DRT_TITLE, description=DRT_TEXT)
    db.session.commit()

    for path in ("/my/needs/new", f"/my/needs/{need.id}/edit"):
        page = official_client.get(path).get_data(as_text=True)
        panel = re.search(r'<section[^>]*id="draft-suggestions".*?</section>', page, re.S).group(0)
        assert f'data-suggestions-url="{URL}"' in panel
        assert 'aria-live="polite"' in panel
        assert "시장에 나와 있는 비슷한 솔루션" in panel
        assert "<script" not in panel


def test_the_panel_is_english_on_an_english_page(official_client):
    official_client.post("/locale", data={"locale": "en", "next": "/"})
    page = official_client.get("/my/needs/new").get_data(as_text=True)
    assert "Similar solutions on the market" in page
    assert "{count} published solutions fit this draft" in page
