"""Recommendations, their explanations, consortia and partners as the app pages show them."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.models import (
    MembershipStatus,
    ModerationStatus,
    NeedStatus,
    OfficialStatus,
    Role,
    SizeClass,
    Solution,
    SolutionStatus,
    User,
)
from matching.partnerships import MIN_MARGINAL_COVERAGE
from tests import factories

FLOOD_NEED_TITLE = "지하차도 침수 예측 센서와 디지털트윈 관제 대시보드"
FLOOD_NEED_TEXT = (
    "집중호우 때 지하차도와 저지대 침수를 미리 예측하려고 합니다. 지하차도마다 수위 센서를 "
    "설치해 침수 위험을 실시간으로 측정하고, 수위가 오르면 침수 예측 경보를 보내야 합니다. "
    "수집한 센서 자료는 디지털트윈 관제 대시보드에 모아 상황실에서 관제합니다."
)
SENSOR_TITLE = "지하차도 침수 예측 수위 센서"
SENSOR_TEXT = (
    "지하차도와 하천에 설치하는 IoT 수위 센서입니다. 침수 위험을 실시간 측정하고 "
    "집중호우 때 침수 예측 경보를 자동으로 보내고, 측정값을 상황실 관제 화면으로 전송합니다."
)
TWIN_TITLE = "디지털트윈 관제 대시보드 플랫폼"
TWIN_TEXT = (
    "도시 시설물을 3차원 디지털트윈으로 구현하고 관제 대시보드에서 상황실이 통합 관제하는 "
    "플랫폼입니다."
)
UNRELATED_TEXT = "도서관 좌석 예약과 도서 대출 알림을 제공하는 모바일 앱입니다."


def page_text(response) -> str:
    return response.get_data(as_text=True)


def shared_term_badges(page: str) -> list[str]:
    """The terms shown as shared-term badges on a page."""
    found = re.findall(r'class="badge[^"]*shared-term"[^>]*>\s*([^<]+?)\s*<', page)
    return [html.unescape(term) for term in found]


def terms_of(analysed_text: dict[str, str]) -> set[str]:
    return {term for text in analysed_text.values() for term in text.split()}


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by the heading with this id."""
    match = re.search(r'<section[^>]*aria-labelledby="%s".*?</section>' % heading_id, page, re.S)
    assert match, f"section {heading_id} is missing"
    return match.group(0)


@pytest.fixture()
def flood_need(db, official):
    """An open, public need of a verified official about flood sensors and a twin dashboard."""
    need = factories.make_need(official, title=FLOOD_NEED_TITLE, description=FLOOD_NEED_TEXT,
                               category_code="safety", deadline_in_days=90)
    db.session.commit()
    return need


@pytest.fixture()
def sensor_solution(db, company):
    """The approved startup's water-level sensor solution."""
    solution = factories.make_solution(company, title=SENSOR_TITLE, description=SENSOR_TEXT,
                                       category_code="safety")
    db.session.commit()
    return solution


@pytest.fixture()
def large_firm(db):
    """An approved large firm with a digital-twin control-room platform, and one staff member."""
    firm = factories.make_company(name="대한시스템즈", size_class=SizeClass.LARGE)
    factories.make_solution(firm, title=TWIN_TITLE, description=TWIN_TEXT, category_code="safety")
    factories.make_user(role=Role.COMPANY, company=firm)
    db.session.commit()
    return firm


# --- need pages ---------------------------------------------------------------------------


def test_need_page_shows_matching_solution_with_explanation(client, db, flood_need,
                                                            sensor_solution):
    page = page_text(client.get(f"/needs/{flood_need.id}"))

    recommended = section(page, "recommended-solutions-heading")
    assert SENSOR_TITLE in recommended
    assert f'href="/solutions/{sensor_solution.id}"' in recommended
    assert sensor_solution.company.name in recommended
    assert "왜 이 매칭인가요?" in recommended and "<details" in recommended
    assert "텍스트 관련도" in recommended and "매칭 점수 구성" in recommended
    assert "분야 일치" in recommended and "서비스 지역" in recommended
    assert "코사인" not in recommended  # one text figure, on the score's scale
    assert "같은 분야의 솔루션입니다" in recommended
    assert "해당 지역에서 서비스합니다" in recommended
    assert "도입 실적이 없습니다" in recommended  # a negative reason, marked "!"
    assert re.search(r'reason-negative">\s*<span[^>]*>!</span>', recommended)
    assert re.search(r'reason-positive">\s*<span[^>]*>✓</span>', recommended)

    db.session.expire_all()
    need_terms = terms_of(db.session.get(type(flood_need), flood_need.id).analysed_text)
    solution_terms = terms_of(db.session.get(Solution, sensor_solution.id).analysed_text)
    shown = shared_term_badges(recommended)
    assert shown, "no shared terms shown"
    assert "센서" in shown or "수위" in shown
    for term in shown:
        assert term.replace(" ", "_") in need_terms & solution_terms


