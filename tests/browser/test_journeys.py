"""User journeys in a real browser: sign-up to shared contacts, language switch, declined,
expired and forbidden requests.

Every test drives the live server through its real pages and forms (CSRF on); state that a
journey only needs as a starting point (an admin, a verified official, a pending request) is
created directly in the live app's database with the test factories.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Match, MatchStatus, Role
from app.services import workflow
from app.models.base import utcnow
from tests import factories

# Texts that clearly belong together: a rural demand-responsive-transport need and a DRT solution.
SOLUTION_TITLE = "읍면 수요응답형 버스 DRT 배차 플랫폼"
SOLUTION_SUMMARY = "농어촌 어르신을 위한 수요응답형 교통 호출·배차"
SOLUTION_TEXT = (
    "농어촌 읍면 지역의 수요응답형 교통(DRT) 호출 앱과 실시간 배차 플랫폼입니다. "
    "어르신이 전화나 앱으로 버스를 부르면 배차 알고리즘이 최적 경로를 계산해 "
    "교통 사각지대의 이동권을 보장합니다."
)
NEED_TITLE = "읍면 어르신 이동권을 위한 수요응답형 버스 도입"
NEED_TEXT = (
    "우리 군의 읍면 지역은 버스 노선이 적어 어르신의 이동이 어렵습니다. 어르신이 전화나 앱으로 "
    "호출하면 오는 수요응답형 교통(DRT) 버스와 실시간 배차 플랫폼을 도입해 교통 사각지대의 "
    "이동권을 보장하려고 합니다."
)
INTEREST_MESSAGE = "내년 상반기 시범 운영을 검토하고 있습니다. 도입 조건을 이야기하고 싶습니다."

COMPANY_PHONE = "031-555-0101"
OFFICIAL_PHONE = "02-765-4321"


# --- helpers ---------------------------------------------------------------------------------


def sign_in(page: Page, email: str, password: str = factories.PASSWORD) -> None:
    """Sign in through the login form (in Korean or English)."""
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav form[action='/auth/logout'] button")).to_be_visible()


def sign_out(page: Page) -> None:
    page.locator("nav form[action='/auth/logout'] button").click()
    expect(page.locator("nav").get_by_role("link", name=re.compile("^(로그인|Sign in)$"))).to_be_visible()


def flash(page: Page):
    """The flashed messages at the top of the page."""
    return page.locator("main .alert-dismissible")


def contacts_section(page: Page):
    return page.locator("section[aria-labelledby=contacts-heading]")


def in_app(live_server, build):
    """Run `build()` inside the live app's context, commit, and return its result."""
    with live_server.app.app_context():
        result = build()
        db.session.commit()
        return result


@dataclass
class Party:
    """A signed-up person seen from the outside: who to sign in as and what others may see."""

    email: str
    phone: str | None = None
    name: str = ""


def make_admin(live_server) -> Party:
    def build():
        admin = factories.make_user(role=Role.ADMIN,
                                    email=f"admin{factories.next_number()}@citymatch.kr")
        admin.name = "운영관리자"
        return Party(admin.email, name=admin.name)
    return in_app(live_server, build)


def make_official(live_server, municipality: str = "서울특별시 종로구",
                  phone: str = OFFICIAL_PHONE) -> Party:
    def build():
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name=municipality)
        official.name = "이수진"
        official.phone = phone
        return Party(official.email, phone, official.name)
    return in_app(live_server, build)


def make_company_user(live_server) -> Party:
    """A staff member of a new approved alliance member."""
    def build():
        company = factories.make_company()
        user = factories.make_user(role=Role.COMPANY, company=company)
        user.phone = "051-222-3333"
        return Party(user.email, user.phone, user.name)
    return in_app(live_server, build)


@dataclass
class PendingRequest:
    """An official's pending interest request to a company, created in the database."""

    match_id: int
    need_title: str
    solution_title: str
    official: Party
    company_user: Party


def make_pending_request(live_server, label: str) -> PendingRequest:
    def build():
        company = factories.make_company(name=f"{label} 모빌리티")
        staff = factories.make_user(role=Role.COMPANY, company=company)
        solution = factories.make_solution(company, title=f"{label} DRT 배차 플랫폼")
        official = factories.make_user(role=Role.MUNICIPALITY,
                                       municipality_name="서울특별시 중구")
        need = factories.make_need(official, title=f"{label} 수요응답형 버스 도입")
        match = workflow.express_interest(official, need, solution, f"{label} 요청 메시지입니다.")
        return PendingRequest(match.id, need.title, solution.title,
                              Party(official.email, official.phone, official.name),
                              Party(staff.email, staff.phone, staff.name))
    return in_app(live_server, build)


