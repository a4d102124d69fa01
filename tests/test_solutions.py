"""A company's own solutions: listing, writing, status changes, deletion and references."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import (
    DeploymentReference,
    Maturity,
    MembershipStatus,
    Role,
    Solution,
    SolutionStatus,
    Tag,
)
from tests import factories


def solution_form(**overrides) -> dict:
    """Valid form data for a solution."""
    data = {
        "title": "AI 스마트 횡단보도",
        "summary": "보행자를 감지해 신호를 조절하는 스마트 횡단보도",
        "description": "영상 분석으로 보행자와 차량을 감지하고 야간 조명과 음성 안내를 제공합니다.",
        "primary_category_id": str(factories.category("safety").id),
        "secondary_category_ids": [str(factories.category("transport").id)],
        "tags": "IoT, iot ,  스마트  교통, #AI, CCTV",
        "maturity": Maturity.COMMERCIAL.value,
        "price_min": "15,000,000",
        "price_max": "50,000,000원",
        "region_ids": [str(factories.province("서울특별시").id),
                       str(factories.province("경기도").id)],
    }
    data.update(overrides)
    return data


def solution_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Solution))


def fresh(db, solution_id: int) -> Solution | None:
    db.session.expire_all()
    return db.session.get(Solution, solution_id)


@pytest.fixture()
def other_solution(db):
    """A published solution of a different company."""
    solution = factories.make_solution(factories.make_company(), title="남의 솔루션")
    db.session.commit()
    return solution


@pytest.fixture()
def draft(db, company):
    solution = factories.make_solution(company, title="초안 솔루션", status=SolutionStatus.DRAFT)
    db.session.commit()
    return solution


# --- listing --------------------------------------------------------------------------------


def test_index_lists_only_own_solutions_with_status(company_client, company, other_solution, db):
    factories.make_solution(company, title="우리 게시 솔루션")
    factories.make_solution(company, title="우리 초안 솔루션", status=SolutionStatus.DRAFT)
    db.session.commit()
    page = company_client.get("/my/solutions/").get_data(as_text=True)
    assert "우리 게시 솔루션" in page and "우리 초안 솔루션" in page
    assert "남의 솔루션" not in page
    assert "게시됨" in page and "초안" in page

    page = company_client.get("/my/solutions/?status=draft").get_data(as_text=True)
    assert "우리 초안 솔루션" in page and "우리 게시 솔루션" not in page


@pytest.mark.parametrize("query", ["?page=abc", "?page=-3", "?page=999", "?status=bogus"])
def test_index_tolerates_malformed_query(company_client, draft, query):
    response = company_client.get(f"/my/solutions/{query}")
    assert response.status_code == 200


def test_index_explains_visibility_for_unapproved_company(login, db):
    pending = factories.make_company(membership=MembershipStatus.PENDING)
    user = factories.make_user(role=Role.COMPANY, company=pending)
    db.session.commit()
    page = login(user).get("/my/solutions/").get_data(as_text=True)
    assert "회원 가입이 승인된 기업의 게시된 솔루션만 표시됩니다" in page


def test_solution_pages_require_login(client, other_solution):
    for url in ["/my/solutions/", "/my/solutions/new", f"/my/solutions/{other_solution.id}"]:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["official_client", "admin_client"])
def test_solution_pages_refuse_other_roles(request, who, other_solution):
    user_client = request.getfixturevalue(who)
    assert user_client.get("/my/solutions/").status_code == 403
    assert user_client.get("/my/solutions/new").status_code == 403
    assert user_client.get(f"/my/solutions/{other_solution.id}").status_code == 403
    assert user_client.post(f"/my/solutions/{other_solution.id}/status",
                            data={"status": "archived"}).status_code == 403


def test_user_without_company_is_sent_to_create_company(login, db):
    loner = factories.make_user(role=Role.COMPANY)
    db.session.commit()
    loner_client = login(loner)
    for url in ["/my/solutions/", "/my/solutions/new"]:
        response = loner_client.get(url)
        assert response.headers["Location"].endswith("/my/company/new")
    response = loner_client.post("/my/solutions/new", data=solution_form())
    assert response.headers["Location"].endswith("/my/company/new")
    assert solution_count(db) == 0


# --- creating -------------------------------------------------------------------------------


def test_create_solution_saves_a_draft_with_everything(company_client, company, db):
    response = company_client.post("/my/solutions/new", data=solution_form())
    assert response.status_code == 302
    db.session.expire_all()
    solution = db.session.scalar(select(Solution).where(Solution.company_id == company.id))
    assert response.headers["Location"].endswith(f"/my/solutions/{solution.id}")
    assert solution.status == SolutionStatus.DRAFT and solution.published_at is None
    assert solution.title == "AI 스마트 횡단보도"
    assert solution.primary_category.code == "safety"
    assert [c.code for c in solution.secondary_categories] == ["transport"]
    assert sorted(t.name for t in solution.tags) == ["ai", "cctv", "iot", "스마트 교통"]
    assert solution.maturity == Maturity.COMMERCIAL
    assert (solution.price_min, solution.price_max) == (15_000_000, 50_000_000)
    assert [r.name for r in solution.regions_served] == ["서울특별시", "경기도"]

    page = company_client.get(f"/my/solutions/{solution.id}").get_data(as_text=True)
    assert "1,500만 원 ~ 5,000만 원" in page
    assert "#스마트 교통" in page


def test_tags_are_reused_not_duplicated(company_client, db):
    company_client.post("/my/solutions/new", data=solution_form(tags="IoT, 안전"))
    company_client.post("/my/solutions/new", data=solution_form(title="두 번째", tags="iot, 안전"))
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Tag.name))) == ["iot", "안전"]
    assert solution_count(db) == 2


def test_unapproved_company_may_create_and_publish(login, db):
    newcomer = factories.make_company(membership=MembershipStatus.NONE)
    user = factories.make_user(role=Role.COMPANY, company=newcomer)
    db.session.commit()
    user_client = login(user)
    page = user_client.get("/my/solutions/new").get_data(as_text=True)
    assert "회원 가입이 승인된 기업의 게시된 솔루션만 표시됩니다" in page
    user_client.post("/my/solutions/new", data=solution_form())
    solution = db.session.scalar(select(Solution).where(Solution.company_id == newcomer.id))
    response = user_client.post(f"/my/solutions/{solution.id}/status",
                                data={"status": "published"}, follow_redirects=True)
    assert "회원 가입이 승인되면 공개됩니다" in response.get_data(as_text=True)
    assert fresh(db, solution.id).status == SolutionStatus.PUBLISHED


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "솔루션명을 입력하세요"),
    ({"title": "가" * 121}, "120자 이하"),
    ({"summary": "가" * 201}, "200자 이하"),
    ({"description": " "}, "상세 설명을 입력하세요"),
    ({"primary_category_id": ""}, "주 분야를 선택하세요"),
    ({"primary_category_id": "999999"}, "주 분야를 목록에서 선택하세요"),
    ({"secondary_category_ids": ["999999"]}, "보조 분야는 목록에서 선택하세요"),
    ({"secondary_category_ids": ["oops"]}, "보조 분야는 목록에서 선택하세요"),
    ({"maturity": "someday"}, "기술 성숙도를 목록에서 선택하세요"),
    ({"price_min": "-5"}, "0 이상으로 입력하세요"),
    ({"price_min": "만원"}, "금액을 읽을 수 없습니다"),
    ({"price_min": "50,000,000", "price_max": "1,000"}, "최고 가격은 최저 가격보다"),
    ({"price_max": "99999999999999999"}, "너무 큰 값입니다"),
    ({"region_ids": []}, "공급 가능 지역을 한 곳 이상"),
    ({"region_ids": ["0"]}, "광역자치단체 중에서"),
    ({"region_ids": ["abc"]}, "광역자치단체 중에서"),
    ({"tags": ", ".join(f"tag{i}" for i in range(16))}, "15개까지"),
    ({"tags": "a" * 41}, "40자 이하"),
])
def test_create_solution_rejects_bad_input(company_client, db, overrides, message):
    response = company_client.post("/my/solutions/new", data=solution_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert solution_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_secondary_category_may_not_repeat_primary(company_client, db):
    safety = str(factories.category("safety").id)
    response = company_client.post("/my/solutions/new", data=solution_form(
        secondary_category_ids=[safety]))
    assert response.status_code == 400
    assert "보조 분야에 주 분야(방범·방재)를 다시 선택할 수 없습니다" in response.get_data(as_text=True)
    assert solution_count(db) == 0


def test_region_must_be_a_province(company_client, db):
    basic = factories.municipality("서울특별시 종로구")
    response = company_client.post("/my/solutions/new",
                                   data=solution_form(region_ids=[str(basic.id)]))
    assert response.status_code == 400
    assert "광역자치단체 중에서" in response.get_data(as_text=True)


def test_duplicate_title_in_same_company_is_refused(company_client, company, db):
    factories.make_solution(company, title="AI 스마트 횡단보도")
    db.session.commit()
    response = company_client.post("/my/solutions/new", data=solution_form())
    assert response.status_code == 400
    assert "같은 이름의 솔루션이 이미 있습니다" in response.get_data(as_text=True)
    assert solution_count(db) == 1


# --- detail and editing -----------------------------------------------------------------------


def test_detail_shows_everything_including_references(company_client, company, db):
    solution = factories.make_solution(company, title="수요응답형 버스")
    factories.make_reference(solution, "강원특별자치도 춘천시", 2022, "배차 대기시간 30% 감소")
    db.session.commit()
    page = company_client.get(f"/my/solutions/{solution.id}").get_data(as_text=True)
    assert "수요응답형 버스" in page
    assert "강원특별자치도 춘천시" in page and "배차 대기시간 30% 감소" in page
    assert "상용화" in page and "교통" in page
    assert "공개 카탈로그에 표시되고 있습니다" in page
    assert f'href="/solutions/{solution.id}"' in page


def test_other_companys_solution_is_forbidden(company_client, other_solution):
    sid = other_solution.id
    assert company_client.get(f"/my/solutions/{sid}").status_code == 403
    assert company_client.get(f"/my/solutions/{sid}/edit").status_code == 403
    assert company_client.post(f"/my/solutions/{sid}/edit",
                               data=solution_form()).status_code == 403
    assert company_client.post(f"/my/solutions/{sid}/status",
                               data={"status": "archived"}).status_code == 403
    assert company_client.post(f"/my/solutions/{sid}/delete").status_code == 403
    assert company_client.post(f"/my/solutions/{sid}/references", data={
        "municipality_id": str(factories.municipality().id), "year": "2020",
        "outcome": "효과"}).status_code == 403


def test_missing_solution_is_404(company_client):
    assert company_client.get("/my/solutions/999999").status_code == 404
    assert company_client.get("/my/solutions/999999/edit").status_code == 404
    assert company_client.post("/my/solutions/999999/status",
                               data={"status": "published"}).status_code == 404
    assert company_client.post("/my/solutions/999999/delete").status_code == 404
    assert company_client.post("/my/solutions/999999/references/1/delete").status_code == 404


def test_edit_prefills_and_saves(company_client, company, draft, db):
    page = company_client.get(f"/my/solutions/{draft.id}/edit").get_data(as_text=True)
    assert "초안 솔루션" in page and "10,000,000" in page
    response = company_client.post(f"/my/solutions/{draft.id}/edit", data=solution_form(
        title="새 이름", tags="물관리", price_min="", price_max="", secondary_category_ids=[]))
    assert response.status_code == 302
    changed = fresh(db, draft.id)
    assert changed.title == "새 이름"
    assert [t.name for t in changed.tags] == ["물관리"]
    assert changed.price_min is None and changed.price_max is None
    assert changed.secondary_categories == []
    assert "협의" in company_client.get(f"/my/solutions/{draft.id}").get_data(as_text=True)


def test_edit_keeps_own_title_but_refuses_a_sibling_title(company_client, company, draft, db):
    factories.make_solution(company, title="형제 솔루션")
    db.session.commit()
    ok = company_client.post(f"/my/solutions/{draft.id}/edit",
                             data=solution_form(title="초안 솔루션"))
    assert ok.status_code == 302
    clash = company_client.post(f"/my/solutions/{draft.id}/edit",
                                data=solution_form(title="형제 솔루션"))
    assert clash.status_code == 400
    assert "같은 이름의 솔루션이 이미 있습니다" in clash.get_data(as_text=True)
    assert fresh(db, draft.id).title == "초안 솔루션"


def test_edit_bad_input_changes_nothing(company_client, draft, db):
    response = company_client.post(f"/my/solutions/{draft.id}/edit", data=solution_form(
        title="바뀌면 안 됨", price_min="9", price_max="1"))
    assert response.status_code == 400
    assert "최고 가격은 최저 가격보다" in response.get_data(as_text=True)
    unchanged = fresh(db, draft.id)
    assert unchanged.title == "초안 솔루션" and unchanged.price_min == 10_000_000


# --- status transitions and deletion ---------------------------------------------------------


@pytest.mark.parametrize("start, target", [
    (SolutionStatus.DRAFT, SolutionStatus.PUBLISHED),
    (SolutionStatus.PUBLISHED, SolutionStatus.ARCHIVED),
    (SolutionStatus.ARCHIVED, SolutionStatus.PUBLISHED),
    (SolutionStatus.PUBLISHED, SolutionStatus.DRAFT),
])
def test_allowed_transitions(company_client, company, db, start, target):
    solution = factories.make_solution(company, status=start)
    db.session.commit()
    response = company_client.post(f"/my/solutions/{solution.id}/status",
                                   data={"status": target.value})
    assert response.status_code == 302
    changed = fresh(db, solution.id)
    assert changed.status == target
    if target == SolutionStatus.PUBLISHED:
        assert changed.published_at is not None


@pytest.mark.parametrize("start, target", [
    (SolutionStatus.DRAFT, "archived"),
    (SolutionStatus.ARCHIVED, "draft"),
    (SolutionStatus.PUBLISHED, "published"),
    (SolutionStatus.DRAFT, "deleted"),
])
def test_refused_transitions(company_client, company, db, start, target):
    solution = factories.make_solution(company, status=start)
    db.session.commit()
    response = company_client.post(f"/my/solutions/{solution.id}/status",
                                   data={"status": target}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "바꿀 수 없습니다" in page or "알 수 없는 상태" in page
    assert fresh(db, solution.id).status == start


def test_status_buttons_follow_the_transition_table(company_client, draft):
    page = company_client.get(f"/my/solutions/{draft.id}").get_data(as_text=True)
    assert "게시하기" in page and "보관하기" not in page and "삭제" in page


def test_transition_can_return_to_the_list(company_client, draft):
    response = company_client.post(f"/my/solutions/{draft.id}/status",
                                   data={"status": "published", "next": "/my/solutions/?page=1"})
    assert response.headers["Location"].endswith("/my/solutions/?page=1")
    response = company_client.post(f"/my/solutions/{draft.id}/status",
                                   data={"status": "draft", "next": "https://evil.example"})
    assert response.headers["Location"].endswith(f"/my/solutions/{draft.id}")


def test_delete_draft(company_client, draft, db):
    factories.make_reference(draft)
    db.session.commit()
    response = company_client.post(f"/my/solutions/{draft.id}/delete")
    assert response.headers["Location"].endswith("/my/solutions/")
    assert fresh(db, draft.id) is None
    assert db.session.scalar(select(func.count()).select_from(DeploymentReference)) == 0


def test_delete_refuses_published(company_client, company, db):
    solution = factories.make_solution(company)
    db.session.commit()
    response = company_client.post(f"/my/solutions/{solution.id}/delete", follow_redirects=True)
    assert "초안만 삭제할 수 있습니다" in response.get_data(as_text=True)
    assert fresh(db, solution.id) is not None


# --- deployment references ----------------------------------------------------------------------


def test_add_and_remove_reference(company_client, draft, db):
    place = factories.municipality("전라남도 순천시")
    response = company_client.post(f"/my/solutions/{draft.id}/references", data={
        "municipality_id": str(place.id), "year": "2021", "outcome": "교통사고 20% 감소"})
    assert response.status_code == 302
    db.session.expire_all()
    [reference] = db.session.scalars(select(DeploymentReference)).all()
    assert (reference.solution_id, reference.municipality_id, reference.year) == \
        (draft.id, place.id, 2021)
    page = company_client.get(f"/my/solutions/{draft.id}/edit").get_data(as_text=True)
    assert "전라남도 순천시" in page and "교통사고 20% 감소" in page
    assert '<optgroup label="전라남도">' in page

    response = company_client.post(
        f"/my/solutions/{draft.id}/references/{reference.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DeploymentReference)) == 0


@pytest.mark.parametrize("data, message", [
    ({"municipality_id": "", "year": "2020", "outcome": "효과"}, "도입 지자체를 선택하세요"),
    ({"municipality_id": "999999", "year": "2020", "outcome": "효과"}, "도입 지자체를 목록에서"),
    ({"year": "1989", "outcome": "효과"}, "1990년부터"),
    ({"year": str(date.today().year + 1), "outcome": "효과"}, "1990년부터"),
    ({"year": "작년", "outcome": "효과"}, "연도는 숫자로"),
    ({"year": "", "outcome": "효과"}, "도입 연도를 입력하세요"),
    ({"year": "2020", "outcome": ""}, "도입 성과를 입력하세요"),
    ({"year": "2020", "outcome": "가" * 301}, "300자 이하"),
])
def test_add_reference_rejects_bad_input(company_client, draft, db, data, message):
    data.setdefault("municipality_id", str(factories.municipality().id))
    response = company_client.post(f"/my/solutions/{draft.id}/references", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DeploymentReference)) == 0


def test_add_reference_refuses_duplicate(company_client, draft, db):
    factories.make_reference(draft, "서울특별시 종로구", 2023)
    db.session.commit()
    response = company_client.post(f"/my/solutions/{draft.id}/references", data={
        "municipality_id": str(factories.municipality("서울특별시 종로구").id), "year": "2023",
        "outcome": "다른 성과"})
    assert response.status_code == 400
    assert "이미 등록되어 있습니다" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DeploymentReference)) == 1


def test_reference_of_another_solution_cannot_be_removed(company_client, company, draft,
                                                         other_solution, db):
    theirs = factories.make_reference(other_solution)
    mine = factories.make_solution(company, title="내 다른 솔루션")
    mine_reference = factories.make_reference(mine)
    db.session.commit()
    # someone else's reference through my solution's URL: not found there
    assert company_client.post(
        f"/my/solutions/{draft.id}/references/{theirs.id}/delete").status_code == 404
    # my reference through the wrong solution: not found either
    assert company_client.post(
        f"/my/solutions/{draft.id}/references/{mine_reference.id}/delete").status_code == 404
    # someone else's solution: forbidden
    assert company_client.post(
        f"/my/solutions/{other_solution.id}/references/{theirs.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DeploymentReference)) == 2


def test_unreadable_price_gets_one_clear_message(company_client, db):
    response = company_client.post("/my/solutions/new", data=solution_form(price_min="abc"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("금액을 읽을 수 없습니다") == 1 and "0원 이상" not in page
