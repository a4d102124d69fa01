"""Browser journeys: a joint procurement invitation accepted, and a public Q&A on a need."""
from __future__ import annotations

from playwright.sync_api import expect

from app.models import User
from app.extensions import db
from tests import factories
from tests.browser.test_journeys import flash, in_app, make_company_user, make_official, sign_in

LIGHT_TITLE = "스마트 가로등 원격 제어"
LIGHT_TEXT = ("야간 보행 안전을 위해 스마트 가로등을 원격으로 제어하고 밝기를 조절하며 고장을 자동으로 "
              "알려 주는 가로등 관제 시스템이 필요합니다.")


def make_light_need(live_server, email: str) -> int:
    def build():
        official = db.session.query(User).filter_by(email=email).one()
        need = factories.make_need(official, title=LIGHT_TITLE, description=LIGHT_TEXT,
                                   category_code="safety")
        return need.id
    return in_app(live_server, build)


def test_an_official_invites_a_similar_need_and_the_other_municipality_joins(live_server,
                                                                             new_page):
    jongno = make_official(live_server)
    busan = make_official(live_server, municipality="부산광역시 해운대구", phone="051-700-1234")
    own = make_light_need(live_server, jongno.email)
    make_light_need(live_server, busan.email)

    page = new_page()
    sign_in(page, jongno.email)
    page.goto(f"/my/needs/{own}")
    joint = page.locator("#joint")
    expect(joint).to_contain_text("지자체 1곳이 비슷한 수요를 갖고 있습니다")
    joint.get_by_role("button", name="공동구매 초대").click()
    expect(flash(page)).to_contain_text("공동구매 초대를 보냈습니다")
    expect(page.locator("#joint")).to_contain_text("이미 공동구매 그룹에 속함")

    other = new_page()
    sign_in(other, busan.email)
    other.goto("/joint/")
    other.locator("[data-testid=joint-invitation] a").click()
    other.get_by_role("button", name="참여하기").click()
    expect(flash(other)).to_contain_text("공동구매 그룹에 참여했습니다.")
    expect(other.locator("[data-testid=joint-member]").nth(1)).to_contain_text("참여 확정")


def test_a_question_answered_by_the_official_is_shown_to_another_company(live_server, new_page):
    official = make_official(live_server)
    need_id = make_light_need(live_server, official.email)
    asker, other = make_company_user(live_server), make_company_user(live_server)
    question = "기존 가로등 제어기와 연동해야 하나요?"

    page = new_page()
    sign_in(page, asker.email)
    page.goto(f"/needs/{need_id}")
    page.locator("#question-text").fill(question)
    page.get_by_role("button", name="질문 등록").click()
    expect(flash(page)).to_contain_text("질문을 등록했습니다.")
    expect(page.locator("[data-testid=question]")).to_contain_text("답변 대기")

    answering = new_page()
    sign_in(answering, official.email)
    answering.goto(f"/my/needs/{need_id}")
    answering.locator("#questions textarea[name=answer]").fill("네, 기존 제어기와 연동해야 합니다.")
    answering.get_by_role("button", name="답변 등록").click()
    expect(flash(answering)).to_contain_text("답변을 등록했습니다.")

    viewer = new_page()
    sign_in(viewer, other.email)
    viewer.goto(f"/needs/{need_id}")
    shown = viewer.locator("[data-testid=question]")
    expect(shown).to_contain_text(question)
    expect(shown).to_contain_text("네, 기존 제어기와 연동해야 합니다.")