def test_officials_own_need_page_shows_recommendations(login, db, official, flood_need,
                                                        sensor_solution):
    page = page_text(login(official).get(f"/my/needs/{flood_need.id}"))
    assert SENSOR_TITLE in section(page, "recommended-solutions-heading")
    assert "consortia-heading" in page


def test_weak_matches_come_after_strong_ones_under_their_own_heading(app, client, db, company,
                                                                     flood_need,
                                                                     sensor_solution,
                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_PARTIAL_FIT_SCORE", 0.0)   # show every partial fit
    weak_title = "복지관 프로그램 안내 키오스크"
    factories.make_solution(
        company, title=weak_title, category_code="health_welfare", regions=["부산광역시"],
        price=(500_000_000, 900_000_000),
        description="부산 복지관 이용 안내와 프로그램 접수, 셔틀버스 시간표를 보여 주는 키오스크이며 "
                    "관리자용 대시보드를 함께 제공합니다.",
    )
    db.session.commit()

    page = section(page_text(client.get(f"/needs/{flood_need.id}")),
                   "recommended-solutions-heading")
    assert weak_title in page
    heading = "부분적으로 맞는 항목 (참고용)"
    assert page.index(SENSOR_TITLE) < page.index(heading) < page.index(weak_title)
    assert "부분 적합" in page[page.index(heading):]
    assert "부분 적합" not in page[:page.index(heading)]


def test_unapproved_suspended_or_unpublished_solutions_are_never_recommended(
        client, db, flood_need, sensor_solution):
    hidden = {}
    for membership in (MembershipStatus.PENDING, MembershipStatus.SUSPENDED,
                       MembershipStatus.REJECTED, MembershipStatus.NONE):
        other = factories.make_company(membership=membership)
        hidden[membership.value] = factories.make_solution(
            other, title=f"{membership.value} 수위 센서", description=SENSOR_TEXT,
            category_code="safety")
    approved = factories.make_company()
    hidden["draft"] = factories.make_solution(approved, title="초안 수위 센서",
                                              description=SENSOR_TEXT, category_code="safety",
                                              status=SolutionStatus.DRAFT)
    hidden["moderated"] = factories.make_solution(approved, title="게시중단 수위 센서",
                                                  description=SENSOR_TEXT,
                                                  category_code="safety")
    hidden["moderated"].moderation_status = ModerationStatus.SUSPENDED
    db.session.commit()

    page = page_text(client.get(f"/needs/{flood_need.id}"))
    assert SENSOR_TITLE in page
    for solution in hidden.values():
        assert solution.title not in page
        assert f'href="/solutions/{solution.id}"' not in page


def test_suspending_a_company_removes_its_solution_from_the_next_page(client, db, company,
                                                                      flood_need,
                                                                      sensor_solution):
    assert SENSOR_TITLE in page_text(client.get(f"/needs/{flood_need.id}"))
    company.membership_status = MembershipStatus.SUSPENDED
    db.session.commit()
    page = page_text(client.get(f"/needs/{flood_need.id}"))
    assert SENSOR_TITLE not in page
    assert "이 수요에 충분히 맞는 솔루션이 아직 카탈로그에 없습니다." in page


def test_closed_need_shows_no_recommendations_and_says_why(client, login, db, official,
                                                           flood_need, sensor_solution):
    flood_need.status = NeedStatus.CLOSED
    db.session.commit()

    for page in (page_text(client.get(f"/needs/{flood_need.id}")),
                 page_text(login(official).get(f"/my/needs/{flood_need.id}"))):
        recommended = section(page, "recommended-solutions-heading")
        assert SENSOR_TITLE not in recommended
        assert "‘종료’ 상태라 솔루션을 추천하지 않습니다" in recommended
        assert "왜 이 매칭인가요?" not in page
        assert "consortia-heading" not in page


def test_unpublic_need_says_why_on_the_officials_page(login, db, sensor_solution):
    pending = factories.make_user(role=Role.MUNICIPALITY,
                                  official_status=OfficialStatus.PENDING)
    need = factories.make_need(pending, title=FLOOD_NEED_TITLE, description=FLOOD_NEED_TEXT,
                               category_code="safety")
    db.session.commit()
    page = page_text(login(pending).get(f"/my/needs/{need.id}"))
    recommended = section(page, "recommended-solutions-heading")
    assert SENSOR_TITLE not in recommended
    assert "아직 공개되지 않은 수요라 솔루션을 추천하지 않습니다" in recommended


def test_need_without_any_match_shows_a_helpful_empty_state(client, db, official):
    need = factories.make_need(official, title="한옥마을 전통 공예 체험 운영",
                               description="전통 공예 체험 강사 섭외와 운영 일정 관리가 필요합니다.")
    db.session.commit()
    page = section(page_text(client.get(f"/needs/{need.id}")), "recommended-solutions-heading")
    assert "이 수요에 충분히 맞는 솔루션이 아직 카탈로그에 없습니다." in page
    assert "잘 맞는 솔루션이 새로 게시되거나 수정될 때 이 지자체의 공무원에게 알림이 갑니다" in page
    assert "/solutions?category=" in page   # browse the need's field instead


# --- solution pages -----------------------------------------------------------------------


def test_solution_pages_show_a_matching_need(client, company_client, db, flood_need,
                                             sensor_solution):
    for page in (page_text(client.get(f"/solutions/{sensor_solution.id}")),
                 page_text(company_client.get(f"/my/solutions/{sensor_solution.id}"))):
        recommended = section(page, "recommended-needs-heading")
        assert FLOOD_NEED_TITLE in recommended
        assert f'href="/needs/{flood_need.id}"' in recommended
        assert flood_need.municipality.full_name in recommended
        assert "왜 이 매칭인가요?" in recommended
        assert "같은 분야의 솔루션입니다" in recommended
        assert shared_term_badges(recommended)


def test_need_of_an_unverified_official_is_never_recommended(client, company_client, db,
                                                             flood_need, sensor_solution):
    titles = {}
    for status in (OfficialStatus.PENDING, OfficialStatus.REJECTED, OfficialStatus.SUSPENDED):
        author = factories.make_user(role=Role.MUNICIPALITY, official_status=status)
        titles[status] = factories.make_need(author, title=f"{status.value} 침수 예측 센서 수요",
                                             description=FLOOD_NEED_TEXT,
                                             category_code="safety").title
    db.session.commit()

    pages = [page_text(client.get(f"/solutions/{sensor_solution.id}")),
             page_text(company_client.get(f"/my/solutions/{sensor_solution.id}")),
             page_text(company_client.get("/my/company/")),
             page_text(client.get(f"/companies/{sensor_solution.company_id}"))]
    for page in pages:
        assert FLOOD_NEED_TITLE in page
        for title in titles.values():
            assert title not in page


def test_draft_solution_page_says_why_there_are_no_recommended_needs(company_client, db,
                                                                     company, flood_need):
    draft = factories.make_solution(company, title=SENSOR_TITLE, description=SENSOR_TEXT,
                                    category_code="safety", status=SolutionStatus.DRAFT)
    db.session.commit()
    page = page_text(company_client.get(f"/my/solutions/{draft.id}"))
    recommended = section(page, "recommended-needs-heading")
    assert FLOOD_NEED_TITLE not in recommended
    assert "‘초안’ 상태의 솔루션에는 수요를 추천하지 않습니다" in recommended


# --- company pages, partners and consortia -----------------------------------------------


def test_large_firm_pages_show_partner_and_consortium_sections(client, login, db, company,
                                                               flood_need, sensor_solution,
                                                               large_firm):
    staff = db.session.scalar(select(User).where(User.company_id == large_firm.id))
    for page in (page_text(client.get(f"/companies/{large_firm.id}")),
                 page_text(login(staff).get("/my/company/"))):
        needs = section(page, "recommended-needs-heading")
        assert FLOOD_NEED_TITLE in needs
        assert TWIN_TITLE in needs  # the firm's solution the need was matched with

        consortia = section(page, "consortia-heading")
        assert FLOOD_NEED_TITLE in consortia
        assert large_firm.name in consortia and company.name in consortia
        assert TWIN_TITLE in consortia and SENSOR_TITLE in consortia
        assert "주관" in consortia and "참여" in consortia
        assert "단일 솔루션 대비 +" in consortia
        lead_row = re.search(r"<tr>\s*<td><span[^>]*>주관</span>.*?</tr>", consortia, re.S)
        assert lead_row and large_firm.name in lead_row.group(0)

        partners = section(page, "partners-heading")
        assert company.name in partners
        assert FLOOD_NEED_TITLE in partners
        assert re.search(r"\d+% → <strong>\d+%</strong>", partners)


def test_consortium_on_the_need_page(client, db, company, flood_need, sensor_solution,
                                     large_firm):
    page = section(page_text(client.get(f"/needs/{flood_need.id}")), "consortia-heading")
    assert large_firm.name in page and company.name in page
    assert "단일 솔루션 대비 +" in page
    cards = re.findall(r'<article class="card mb-3 consortium".*?</article>', page, re.S)
    assert cards
    for card in cards:
        shares = [int(v) for v in re.findall(r'class="text-end w-percent">(\d+)%</span>', card)]
        assert len(shares) in (2, 3)
        assert sum(shares) == 100
        lead_share = re.search(r'<span[^>]*>주관</span>.*?class="text-end w-percent">(\d+)%', card,
                               re.S)
        assert lead_share and int(lead_share.group(1)) <= 30
        # every member row says how much coverage the member adds, at least the engine's minimum
        adds = [int(v) for v in re.findall(r'member-adds">추가 커버리지 \+(\d+)%p', card)]
        assert len(adds) == len(shares) and min(adds) >= round(MIN_MARGINAL_COVERAGE * 100)


def test_startup_company_page_has_no_partner_or_consortium_section(client, company_client, db,
                                                                   company, flood_need,
                                                                   sensor_solution, large_firm):
    for page in (page_text(client.get(f"/companies/{company.id}")),
                 page_text(company_client.get("/my/company/"))):
        assert FLOOD_NEED_TITLE in section(page, "recommended-needs-heading")
        assert "partners-heading" not in page
        assert "협력 파트너 추천" not in page
        assert "consortia-heading" not in page


def test_unapproved_company_dashboard_explains_missing_recommendations(login, db, flood_need):
    newcomer = factories.make_company(membership=MembershipStatus.PENDING)
    factories.make_solution(newcomer, title=SENSOR_TITLE, description=SENSOR_TEXT,
                            category_code="safety")
    user = factories.make_user(role=Role.COMPANY, company=newcomer)
    db.session.commit()
    page = page_text(login(user).get("/my/company/"))
    recommended = section(page, "recommended-needs-heading")
    assert FLOOD_NEED_TITLE not in recommended
    assert "융합 얼라이언스 회원으로 승인되면" in recommended


# --- freshness ------------------------------------------------------------------------------


def solution_form(**overrides) -> dict:
    data = {
        "title": "하천 수위 침수 예측 센서",
        "summary": "지하차도 침수 예측 수위 센서",
        "description": SENSOR_TEXT,
        "primary_category_id": str(factories.category("safety").id),
        "tags": "침수, 수위 센서, IoT",
        "maturity": "commercial",
        "price_min": "10,000,000",
        "price_max": "50,000,000",
        "region_ids": [str(factories.province("서울특별시").id)],
    }
    data.update(overrides)
    return data


def test_a_published_solution_shows_up_at_once_and_leaves_when_it_no_longer_matches(
        client, company_client, db, company, flood_need):
    need_url = f"/needs/{flood_need.id}"
    assert "하천 수위 침수 예측 센서" not in page_text(client.get(need_url))

    response = company_client.post("/my/solutions/new", data=solution_form())
    assert response.status_code == 302
    solution_id = db.session.scalar(select(Solution.id).where(Solution.company_id == company.id))
    assert "하천 수위 침수 예측 센서" not in page_text(client.get(need_url))  # still a draft

    response = company_client.post(f"/my/solutions/{solution_id}/status",
                                   data={"status": "published"})
    assert response.status_code == 302
    page = section(page_text(client.get(need_url)), "recommended-solutions-heading")
    assert "하천 수위 침수 예측 센서" in page
    assert f'href="/solutions/{solution_id}"' in page

    response = company_client.post(f"/my/solutions/{solution_id}/edit", data=solution_form(
        title="도서관 좌석 예약 앱", summary="도서관 좌석 예약", description=UNRELATED_TEXT,
        tags="도서관, 예약", primary_category_id=str(factories.category("health_welfare").id)))
    assert response.status_code == 302
    page = page_text(client.get(need_url))
    assert "도서관 좌석 예약 앱" not in page
    assert f'href="/solutions/{solution_id}"' not in page
    assert "이 수요에 충분히 맞는 솔루션이 아직 카탈로그에 없습니다." in page


def test_recommendation_cards_offer_express_interest_to_the_side_that_may_act(
        db, official_client, company_client, client, company, official):
    from app.services.recommendations import solutions_for_need

    solution = factories.make_solution(
        company, title="농어촌 DRT 배차 플랫폼",
        description="농어촌 수요응답형 교통 DRT 호출 앱과 배차 플랫폼으로 읍면 어르신의 이동을 돕습니다.")
    need = factories.make_need(
        official, title="읍면 수요응답형 교통 도입",
        description="읍면 지역 어르신의 이동을 위한 수요응답형 교통 DRT 호출 앱과 배차 플랫폼이 필요합니다.")
    db.session.commit()
    assert solutions_for_need(need), "the pair should be recommended"
    interest = f"/matches/new?solution_id={solution.id}&amp;need_id={need.id}"
    assert interest in official_client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert interest not in client.get(f"/needs/{need.id}").get_data(as_text=True)
    company_interest = f"/matches/new?need_id={need.id}&amp;solution_id={solution.id}"
    assert company_interest in company_client.get(
        f"/solutions/{solution.id}").get_data(as_text=True)



def test_a_pair_already_requested_shows_the_request_instead_of_express_interest(
        db, official, official_client, company, company_user, company_client):
    from app.services import unit_of_work, workflow
    from app.services.recommendations import solutions_for_need

    solution = factories.make_solution(
        company, title="농어촌 DRT 배차 플랫폼",
        description="농어촌 수요응답형 교통 DRT 호출 앱과 배차 플랫폼으로 읍면 어르신의 이동을 돕습니다.")
    need = factories.make_need(
        official, title="읍면 수요응답형 교통 도입",
        description="읍면 지역 어르신의 이동을 위한 수요응답형 교통 DRT 호출 앱과 배차 플랫폼이 필요합니다.")
    db.session.commit()
    assert solutions_for_need(need), "the pair should be recommended"
    match = workflow.express_interest(official, need, solution, "함께 검토하고 싶습니다.")
    unit_of_work.commit()
    link = f'href="/matches/{match.id}"'

    official_need_page = page_text(official_client.get(f"/needs/{need.id}"))
    assert f"/matches/new?solution_id={solution.id}&amp;need_id={need.id}" not in official_need_page
    assert link in official_need_page and "요청 보냄 · 응답 대기" in official_need_page

    company_solution_page = page_text(company_client.get(f"/solutions/{solution.id}"))
    assert f"/matches/new?need_id={need.id}&amp;solution_id={solution.id}" not in \
        company_solution_page
    assert link in company_solution_page and "받은 요청 · 응답 필요" in company_solution_page

    # the company's only public solution is requested: its need page shows the request instead
    company_need_page = page_text(company_client.get(f"/needs/{need.id}"))
    assert 'data-testid="express-interest"' not in company_need_page
    assert link in company_need_page
    # the interest form for the same pair says so before anyone writes a message
    form = page_text(official_client.get(
        f"/matches/new?solution_id={solution.id}&need_id={need.id}"))
    assert 'data-testid="already-requested"' in form and link in form

    workflow.accept(company_user, match)
    unit_of_work.commit()
    assert "상호 수락 · 관리자 검토 중" in page_text(official_client.get(f"/needs/{need.id}"))

# --- one coherent score ---------------------------------------------------------------------


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="card mb-3 recommendation.*?</article>', page, re.S)


def test_each_card_shows_one_score_and_its_parts_add_up_to_it(client, db, flood_need,
                                                               sensor_solution, large_firm):
    page = section(page_text(client.get(f"/needs/{flood_need.id}")),
                   "recommended-solutions-heading")
    cards = _cards(page)
    assert cards
    for card in cards:
        headline = re.findall(r'match-score">\s*(\d+)%', card)
        total = re.findall(r'score-total">\s*(\d+)%', card)
        assert len(headline) == 1 and total == headline
        parts = [int(p) for p in re.findall(r'score-points">\s*([+−-]?\d+)%p?', card)]
        assert parts and sum(parts) == int(headline[0])
        assert parts[0] >= int(headline[0]) and all(p <= 0 for p in parts[1:])
        assert "코사인" not in card and "지자체 관점" not in card


@pytest.mark.parametrize("days, warned", [(7, True), (14, True), (30, False), (60, False)])
def test_deadline_warning_only_within_the_setting(client, db, official, sensor_solution, days,
                                                  warned):
    need = factories.make_need(official, title=FLOOD_NEED_TITLE, description=FLOOD_NEED_TEXT,
                               category_code="safety", deadline_in_days=days)
    db.session.commit()
    page = section(page_text(client.get(f"/needs/{need.id}")), "recommended-solutions-heading")
    assert SENSOR_TITLE in page
    assert ("마감이 임박했습니다" in page) is warned


def test_deadline_warning_period_is_a_setting(app, client, db, official, sensor_solution,
                                              monkeypatch):
    from app.services.recommendations import engine

    monkeypatch.setitem(app.config, "MATCH_DEADLINE_WARNING_DAYS", 45)
    app.extensions.pop("citymatch_matching", None)      # a fresh engine reads the setting
    need = factories.make_need(official, title=FLOOD_NEED_TITLE, description=FLOOD_NEED_TEXT,
                               category_code="safety", deadline_in_days=30)
    db.session.commit()
    page = section(page_text(client.get(f"/needs/{need.id}")), "recommended-solutions-heading")
    assert engine().deadline_warning_days == 45
    assert "마감이 임박했습니다" in page


def test_an_empty_main_list_says_nothing_fits_and_shows_partial_fits_apart(app, client, db,
                                                                           company, official,
                                                                           monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_PARTIAL_FIT_SCORE", 0.0)
    weak_title = "복지관 셔틀버스 시간표 키오스크"
    factories.make_solution(company, title=weak_title, category_code="health_welfare",
                            description="복지관 이용 안내와 셔틀버스 시간표, 관리자용 대시보드를 "
                                        "보여 주는 키오스크입니다.")
    db.session.commit()
    need = factories.make_need(official, title=FLOOD_NEED_TITLE, description=FLOOD_NEED_TEXT,
                               category_code="safety")
    db.session.commit()
    page = section(page_text(client.get(f"/needs/{need.id}")), "recommended-solutions-heading")
    message = "이 수요에 충분히 맞는 솔루션이 아직 카탈로그에 없습니다."
    heading = "부분적으로 맞는 항목 (참고용)"
    assert message in page and heading in page and weak_title in page
    assert page.index(message) < page.index(heading) < page.index(weak_title)
    assert 'class="main-matches"' not in page
    assert "부분 적합" in page[page.index(heading):]


def test_the_same_pair_has_the_same_score_and_confidence_on_every_page(app, db, client,
                                                                       flood_need,
                                                                       sensor_solution,
                                                                       large_firm):
    from app.models import Recommendation
    from app.services.recommendations import needs_for_solution, rematch, solutions_for_need

    by_need = {m.solution.id: m for m in solutions_for_need(flood_need)}
    assert sensor_solution.id in by_need
    for solution_id, match in by_need.items():
        solution = db.session.get(Solution, solution_id)
        reverse = {m.need.id: m for m in needs_for_solution(solution)}
        if flood_need.id in reverse:
            other = reverse[flood_need.id]
            assert other.explanation["score"] == match.explanation["score"]
            assert other.low_confidence == match.low_confidence
    rematch()
    db.session.commit()
    stored = {r.solution_id: r for r in db.session.scalars(
        select(Recommendation).where(Recommendation.need_id == flood_need.id))}
    for solution_id, match in by_need.items():
        assert stored[solution_id].score == match.explanation["score"]
        assert stored[solution_id].low_confidence == match.low_confidence
    need_page = page_text(client.get(f"/needs/{flood_need.id}"))
    solution_page = page_text(client.get(f"/solutions/{sensor_solution.id}"))
    headline = round(by_need[sensor_solution.id].explanation["score"] * 100)
    for page in (need_page, solution_page):
        assert re.search(r'match-score">\s*%d%%' % headline, page)