def match_status(live_server, match_id: int) -> MatchStatus:
    with live_server.app.app_context():
        return db.session.get(Match, match_id).status


def post_from_page(page: Page, url: str):
    """Submit a bare POST form (with the page's CSRF token) to `url`, as a crafted request would."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([url, token]) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = url;
                const input = document.createElement('input');
                input.type = 'hidden';
                input.name = 'csrf_token';
                input.value = token;
                form.appendChild(input);
                document.body.appendChild(form);
                form.submit();
            }""",
            [url, token],
        )
    return navigation.value


# --- 1. the main journey ---------------------------------------------------------------------


def test_main_journey_from_sign_up_to_shared_contacts(live_server, new_page, screenshot):
    admin = make_admin(live_server)
    company_email = "founder@drt-mobility.kr"
    company_name = "드림교통 모빌리티"

    # A company user signs up and confirms the e-mailed link.
    company_page = new_page()
    company_page.goto("/")
    expect(company_page.locator("html")).to_have_attribute("lang", "ko")
    screenshot(company_page, "01-home")
    company_page.get_by_role("link", name="회원가입").first.click()
    expect(company_page.get_by_label("기업 회원 (솔루션 등록)")).to_be_checked()
    company_page.get_by_label("이메일").fill(company_email)
    company_page.get_by_label("이름").fill("김창업")
    company_page.get_by_label("부서").fill("사업개발팀")
    company_page.get_by_label("연락처").fill(COMPANY_PHONE)
    company_page.get_by_label("비밀번호", exact=True).fill("drt-password-1")
    company_page.get_by_label("비밀번호 확인").fill("drt-password-1")
    company_page.get_by_label("위 개인정보 수집·이용에 동의합니다. (필수)").check()
    company_page.get_by_role("button", name="가입 신청").click()
    expect(flash(company_page)).to_contain_text("안내 메일을 보냈습니다")

    mails = [mail for mail in live_server.outbox() if mail.to == company_email]
    assert len(mails) == 1, "exactly one confirmation e-mail"
    link = re.search(r"https?://\S+/auth/confirm/\S+", mails[0].body)
    assert link, mails[0].body
    company_page.goto(link.group(0))
    company_page.get_by_role("button", name="가입 완료하기").click()
    expect(flash(company_page)).to_contain_text("가입이 완료되었습니다")

    # ...registers the company and applies to the alliance.
    expect(company_page.get_by_role("heading", name=re.compile("기업 등록"))).to_be_visible()
    company_page.get_by_label("기업명").fill(company_name)
    company_page.get_by_label("사업자등록번호").fill(factories.valid_business_number(9001))
    company_page.get_by_label("기업 규모").select_option(label="스타트업")
    company_page.get_by_label("본사 소재지").select_option(label="서울특별시")
    company_page.get_by_label("서울특별시", exact=True).check()
    company_page.get_by_label("경기도", exact=True).check()
    company_page.get_by_label("기업 소개").fill("농어촌 수요응답형 교통 플랫폼을 만드는 스타트업입니다.")
    company_page.get_by_role("button", name="기업 등록").click()
    expect(flash(company_page)).to_contain_text(f"{company_name} 기업을 등록했습니다")
    company_page.get_by_role("button", name="회원 가입 신청").click()
    expect(flash(company_page)).to_contain_text("회원 가입을 신청했습니다")
    expect(company_page.get_by_text("가입 신청을 검토하고 있습니다.")).to_be_visible()

    # An admin approves the membership in the console.
    admin_page = new_page()
    sign_in(admin_page, admin.email)
    expect(admin_page.get_by_role("heading", name=re.compile("관리자 콘솔"))).to_be_visible()
    expect(admin_page.locator("#count-companies-pending .display-6")).to_have_text("1")
    admin_page.locator("#count-companies-pending").click()
    admin_page.get_by_role("link", name=company_name).click()
    admin_page.get_by_role("button", name="승인", exact=True).click()
    expect(flash(admin_page)).to_contain_text("처리했습니다")
    expect(admin_page.get_by_role("heading", name=re.compile(company_name))).to_contain_text("승인")

    # The company writes a solution and publishes it.
    company_page.reload()
    expect(company_page.get_by_text("승인된 회원입니다.")).to_be_visible()
    company_page.get_by_role("link", name="새 솔루션").click()
    company_page.get_by_label("솔루션명", exact=True).fill(SOLUTION_TITLE)
    company_page.get_by_label("한 줄 소개", exact=True).fill(SOLUTION_SUMMARY)
    company_page.get_by_label("상세 설명", exact=True).fill(SOLUTION_TEXT)
    company_page.get_by_label("주 분야").select_option(label="교통")
    company_page.get_by_label("기술 성숙도").select_option(label="상용화")
    company_page.get_by_label("태그").fill("DRT, 수요응답형교통, 배차")
    company_page.get_by_label("최저 가격 (원)").fill("20,000,000")
    company_page.get_by_label("최고 가격 (원)").fill("60,000,000")
    company_page.get_by_label("서울특별시", exact=True).check()
    company_page.get_by_role("button", name="초안으로 저장").click()
    expect(flash(company_page)).to_contain_text("초안으로 저장했습니다")
    company_page.get_by_role("button", name="게시하기").click()
    expect(company_page.get_by_text("공개 카탈로그에 표시되고 있습니다.")).to_be_visible()

    catalogue = new_page()
    catalogue.goto("/solutions")
    expect(catalogue.get_by_role("link", name=SOLUTION_TITLE)).to_be_visible()
    screenshot(catalogue, "02-catalogue")

    # A verified official posts a need that clearly matches the solution...
    official = make_official(live_server)
    official_page = new_page()
    sign_in(official_page, official.email)
    official_page.goto("/my/needs/new")
    official_page.get_by_label("제목").fill(NEED_TITLE)
    official_page.get_by_label("문제 설명").fill(NEED_TEXT)
    official_page.get_by_label("주 분야").select_option(label="교통")
    official_page.get_by_label("최소 예산 (원)").fill("30,000,000")
    official_page.get_by_label("최대 예산 (원)").fill("80,000,000")
    official_page.get_by_label("신청 마감일").fill((date.today() + timedelta(days=45)).isoformat())
    official_page.get_by_label("희망 착수일").fill((date.today() + timedelta(days=90)).isoformat())
    official_page.get_by_label("대상 지역").fill("읍면 지역")
    official_page.get_by_label("대상 인구 (명)").fill("12,000")
    official_page.get_by_role("button", name="등록", exact=True).click()
    expect(flash(official_page)).to_contain_text("수요를 등록했습니다")
    expect(official_page.get_by_role("heading", name=NEED_TITLE, level=1)).to_be_visible()

    # ...and sees the solution recommended, with an explanation of why.
    recommended = official_page.locator(
        "section[aria-labelledby=recommended-solutions-heading] article.recommendation"
    ).filter(has=official_page.get_by_role("link", name=SOLUTION_TITLE))
    expect(recommended).to_have_count(1)
    expect(recommended).to_contain_text(company_name)
    why = recommended.locator("details.recommendation-why")
    expect(why.locator(".shared-term").first).to_be_hidden()
    why.get_by_text("왜 이 매칭인가요?").click()
    expect(why).to_have_attribute("open", "")
    expect(why.get_by_text("공통 핵심어")).to_be_visible()
    shared_terms = why.locator(".shared-term")
    expect(shared_terms.first).to_be_visible()
    terms = " ".join(shared_terms.all_inner_texts())
    assert re.search(r"수요응답형|drt|배차|어르신|교통", terms, re.I), terms
    expect(why.get_by_text("판단 근거")).to_be_visible()
    expect(why.locator("li.reason-positive", has_text="같은 분야의 솔루션입니다")).to_be_visible()
    expect(why.locator("li.reason", has_text="해당 지역에서 서비스합니다")).to_be_visible()
    screenshot(official_page, "03-need-recommendations")

    # The official expresses interest with a message.
    recommended.get_by_role("link", name="관심 표현").click()
    expect(official_page.get_by_role("heading", name=re.compile("관심 표현"))).to_be_visible()
    expect(official_page.get_by_label("수요")).to_have_value(re.compile(r"\d+"))
    official_page.get_by_label("메시지").fill(INTEREST_MESSAGE)
    official_page.get_by_role("button", name="관심 표현 보내기").click()
    expect(flash(official_page)).to_contain_text("관심을 표현했습니다")
    match_url = official_page.url
    expect(official_page.locator("h1 [data-status]")).to_have_attribute("data-status", "pending")
    expect(official_page.get_by_test_id("contacts-hidden")).to_be_visible()
    expect(official_page.locator("body")).not_to_contain_text(company_email)

    # The company finds the request in its inbox; no contacts yet; it accepts.
    company_page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="매칭").click()
    row = company_page.locator("li.match-row").filter(has_text=NEED_TITLE)
    expect(row).to_have_count(1)
    expect(row.locator("[data-status]")).to_have_text("응답 대기")
    screenshot(company_page, "04-inbox")
    row.get_by_role("link").click()
    expect(company_page.locator("blockquote")).to_have_text(INTEREST_MESSAGE)
    expect(company_page.get_by_test_id("contacts-hidden")).to_be_visible()
    expect(company_page.locator("body")).not_to_contain_text(official.email)
    expect(company_page.locator("body")).not_to_contain_text(OFFICIAL_PHONE)
    company_page.get_by_role("button", name="수락").click()
    expect(flash(company_page)).to_contain_text("요청을 수락했습니다")
    expect(company_page.locator("h1 [data-status]")).to_have_attribute("data-status", "mutual")

    # Mutual but not yet approved: still no contacts on either side.
    for page, hidden in ((company_page, official), (official_page, Party(company_email, COMPANY_PHONE))):
        page.goto(match_url)
        expect(page.get_by_test_id("contacts-hidden")).to_be_visible()
        expect(contacts_section(page).locator("a[href^=mailto]")).to_have_count(0)
        expect(page.locator("body")).not_to_contain_text(hidden.email)
        expect(page.locator("body")).not_to_contain_text(hidden.phone)

    # The admin approves the mutual match in the review queue.
    admin_page.goto("/matches/review")
    item = admin_page.locator("article.review-item").filter(has_text=NEED_TITLE)
    expect(item).to_contain_text(company_name)
    expect(item.locator("blockquote")).to_have_text(INTEREST_MESSAGE)
    screenshot(admin_page, "05-admin-review")
    item.get_by_role("button", name="승인").click()
    expect(flash(admin_page)).to_contain_text("승인했습니다")
    expect(admin_page.locator("article.review-item").filter(has_text=NEED_TITLE)).to_have_count(0)

    # Now both sides see each other's contact details.
    official_page.goto(match_url)
    expect(official_page.locator("h1 [data-status]")).to_have_attribute("data-status", "approved")
    contacts = contacts_section(official_page)
    expect(contacts.get_by_role("link", name=company_email)).to_be_visible()
    expect(contacts.get_by_role("link", name=COMPANY_PHONE)).to_be_visible()
    expect(contacts).to_contain_text("김창업")
    expect(contacts).to_contain_text("사업개발팀")
    screenshot(official_page, "06-match-contacts")

    company_page.goto(match_url)
    contacts = contacts_section(company_page)
    expect(contacts.get_by_role("link", name=official.email)).to_be_visible()
    expect(contacts.get_by_role("link", name=OFFICIAL_PHONE)).to_be_visible()
    expect(company_page.get_by_test_id("contacts-hidden")).to_have_count(0)

    admin_page.goto("/admin/dashboard/")
    expect(admin_page.locator("html")).to_have_attribute("lang", "ko")
    screenshot(admin_page, "07-admin-dashboard")


