"""Browser journey (issue 11, overseas demand): a need written in English shows, on its page,
the solutions matched by their English summaries, the relevant one first."""
from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from tests import factories
from tests.browser.test_journeys import in_app, make_official, sign_in

PARKING_EN = "Parking space sensors and guidance signs for visitors"
BUS_EN = "On-demand rural buses booked by app or phone"


def make_english_catalogue(live_server, official_email: str) -> dict:
    def build():
        company = factories.make_company()
        parking = factories.make_solution(
            company, title="스마트 주차 안내 시스템", summary="주차면 센서와 빈자리 안내 전광판",
            description="주차면마다 센서를 달아 빈자리를 실시간으로 안내합니다.",
            title_en="Smart parking guidance", summary_en=PARKING_EN,
            description_en="Sensors on every parking space detect free spaces; guidance signs "
                           "and a map show drivers where to park.")
        bus = factories.make_solution(
            company, title="농촌 수요응답형 버스", summary="앱과 전화로 부르는 농촌 버스",
            title_en="Demand-responsive transport", summary_en=BUS_EN,
            description_en="Residents of rural villages book buses by app or phone; AI routes "
                           "the buses on demand.")
        korean_only = factories.make_solution(
            company, title="주차장 관제 솔루션", summary="주차장 센서 관제",
            description="주차장 센서와 안내 전광판으로 빈자리를 안내합니다.")
        official = db.session.query(User).filter_by(email=official_email).one()
        need = factories.make_need(
            official, title="Parking guidance for the old town", language="en",
            description="Visitors circle the old town looking for a free parking space. We "
                        "want parking space sensors and guidance signs that show drivers "
                        "where the free spaces are.")
        return {"need": need.id, "parking": parking.id, "bus": bus.id,
                "korean_only": korean_only.id}
    return in_app(live_server, build)


def test_an_english_need_shows_solutions_matched_by_their_english_summaries(live_server,
                                                                            new_page,
                                                                            screenshot):
    official = make_official(live_server)
    ids = make_english_catalogue(live_server, official.email)

    page = new_page()
    sign_in(page, official.email)
    page.goto(f"/my/needs/{ids['need']}")
    section = page.locator("section[aria-labelledby=recommended-solutions-heading]")
    cards = section.locator("article.recommendation")
    expect(cards.first).to_be_visible()
    first = cards.first
    expect(first.locator(f"a[href='/solutions/{ids['parking']}']")).to_be_visible()
    expect(first.locator(".english-summary")).to_contain_text(PARKING_EN)
    expect(first.locator(".english-summary")).to_have_attribute("lang", "en")
    # a solution without English text is no candidate for an English need
    expect(section.locator(f"a[href='/solutions/{ids['korean_only']}']")).to_have_count(0)
    # "why this match" names the English terms both sides share
    first.locator("summary").first.click()
    expect(first).to_contain_text("park")
    screenshot(page, "english-need-recommendations")

    public = new_page()
    public.goto(f"/solutions/{ids['parking']}")
    expect(public.locator("#english-summary")).to_contain_text(PARKING_EN)
