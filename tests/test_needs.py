"""Municipal officials' needs: list, create, edit, status changes and access rules."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Need, NeedStatus, OfficialStatus, Role
from tests import factories

TODAY = date.today()


def need_count(db) -> int:
    return db.session.scalar(select(func.count(Need.id)))


def reload(db, need_id: int) -> Need:
    db.session.expire_all()
    return db.session.get(Need, need_id)


def valid_form(**overrides) -> dict:
    """A complete, valid need form submission."""
    data = {
        "title": "어르신 이동권 보장을 위한 수요응답형 버스",
        "description": "농촌 지역 어르신들이 병원과 시장에 갈 교통편이 부족해 불편을 겪고 있습니다.",
        "primary_category_id": str(factories.category("transport").id),
        "secondary_category_ids": [str(factories.category("health_welfare").id)],
        "budget_min": "20,000,000",
        "budget_max": "80,000,000",
        "application_deadline": (TODAY + timedelta(days=30)).isoformat(),
        "desired_start": (TODAY + timedelta(days=60)).isoformat(),
        "target_area": "읍면 지역",
        "target_population": "12,000",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture()
def colleague(db, official):
    """Another verified official of the same municipality (서울특별시 종로구)."""
    user = factories.make_user(role=Role.MUNICIPALITY)
    db.session.commit()
    return user


@pytest.fixture()
def other_official(db):
    """A verified official of another municipality (부산광역시 해운대구)."""
    user = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    db.session.commit()
    return user


@pytest.fixture()
def pending_official(db):
    """An official of 서울특별시 종로구 still awaiting verification."""
    user = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    db.session.commit()
    return user


# --- list ---------------------------------------------------------------------------------

def test_index_requires_login(client):
    response = client.get("/my/needs/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role_client", ["company_client", "admin_client"])
def test_index_is_for_officials_only(request, role_client):
    response = request.getfixturevalue(role_client).get("/my/needs/")
    assert response.status_code == 403


def test_index_lists_needs_shared_by_the_municipality_only(db, official_client, official,
                                                           colleague, other_official):
    factories.make_need(official, title="종로 내 수요")
    factories.make_need(colleague, title="동료가 올린 종로 수요")
    factories.make_need(other_official, title="해운대 수요")
    db.session.commit()

    page = official_client.get("/my/needs/").get_data(as_text=True)

    assert "종로 내 수요" in page
    assert "동료가 올린 종로 수요" in page
    assert "해운대 수요" not in page
    assert "수요 2건" in page


def test_index_filters_by_status_and_survives_bad_parameters(db, official_client, official):
    factories.make_need(official, title="모집 중 수요")
    factories.make_need(official, title="종료된 수요", status=NeedStatus.CLOSED)
    db.session.commit()

    closed = official_client.get("/my/needs/?status=closed").get_data(as_text=True)
    assert "종료된 수요" in closed and "모집 중 수요" not in closed

    bogus = official_client.get("/my/needs/?status=bogus&page=abc")
    assert bogus.status_code == 200
    assert "종료된 수요" in bogus.get_data(as_text=True)
    assert official_client.get("/my/needs/?page=99999999999999999999").status_code == 200


def test_index_shows_empty_state(official_client):
    page = official_client.get("/my/needs/").get_data(as_text=True)
    assert "아직 등록한 수요가 없습니다" in page


def test_pending_official_is_told_needs_go_public_after_verification(login, pending_official):
    page = login(pending_official).get("/my/needs/").get_data(as_text=True)
    assert "인증 대기" in page
    assert "새 수요 등록" in page


# --- create -------------------------------------------------------------------------------

def test_create_form_renders(official_client):
    response = official_client.get("/my/needs/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="title"' in page and "서울특별시 종로구" in page


def test_create_saves_need_for_own_municipality(db, official_client, official, other_official):
    response = official_client.post("/my/needs/new", data=valid_form(
        municipality_id=str(other_official.municipality_id)))

    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert response.headers["Location"].endswith(f"/my/needs/{need.id}")
    db.session.expire_all()
    assert need.municipality_id == official.municipality_id
    assert need.created_by_id == official.id
    assert need.budget_min == 20_000_000 and need.budget_max == 80_000_000
    assert need.target_population == 12_000
    assert need.status == NeedStatus.OPEN
    assert [c.code for c in need.secondary_categories] == ["health_welfare"]
    assert need.application_deadline == TODAY + timedelta(days=30)
    follow = official_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "카탈로그에 공개되었습니다" in follow


def test_create_with_only_required_fields(db, official_client):
    response = official_client.post("/my/needs/new", data=valid_form(
        secondary_category_ids=None, budget_min="", budget_max="", application_deadline="",
        desired_start="", target_area="", target_population=""))
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.budget_min is None and need.budget_max is None
    assert need.application_deadline is None and need.target_area is None


def test_pending_official_may_create_but_need_stays_private(db, login, pending_official, client):
    official_client = login(pending_official)
    response = official_client.post("/my/needs/new", data=valid_form(), follow_redirects=True)

    assert response.status_code == 200
    assert "관리자가 공무원 인증을 마치면 공개됩니다" in response.get_data(as_text=True)
    need = db.session.scalar(select(Need))
    assert need.created_by_id == pending_official.id
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert "비공개" in official_client.get(f"/my/needs/{need.id}").get_data(as_text=True)


@pytest.mark.parametrize("status", [OfficialStatus.REJECTED, OfficialStatus.SUSPENDED])
def test_rejected_or_suspended_official_cannot_create(db, login, status):
    user = factories.make_user(role=Role.MUNICIPALITY, official_status=status)
    db.session.commit()
    user_client = login(user)
    assert user_client.get("/my/needs/new").status_code == 403
    assert user_client.post("/my/needs/new", data=valid_form()).status_code == 403
    assert need_count(db) == 0


def test_create_requires_login_and_official_role(client, company_client, db):
    response = client.post("/my/needs/new", data=valid_form())
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert company_client.post("/my/needs/new", data=valid_form()).status_code == 403
    assert need_count(db) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "제목을 입력하세요"),
    ({"title": "가" * 121}, "제목은 120자 이하"),
    ({"description": "너무 짧은 설명"}, "20자 이상"),
    ({"primary_category_id": ""}, "주 분야를 선택하세요"),
    ({"primary_category_id": "999999"}, "올바르지 않은 선택값"),
    ({"secondary_category_ids": ["999999"]}, "목록에 있는 항목만 선택할 수 있습니다"),
    ({"secondary_category_ids": ["abc"]}, "올바르지 않은 선택값"),
    ({"budget_min": "abc"}, "금액을 읽을 수 없습니다"),
    ({"budget_min": "-5"}, "0 이상으로 입력하세요"),
    ({"budget_min": "90,000,000", "budget_max": "10,000,000"}, "최대 예산은 최소 예산보다"),
    ({"application_deadline": (TODAY - timedelta(days=1)).isoformat()},
     "신청 마감일은 오늘 이후"),
    ({"application_deadline": "2024-13-45"}, "올바르지 않은 날짜"),
    ({"application_deadline": (TODAY + timedelta(days=90)).isoformat()},
     "신청 마감일은 희망 착수일보다 늦을 수 없습니다"),
    ({"desired_start": (TODAY - timedelta(days=3)).isoformat(), "application_deadline": ""},
     "희망 착수일은 오늘 이후"),
    ({"target_area": "가" * 201}, "대상 지역은 200자 이하"),
    ({"target_population": "-1"}, "0 이상으로 입력하세요"),
    ({"target_population": "200,000,000명"}, "대상 인구는 0명 이상"),
])
def test_create_rejects_bad_input_next_to_the_field(db, official_client, overrides, message):
    response = official_client.post("/my/needs/new", data=valid_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert need_count(db) == 0


def test_create_rejects_secondary_category_repeating_primary(db, official_client):
    transport = str(factories.category("transport").id)
    response = official_client.post("/my/needs/new",
                                    data=valid_form(secondary_category_ids=[transport]))
    assert response.status_code == 400
    assert "주 분야와 같은 분야는 부 분야로 선택할 수 없습니다" in response.get_data(as_text=True)
    assert need_count(db) == 0


# --- detail -------------------------------------------------------------------------------

def test_detail_shows_the_need_with_status_buttons(db, official_client, official):
    need = factories.make_need(official, title="스마트 횡단보도 설치")
    db.session.commit()
    response = official_client.get(f"/my/needs/{need.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "스마트 횡단보도 설치" in page
    assert "2,000만 원 ~ 8,000만 원" in page
    assert f'action="/my/needs/{need.id}/status"' in page
    assert 'name="csrf_token"' in page


def test_detail_of_colleague_need_is_shared(db, official_client, colleague):
    need = factories.make_need(colleague, title="동료 수요")
    db.session.commit()
    assert official_client.get(f"/my/needs/{need.id}").status_code == 200


def test_detail_access_rules(db, client, official_client, company_client, admin_client,
                             other_official):
    foreign = factories.make_need(other_official)
    db.session.commit()
    assert official_client.get(f"/my/needs/{foreign.id}").status_code == 403
    assert official_client.get("/my/needs/999999").status_code == 404
    assert company_client.get(f"/my/needs/{foreign.id}").status_code == 403
    assert admin_client.get(f"/my/needs/{foreign.id}").status_code == 403
    anonymous = client.get(f"/my/needs/{foreign.id}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


# --- edit ---------------------------------------------------------------------------------

def test_edit_form_is_prefilled(db, official_client, official):
    need = factories.make_need(official, title="미리 채워진 제목")
    db.session.commit()
    page = official_client.get(f"/my/needs/{need.id}/edit").get_data(as_text=True)
    assert 'value="미리 채워진 제목"' in page
    assert 'value="20,000,000"' in page


def test_edit_updates_content_and_status_but_not_municipality(db, official_client, official,
                                                              other_official):
    need = factories.make_need(official)
    db.session.commit()
    response = official_client.post(f"/my/needs/{need.id}/edit", data=valid_form(
        title="수정된 제목", budget_max="100,000,000", status="in_review", secondary_category_ids=None,
        municipality_id=str(other_official.municipality_id)))

    assert response.status_code == 302
    need = reload(db, need.id)
    assert need.title == "수정된 제목"
    assert need.budget_max == 100_000_000
    assert need.status == NeedStatus.IN_REVIEW
    assert need.secondary_categories == []
    assert need.municipality_id == official.municipality_id


def test_colleague_may_edit_shared_need(db, login, official, colleague):
    need = factories.make_need(official)
    db.session.commit()
    response = login(colleague).post(f"/my/needs/{need.id}/edit",
                                     data=valid_form(title="동료가 고친 제목", status="open"))
    assert response.status_code == 302
    assert reload(db, need.id).title == "동료가 고친 제목"


def test_edit_keeps_an_unchanged_past_deadline_but_refuses_a_new_past_one(db, official_client,
                                                                          official):
    need = factories.make_need(official)
    need.application_deadline = TODAY - timedelta(days=10)
    need.desired_start = TODAY - timedelta(days=5)
    db.session.commit()
    past_form = valid_form(title="마감 지난 수요", status="closed",
                           application_deadline=(TODAY - timedelta(days=10)).isoformat(),
                           desired_start=(TODAY - timedelta(days=5)).isoformat())

    assert official_client.post(f"/my/needs/{need.id}/edit", data=past_form).status_code == 302
    assert reload(db, need.id).title == "마감 지난 수요"

    changed = dict(past_form, title="다른 과거 날짜",
                   application_deadline=(TODAY - timedelta(days=8)).isoformat())
    response = official_client.post(f"/my/needs/{need.id}/edit", data=changed)
    assert response.status_code == 400
    assert "신청 마감일은 오늘 이후" in response.get_data(as_text=True)
    assert reload(db, need.id).title == "마감 지난 수요"


def test_edit_bad_input_changes_nothing(db, official_client, official):
    need = factories.make_need(official, title="원래 제목")
    db.session.commit()
    response = official_client.post(f"/my/needs/{need.id}/edit", data=valid_form(
        title="바뀌면 안 되는 제목", budget_min="90,000,000", budget_max="1,000", status="open"))
    assert response.status_code == 400
    assert "최대 예산은 최소 예산보다" in response.get_data(as_text=True)
    need = reload(db, need.id)
    assert need.title == "원래 제목" and need.budget_max == 80_000_000


def test_edit_rejects_unknown_status(db, official_client, official):
    need = factories.make_need(official)
    db.session.commit()
    response = official_client.post(f"/my/needs/{need.id}/edit",
                                    data=valid_form(status="archived"))
    assert response.status_code == 400
    assert "올바르지 않은 선택값" in response.get_data(as_text=True)
    assert reload(db, need.id).status == NeedStatus.OPEN


def test_edit_access_rules(db, client, official_client, company_client, other_official):
    foreign = factories.make_need(other_official, title="해운대 원래 제목")
    db.session.commit()
    assert official_client.get(f"/my/needs/{foreign.id}/edit").status_code == 403
    assert official_client.post(f"/my/needs/{foreign.id}/edit",
                                data=valid_form(title="탈취", status="open")).status_code == 403
    assert official_client.get("/my/needs/999999/edit").status_code == 404
    assert company_client.get(f"/my/needs/{foreign.id}/edit").status_code == 403
    assert client.get(f"/my/needs/{foreign.id}/edit").status_code == 302
    assert reload(db, foreign.id).title == "해운대 원래 제목"


def test_pending_official_edits_only_own_needs(db, login, official, pending_official):
    verified_need = factories.make_need(official, title="인증 공무원의 수요")
    own_need = factories.make_need(pending_official, title="내가 올린 수요")
    db.session.commit()
    pending_client = login(pending_official)

    assert pending_client.post(f"/my/needs/{verified_need.id}/edit",
                               data=valid_form(title="변조", status="open")).status_code == 403
    assert pending_client.post(f"/my/needs/{verified_need.id}/status",
                               data={"status": "closed"}).status_code == 403
    assert reload(db, verified_need.id).title == "인증 공무원의 수요"
    assert reload(db, verified_need.id).status == NeedStatus.OPEN
    assert pending_client.post(f"/my/needs/{own_need.id}/edit",
                               data=valid_form(title="내가 고친 수요", status="open")).status_code == 302
    assert reload(db, own_need.id).title == "내가 고친 수요"


# --- status buttons -----------------------------------------------------------------------

def test_status_button_changes_status(db, official_client, official):
    need = factories.make_need(official)
    db.session.commit()
    response = official_client.post(f"/my/needs/{need.id}/status", data={"status": "matched"},
                                    follow_redirects=True)
    assert response.status_code == 200
    assert "매칭 완료" in response.get_data(as_text=True)
    assert reload(db, need.id).status == NeedStatus.MATCHED


def test_status_button_rejects_unknown_status(db, official_client, official):
    need = factories.make_need(official)
    db.session.commit()
    response = official_client.post(f"/my/needs/{need.id}/status", data={"status": "deleted"})
    assert response.status_code == 400
    assert "상태를 목록에서 선택하세요" in response.get_data(as_text=True)
    assert reload(db, need.id).status == NeedStatus.OPEN


def test_status_button_access_rules(db, client, official_client, company_client, other_official):
    foreign = factories.make_need(other_official)
    db.session.commit()
    url = f"/my/needs/{foreign.id}/status"
    assert official_client.post(url, data={"status": "closed"}).status_code == 403
    assert official_client.post("/my/needs/999999/status",
                                data={"status": "closed"}).status_code == 404
    assert company_client.post(url, data={"status": "closed"}).status_code == 403
    assert client.post(url, data={"status": "closed"}).status_code == 302
    assert official_client.get(url).status_code == 405
    assert reload(db, foreign.id).status == NeedStatus.OPEN


def test_status_button_requires_csrf_token(csrf_app):
    response = csrf_app.test_client().post("/my/needs/1/status", data={"status": "closed"})
    assert response.status_code == 400
    assert "보안 토큰" in response.get_data(as_text=True)