# --- 2. language switch ----------------------------------------------------------------------


def test_language_switch_persists_for_a_signed_in_user(live_server, new_page, screenshot):
    user = make_company_user(live_server)
    def build():
        solution = factories.make_solution(factories.make_company(name="한빛 스마트교통"),
                                           title="스마트 교차로 신호 최적화")
        solution.summary = "AI 영상 분석으로 교차로 신호 주기를 자동 조정"
    in_app(live_server, build)

    page = new_page()
    sign_in(page, user.email)
    nav = page.get_by_role("navigation").first
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(nav.get_by_role("link", name="솔루션", exact=True)).to_be_visible()

    page.get_by_label("언어").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav.get_by_role("link", name="Solutions", exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()

    # Other pages follow the saved choice.
    nav.get_by_role("link", name="Solutions", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Language")).to_have_value("en")
    expect(page.get_by_role("link", name="스마트 교차로 신호 최적화")).to_be_visible()
    screenshot(page, "08-english-catalogue")

    # A new sign-in in a fresh browser (Korean Accept-Language) comes back in English.
    sign_out(page)
    again = new_page(locale="ko-KR")
    again.goto("/auth/login")
    expect(again.locator("html")).to_have_attribute("lang", "ko")
    sign_in(again, user.email)
    expect(again.locator("html")).to_have_attribute("lang", "en")
    again.goto("/my/company/")
    expect(again.locator("html")).to_have_attribute("lang", "en")
    expect(again.get_by_role("navigation").first.get_by_role("link", name="Solutions", exact=True)
           ).to_be_visible()

    # Switching back to Korean.
    again.get_by_label("Language").select_option("ko")
    expect(again.locator("html")).to_have_attribute("lang", "ko")
    expect(again.get_by_role("navigation").first.get_by_role("link", name="솔루션", exact=True)
           ).to_be_visible()
    again.goto("/solutions")
    expect(again.locator("html")).to_have_attribute("lang", "ko")


# --- 3. a declined request -------------------------------------------------------------------


def test_declined_request_shows_status_and_reason_to_the_requester(live_server, new_page):
    request = make_pending_request(live_server, "거절")
    reason = "올해는 다른 지역 사업에 집중하고 있어 참여가 어렵습니다."

    company_page = new_page()
    sign_in(company_page, request.company_user.email)
    company_page.goto("/matches/")
    company_page.locator("li.match-row").filter(has_text=request.need_title).get_by_role("link").click()
    company_page.get_by_label("거절 사유 (선택)").fill(reason)
    company_page.once("dialog", lambda dialog: dialog.accept())
    company_page.get_by_role("button", name="거절").click()
    expect(flash(company_page)).to_contain_text("요청을 거절했습니다")
    expect(company_page.locator("h1 [data-status]")).to_have_text("거절됨")
    assert match_status(live_server, request.match_id) == MatchStatus.DECLINED

    official_page = new_page()
    sign_in(official_page, request.official.email)
    official_page.goto("/matches/history")
    row = official_page.locator("li.match-row").filter(has_text=request.need_title).first
    expect(row).to_contain_text("거절됨")
    official_page.goto(f"/matches/{request.match_id}")
    expect(official_page.locator("h1 [data-status]")).to_have_text("거절됨")
    timeline = official_page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline).to_contain_text("상대방이 거절했습니다.")
    expect(timeline).to_contain_text(reason)
    expect(official_page.get_by_test_id("contacts-hidden")).to_be_visible()
    expect(official_page.locator("body")).not_to_contain_text(request.company_user.email)


# --- 4. an expired request -------------------------------------------------------------------


def test_overdue_request_reads_as_expired_and_the_scheduled_job_records_it(live_server, new_page):
    request = make_pending_request(live_server, "만료")

    def backdate():
        db.session.get(Match, request.match_id).expires_at = utcnow() - timedelta(hours=1)
    in_app(live_server, backdate)
    assert match_status(live_server, request.match_id) == MatchStatus.PENDING

    page = new_page()
    sign_in(page, request.company_user.email)
    page.goto("/matches/")
    expect(page.get_by_role("heading", name=re.compile("응답이 필요한 요청"))).to_be_visible()
    expect(page.locator("li.match-row").filter(has_text=request.need_title)).to_have_count(0)

    page.get_by_role("link", name="전체 내역").click()
    row = page.locator("li.match-row").filter(has_text=request.need_title).first
    expect(row).to_contain_text("기한 만료")
    page.goto(f"/matches/{request.match_id}")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "expired")
    expect(page.get_by_text("응답 기한이 지나 만료되었습니다.")).to_be_visible()
    expect(page.get_by_role("button", name="수락")).to_have_count(0)
    # Pages never write: the request reads as expired, and the scheduled job records it.
    assert match_status(live_server, request.match_id) == MatchStatus.PENDING
    expired = in_app(live_server, lambda: workflow.expire_overdue().matches)
    assert expired == 1
    assert match_status(live_server, request.match_id) == MatchStatus.EXPIRED


# --- 5. a third organisation may not act ----------------------------------------------------


def test_third_company_gets_403_on_someone_elses_match(live_server, new_page):
    request = make_pending_request(live_server, "권한")
    outsider = make_company_user(live_server)

    page = new_page()
    sign_in(page, outsider.email)
    response = page.goto(f"/matches/{request.match_id}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="403")).to_be_visible()
    expect(page.get_by_text("이 작업을 할 권한이 없습니다.")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(request.need_title)
    expect(page.get_by_role("button", name="수락")).to_have_count(0)

    for action in ("accept", "decline"):
        answer = post_from_page(page, f"/matches/{request.match_id}/{action}")
        assert answer.status == 403, action
        expect(page.get_by_role("heading", name="403")).to_be_visible()
    assert match_status(live_server, request.match_id) == MatchStatus.PENDING

    # The real responder still can.
    owner = new_page()
    sign_in(owner, request.company_user.email)
    owner.goto(f"/matches/{request.match_id}")
    expect(owner.get_by_role("button", name="수락")).to_be_visible()
