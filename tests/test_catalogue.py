"""The public catalogue and the landing page: visibility, search, filters, sorting, details."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from app.models import (
    Maturity,
    MembershipStatus,
    ModerationStatus,
    NeedStatus,
    OfficialStatus,
    Role,
    SizeClass,
    SolutionStatus,
    Tag,
)
from tests import factories


def text(response) -> str:
    """The page with search highlighting taken out (the marks are tested in test_search.py)."""
    return re.sub(r"</?mark>", "", response.get_data(as_text=True))


def result_total(page: str) -> int:
    """The number in '검색 결과 N건'."""
    match = re.search(r"검색 결과 ([\d,]+)건", page)
    assert match, "result count missing"
    return int(match.group(1).replace(",", ""))


@pytest.fixture()
def other_company(db):
    """A second approved member, a large company serving Busan."""
    company = factories.make_company(name="부산 대기업", size_class=SizeClass.LARGE,
                                     regions=["부산광역시"], hq="부산광역시")
    db.session.commit()
    return company


@pytest.fixture()
def busan_official(db):
    """A verified official of 부산광역시 해운대구."""
    user = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    db.session.commit()
    return user


@pytest.fixture()
def pending_official(db):
    """An unverified official of 서울특별시 종로구."""
    user = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    db.session.commit()
    return user


# --- solutions list -----------------------------------------------------------------------

def test_solutions_list_shows_only_public_solutions(db, client, company):
    factories.make_solution(company, title="공개 솔루션")
    factories.make_solution(company, title="초안 솔루션", status=SolutionStatus.DRAFT)
    factories.make_solution(company, title="보관 솔루션", status=SolutionStatus.ARCHIVED)
    suspended = factories.make_solution(company, title="중단 솔루션")
    suspended.moderation_status = ModerationStatus.SUSPENDED
    pending = factories.make_company(membership=MembershipStatus.PENDING)
    factories.make_solution(pending, title="미승인 기업 솔루션")
    db.session.commit()

    page = text(client.get("/solutions"))

    assert "공개 솔루션" in page
    for hidden in ("초안 솔루션", "보관 솔루션", "중단 솔루션", "미승인 기업 솔루션"):
        assert hidden not in page
    assert result_total(page) == 1


def test_solutions_empty_state(client, db):
    response = client.get("/solutions")
    assert response.status_code == 200
    assert "아직 공개된 솔루션이 없습니다" in text(response)


@pytest.mark.parametrize("query", ["drt", "DRT", "사각지대", "스마트정류장", "알파모빌리티", "모빌리티 drt"])
def test_keyword_searches_title_description_tags_and_company(db, client, query):
    company = factories.make_company(name="알파모빌리티")
    match = factories.make_solution(company, title="DRT 배차 플랫폼")
    match.tags = [Tag(name="스마트정류장")]
    factories.make_solution(factories.make_company(), title="CCTV 관제",
                            description="지능형 영상 분석으로 범죄를 예방하는 관제 시스템입니다.",
                            category_code="safety")
    db.session.commit()

    page = text(client.get("/solutions", query_string={"q": query}))

    assert "DRT 배차 플랫폼" in page
    assert "CCTV 관제" not in page
    assert f'value="{query}"' in page


@pytest.mark.parametrize("query", ["%", "_", "\\"])
def test_keyword_wildcards_are_taken_literally(db, client, company, query):
    factories.make_solution(company, title="평범한 솔루션")
    factories.make_solution(company, title="할인율 100% 보장")
    db.session.commit()
    page = text(client.get("/solutions", query_string={"q": query}))
    assert "평범한 솔루션" not in page
    assert result_total(page) == (1 if query == "%" else 0)


def test_category_filter_matches_primary_or_secondary(db, client, company):
    factories.make_solution(company, title="교통 주 분야")
    secondary = factories.make_solution(company, title="안전 주, 교통 부 분야", category_code="safety")
    secondary.secondary_categories = [factories.category("transport")]
    factories.make_solution(company, title="환경 솔루션", category_code="env_energy_water")
    db.session.commit()

    page = text(client.get("/solutions?category=transport"))

    assert "교통 주 분야" in page and "안전 주, 교통 부 분야" in page
    assert "환경 솔루션" not in page
    assert '<option selected value="transport">' in page


def test_unknown_category_is_reported_and_ignored(db, client, company):
    factories.make_solution(company, title="아무 솔루션")
    db.session.commit()
    response = client.get("/solutions?category=no-such-code")
    assert response.status_code == 200
    assert "알 수 없는 분야입니다" in text(response)
    assert "아무 솔루션" in text(response)


def test_region_size_and_maturity_filters(db, client, company, other_company):
    factories.make_solution(company, title="서울 스타트업 상용", maturity=Maturity.COMMERCIAL)
    factories.make_solution(company, title="서울 스타트업 실증", maturity=Maturity.PILOT)
    factories.make_solution(other_company, title="부산 대기업 상용", regions=["부산광역시"])
    db.session.commit()
    busan = factories.province("부산광역시").id

    region_page = text(client.get(f"/solutions?region={busan}"))
    assert "부산 대기업 상용" in region_page and "서울 스타트업 상용" not in region_page

    size_page = text(client.get("/solutions?size=startup"))
    assert "서울 스타트업 상용" in size_page and "부산 대기업 상용" not in size_page

    maturity_page = text(client.get("/solutions?maturity=pilot"))
    assert "서울 스타트업 실증" in maturity_page and "서울 스타트업 상용" not in maturity_page
    assert result_total(maturity_page) == 1


def test_budget_filter_keeps_affordable_and_unpriced_solutions(db, client, company):
    factories.make_solution(company, title="저렴한 솔루션", price=(5_000_000, 9_000_000))
    factories.make_solution(company, title="비싼 솔루션", price=(300_000_000, None))
    factories.make_solution(company, title="가격 협의 솔루션", price=(None, None))
    db.session.commit()

    page = text(client.get("/solutions", query_string={"budget": "10,000,000"}))

    assert "저렴한 솔루션" in page and "가격 협의 솔루션" in page
    assert "비싼 솔루션" not in page
    assert 'value="10,000,000"' in page


@pytest.mark.parametrize("params, message", [
    ({"budget": "abc"}, "금액을 읽을 수 없습니다"),
    ({"budget": "-1"}, "0 이상으로 입력하세요"),
    ({"budget": "9" * 19}, "너무 큰 값입니다"),
    ({"region": "abc"}, "알 수 없는 지역입니다"),
    ({"region": "99999999999999999999999"}, "알 수 없는 지역입니다"),
    ({"size": "giant"}, "알 수 없는 기업 규모입니다"),
    ({"maturity": "ancient"}, "알 수 없는 성숙도입니다"),
    ({"sort": "random"}, "알 수 없는 정렬 방식입니다"),
    ({"q": "가" * 101}, "검색어는 100자 이하"),
])
def test_bad_solution_parameters_are_reported_not_crashing(db, client, company, params, message):
    factories.make_solution(company, title="남아 있는 솔루션")
    db.session.commit()
    response = client.get("/solutions", query_string=params)
    assert response.status_code == 200
    assert message in text(response)
    assert "남아 있는 솔루션" in text(response)


def test_solution_sorting(db, client, company):
    now = datetime.now(timezone.utc)
    old = factories.make_solution(company, title="가나다 오래된", price=(50_000_000, None))
    old.published_at = now - timedelta(days=10)
    new = factories.make_solution(company, title="하하하 최신", price=(1_000_000, 2_000_000))
    new.published_at = now
    free = factories.make_solution(company, title="나나나 협의", price=(None, None))
    free.published_at = now - timedelta(days=5)
    db.session.commit()

    def order(sort: str) -> list[str]:
        page = text(client.get(f"/solutions?sort={sort}"))
        titles = ["가나다 오래된", "하하하 최신", "나나나 협의"]
        return sorted(titles, key=page.index)

    assert order("newest") == ["하하하 최신", "나나나 협의", "가나다 오래된"]
    assert order("title") == ["가나다 오래된", "나나나 협의", "하하하 최신"]
    assert order("price") == ["하하하 최신", "가나다 오래된", "나나나 협의"]


def test_solutions_pagination(db, client, company, app):
    per_page = app.config["PAGE_SIZE"]
    for n in range(per_page + 1):
        factories.make_solution(company, title=f"페이지 솔루션 {n:02d}")
    db.session.commit()

    first = text(client.get("/solutions?sort=title"))
    second = text(client.get("/solutions?sort=title&page=2"))

    assert result_total(first) == per_page + 1
    assert first.count("card-listing") == per_page
    assert second.count("card-listing") == 1
    assert f"페이지 솔루션 {per_page:02d}" in second
    assert "page=2" in first and "sort=title" in first
    for bad in ("abc", "-3", "0", "99999999999999999999999"):
        response = client.get(f"/solutions?page={bad}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("card-listing") == per_page


# --- solution detail ----------------------------------------------------------------------

def test_solution_detail_shows_everything(db, client, company):
    solution = factories.make_solution(company, title="스마트 버스정류장", price=(10_000_000, 50_000_000))
    solution.secondary_categories = [factories.category("safety")]
    solution.tags = [Tag(name="정류장")]
    factories.make_reference(solution, "서울특별시 종로구", 2023, "배차 대기시간 30% 감소")
    db.session.commit()

    response = client.get(f"/solutions/{solution.id}")
    page = text(response)

    assert response.status_code == 200
    for expected in ("스마트 버스정류장", company.name, "교통", "방범·방재", "#정류장", "상용화",
                     "1,000만 원 ~ 5,000만 원", "서울특별시 종로구", "2023", "배차 대기시간 30% 감소",
                     "서울특별시"):
        assert expected in page


def test_non_public_solution_is_hidden_except_from_its_company_and_admins(db, client, company,
                                                                          company_client,
                                                                          admin_client, login):
    draft = factories.make_solution(company, title="비공개 초안", status=SolutionStatus.DRAFT)
    stranger = factories.make_user(role=Role.COMPANY, company=factories.make_company())
    db.session.commit()
    url = f"/solutions/{draft.id}"

    assert client.get(url).status_code == 404
    assert login(stranger).get(url).status_code == 404
    own = company_client.get(url)
    assert own.status_code == 200 and "공개되지 않은 상태" in text(own)
    assert admin_client.get(url).status_code == 200
    assert client.get("/solutions/999999").status_code == 404


# --- needs list ---------------------------------------------------------------------------

def test_needs_list_shows_open_public_needs_by_default(db, client, official, pending_official):
    factories.make_need(official, title="모집 중 공개 수요")
    factories.make_need(official, title="종료된 수요", status=NeedStatus.CLOSED)
    factories.make_need(pending_official, title="미인증 공무원 수요")
    suspended = factories.make_need(official, title="게시 중단 수요")
    suspended.moderation_status = ModerationStatus.SUSPENDED
    db.session.commit()

    page = text(client.get("/needs"))
    assert "모집 중 공개 수요" in page
    for hidden in ("종료된 수요", "미인증 공무원 수요", "게시 중단 수요"):
        assert hidden not in page
    assert result_total(page) == 1

    closed = text(client.get("/needs?status=closed"))
    assert "종료된 수요" in closed and "모집 중 공개 수요" not in closed
    everything = text(client.get("/needs?status=all"))
    assert result_total(everything) == 2


def test_needs_empty_state(client, db):
    assert "이 상태의 공개 수요가 아직 없습니다" in text(client.get("/needs"))


def test_needs_keyword_category_and_region(db, client, official, busan_official):
    jongno = factories.make_need(official, title="종로 교통 수요")
    jongno.secondary_categories = [factories.category("safety")]
    factories.make_need(busan_official, title="해운대 환경 수요", category_code="env_energy_water",
                        description="해수욕장 주변 쓰레기 발생량을 실시간으로 파악하고 싶습니다.")
    db.session.commit()

    assert "해운대 환경 수요" in text(client.get("/needs?q=쓰레기"))
    assert "종로 교통 수요" not in text(client.get("/needs?q=쓰레기"))
    assert "종로 교통 수요" in text(client.get("/needs?q=종로구"))
    safety = text(client.get("/needs?category=safety"))
    assert "종로 교통 수요" in safety and "해운대 환경 수요" not in safety
    busan = text(client.get(f"/needs?region={factories.province('부산광역시').id}"))
    assert "해운대 환경 수요" in busan and "종로 교통 수요" not in busan


def test_needs_budget_overlap(db, client, official):
    factories.make_need(official, title="소규모 수요", budget=(1_000_000, 5_000_000))
    factories.make_need(official, title="대규모 수요", budget=(500_000_000, 900_000_000))
    factories.make_need(official, title="예산 협의 수요", budget=(None, None))
    db.session.commit()

    page = text(client.get("/needs", query_string={"budget_min": "4,000,000",
                                                   "budget_max": "100,000,000"}))
    assert "소규모 수요" in page and "예산 협의 수요" in page
    assert "대규모 수요" not in page


def test_needs_sorting(db, client, official):
    late = factories.make_need(official, title="늦은 마감", budget=(None, 10_000_000),
                               deadline_in_days=40)
    soon = factories.make_need(official, title="임박 마감", budget=(None, 900_000_000),
                               deadline_in_days=3)
    none = factories.make_need(official, title="마감 없음", budget=(None, None))
    none.application_deadline = None
    db.session.commit()
    titles = [late.title, soon.title, none.title]

    def order(sort: str) -> list[str]:
        page = text(client.get(f"/needs?sort={sort}"))
        return sorted(titles, key=page.index)

    assert order("deadline") == ["임박 마감", "늦은 마감", "마감 없음"]
    assert order("budget") == ["임박 마감", "늦은 마감", "마감 없음"]
    assert order("newest") == ["마감 없음", "임박 마감", "늦은 마감"]


@pytest.mark.parametrize("params, message", [
    ({"status": "deleted"}, "알 수 없는 상태입니다"),
    ({"category": "nope"}, "알 수 없는 분야입니다"),
    ({"budget_min": "백만억"}, "금액을 읽을 수 없습니다"),
    ({"budget_min": "9,000", "budget_max": "1,000"}, "예산 상한은 하한보다"),
    ({"sort": "x"}, "알 수 없는 정렬 방식입니다"),
    ({"page": "x", "region": "-1"}, "알 수 없는 지역입니다"),
])
def test_bad_need_parameters_are_reported_not_crashing(db, client, official, params, message):
    factories.make_need(official, title="여전히 보이는 수요")
    db.session.commit()
    response = client.get("/needs", query_string=params)
    assert response.status_code == 200
    assert message in text(response)
    assert "여전히 보이는 수요" in text(response)


# --- need detail --------------------------------------------------------------------------

def test_need_detail_shows_everything(db, client, official):
    need = factories.make_need(official, title="어르신 이동 지원")
    need.secondary_categories = [factories.category("health_welfare")]
    db.session.commit()

    response = client.get(f"/needs/{need.id}")
    page = text(response)
    assert response.status_code == 200
    for expected in ("어르신 이동 지원", "서울특별시 종로구", "2,000만 원 ~ 8,000만 원", "모집 중",
                     "교통", "보건·의료·복지", "읍면 지역", "12,000명",
                     need.application_deadline.isoformat(), need.desired_start.isoformat()):
        assert expected in page


def test_non_public_need_is_hidden_except_from_its_municipality_and_admins(
        db, client, pending_official, official_client, admin_client, login, busan_official):
    need = factories.make_need(pending_official, title="인증 전 수요")
    db.session.commit()
    url = f"/needs/{need.id}"

    assert client.get(url).status_code == 404
    assert login(busan_official).get(url).status_code == 404
    same_town = official_client.get(url)
    assert same_town.status_code == 200 and "공개되지 않은 상태" in text(same_town)
    assert admin_client.get(url).status_code == 200
    assert client.get("/needs/999999").status_code == 404


# --- companies ----------------------------------------------------------------------------

def test_companies_lists_approved_members_only(db, client, company, other_company):
    factories.make_solution(company)
    factories.make_solution(company, status=SolutionStatus.DRAFT)
    factories.make_company(name="대기 중 기업", membership=MembershipStatus.PENDING)
    factories.make_company(name="정지된 기업", membership=MembershipStatus.SUSPENDED)
    db.session.commit()

    page = text(client.get("/companies"))
    assert company.name in page and "부산 대기업" in page
    assert "대기 중 기업" not in page and "정지된 기업" not in page
    assert "공개 솔루션 1개" in page

    large = text(client.get("/companies?size=large"))
    assert "부산 대기업" in large and company.name not in large
    assert "부산 대기업" in text(client.get("/companies?q=부산"))
    bad = client.get("/companies?size=huge&page=zz")
    assert bad.status_code == 200 and "알 수 없는 기업 규모입니다" in text(bad)


def test_company_detail_shows_profile_and_public_solutions(db, client, company):
    factories.make_solution(company, title="공개된 것")
    factories.make_solution(company, title="초안인 것", status=SolutionStatus.DRAFT)
    db.session.commit()

    response = client.get(f"/companies/{company.id}")
    page = text(response)
    assert response.status_code == 200
    assert company.formatted_business_number in page
    assert "스타트업" in page and "서울특별시" in page
    assert "공개된 것" in page and "초안인 것" not in page


def test_unapproved_company_is_hidden_except_from_own_staff_and_admins(db, client, login,
                                                                       admin_client):
    pending = factories.make_company(membership=MembershipStatus.PENDING)
    staff = factories.make_user(role=Role.COMPANY, company=pending)
    db.session.commit()
    url = f"/companies/{pending.id}"

    assert client.get(url).status_code == 404
    assert login(staff).get(url).status_code == 200
    assert admin_client.get(url).status_code == 200
    assert client.get("/companies/999999").status_code == 404


# --- municipalities -----------------------------------------------------------------------

def test_municipalities_lists_all_243_grouped_with_open_need_counts(db, client, official):
    factories.make_need(official)
    factories.make_need(official)
    factories.make_need(official, status=NeedStatus.CLOSED)
    db.session.commit()

    page = text(client.get("/municipalities"))

    links = set(re.findall(r'href="/municipalities/(\d+)"', page))
    assert len(links) == 243
    assert page.count('id="province-') >= 17
    jongno = factories.municipality("서울특별시 종로구")
    badge = rf'/municipalities/{jongno.id}">\s*종로구 <span class="badge bg-success">2</span>'
    assert re.search(badge, page)
    assert "모집 중 2" in page


def test_basic_municipality_detail_lists_its_public_needs(db, client, official, pending_official):
    factories.make_need(official, title="종로구 공개 수요")
    factories.make_need(pending_official, title="종로구 비공개 수요")
    db.session.commit()
    jongno = factories.municipality("서울특별시 종로구")

    page = text(client.get(f"/municipalities/{jongno.id}"))
    assert "서울특별시 종로구" in page
    assert "종로구 공개 수요" in page and "종로구 비공개 수요" not in page


def test_province_detail_lists_its_basic_governments(db, client):
    seoul = factories.province("서울특별시")
    response = client.get(f"/municipalities/{seoul.id}")
    page = text(response)
    assert response.status_code == 200
    assert "종로구" in page and "강남구" in page
    assert len(re.findall(r'href="/municipalities/\d+"', page)) == 25
    assert client.get("/municipalities/999999").status_code == 404


# --- landing page -------------------------------------------------------------------------

def test_landing_page_counts_and_newest_listings(db, client, company, official, busan_official,
                                                 pending_official):
    factories.make_solution(company, title="최신 공개 솔루션")
    factories.make_solution(company, title="초안 솔루션", status=SolutionStatus.DRAFT)
    factories.make_company(membership=MembershipStatus.PENDING)
    factories.make_need(official, title="최신 모집 수요")
    factories.make_need(busan_official, title="해운대 종료 수요", status=NeedStatus.CLOSED)
    factories.make_need(pending_official, title="비공개 수요")
    db.session.commit()

    page = text(client.get("/"))

    def stat(name: str) -> int:
        return int(re.search(rf'id="stat-{name}">([\d,]+)<', page).group(1))

    assert stat("solutions") == 1
    assert stat("open-needs") == 1
    assert stat("members") == 1
    assert stat("municipalities") == 2
    assert "최신 공개 솔루션" in page and "최신 모집 수요" in page
    assert "초안 솔루션" not in page and "비공개 수요" not in page
    assert "/auth/register" in page


def test_landing_page_entry_points_follow_the_role(official_client, company_client):
    assert "/my/needs/new" in text(official_client.get("/"))
    assert "/my/company/" in text(company_client.get("/"))
