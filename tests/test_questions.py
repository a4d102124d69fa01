"""Public Q&A on needs through HTTP: asking, answering once, who sees what, hiding."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import MembershipStatus, NeedQuestion, NeedStatus, Notification, Role
from app.services import unit_of_work
from tests import factories

QUESTION = "기존 버스정보시스템과 연동해야 하나요?"
ANSWER = "네, 기존 버스정보시스템과 연동해야 합니다."


@pytest.fixture()
def other_staff(db):
    """Staff of another approved company."""
    user = factories.make_user(role=Role.COMPANY, company=factories.make_company())
    unit_of_work.commit()
    return user


def questions_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(NeedQuestion))


def ask(client, need, text=QUESTION):
    return client.post(f"/questions/needs/{need.id}", data={"text": text}, follow_redirects=True)


def answer(client, question, text=ANSWER):
    return client.post(f"/questions/{question.id}/answer", data={"answer": text},
                       follow_redirects=True)


def the_question(db) -> NeedQuestion:
    return db.session.scalar(select(NeedQuestion))


def test_company_asks_and_the_officials_are_notified(company_client, company_user, official,
                                                     need, db):
    response = ask(company_client, need)
    assert "질문을 등록했습니다." in response.get_data(as_text=True)
    question = the_question(db)
    assert question.asked_by_id == company_user.id and question.company_id == company_user.company_id
    note = db.session.scalar(select(Notification).where(Notification.user_id == official.id))
    assert note.kind == "need_question" and note.link == f"/my/needs/{need.id}#questions"
    assert QUESTION not in note.body  # hidden later, it must not live on in the notification


def test_an_unanswered_question_is_shown_to_the_asker_and_the_officials_only(
        app, login, company_client, official_client, other_staff, need, db, client):
    ask(company_client, need)
    assert QUESTION in company_client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert QUESTION in official_client.get(f"/my/needs/{need.id}").get_data(as_text=True)
    assert QUESTION not in login(other_staff).get(f"/needs/{need.id}").get_data(as_text=True)
    assert QUESTION not in client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_the_answer_is_shown_to_every_company_and_the_asker_is_notified(
        login, company_client, company_user, official_client, other_staff, need, db):
    ask(company_client, need)
    question = the_question(db)
    response = answer(official_client, question)
    assert "답변을 등록했습니다." in response.get_data(as_text=True)
    page = login(other_staff).get(f"/needs/{need.id}").get_data(as_text=True)
    assert QUESTION in page and ANSWER in page
    assert company_user.company.name not in page  # the asking company is not named to others
    note = db.session.scalar(select(Notification).where(Notification.user_id == company_user.id))
    assert note.kind == "need_answer" and note.link == f"/needs/{need.id}#question-{question.id}"


def test_answering_twice_is_refused_and_keeps_the_first_answer(company_client, official_client,
                                                               need, db):
    ask(company_client, need)
    question = the_question(db)
    answer(official_client, question)
    response = answer(official_client, question, "다른 답변입니다.")
    assert "이미 답변한 질문입니다." in response.get_data(as_text=True)
    db.session.refresh(question)
    assert question.answer == ANSWER


@pytest.mark.parametrize("text, message", [
    ("   ", "질문을 입력하세요."),
    ("가" * 1001, "질문은 1000자 이하로 입력하세요."),
    ("담당자 연락처 010-1234-5678 로 전화 주세요", "전화번호를 쓸 수 없습니다"),
    ("sales@example.com 으로 자료를 보내 주세요", "이메일 주소를 쓸 수 없습니다"),
    ("자세한 내용은 www.example.co.kr 참고", "웹 주소(URL)를 쓸 수 없습니다"),
])
def test_bad_questions_are_refused_with_a_message_and_change_nothing(company_client, need, db,
                                                                     text, message):
    response = ask(company_client, need, text)
    assert response.status_code == 400  # the question again, with its message
    assert message in response.get_data(as_text=True)
    assert questions_count(db) == 0


@pytest.mark.parametrize("text, message", [
    ("", "답변을 입력하세요."),
    ("담당 주무관 02-2148-1234 로 연락 주세요", "전화번호를 쓸 수 없습니다"),
])
def test_bad_answers_are_refused_and_change_nothing(company_client, official_client, need, db,
                                                    text, message):
    ask(company_client, need)
    response = answer(official_client, the_question(db), text)
    assert message in response.get_data(as_text=True)
    db.session.refresh(the_question(db))
    assert the_question(db).answer is None


def test_questions_only_on_open_needs(company_client, need, db):
    need.status = NeedStatus.CLOSED
    unit_of_work.commit()
    page = company_client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert f'action="/questions/needs/{need.id}"' not in page
    response = ask(company_client, need)
    assert "모집 중인 수요에만 질문할 수 있습니다." in response.get_data(as_text=True)
    assert questions_count(db) == 0


def test_who_may_ask(app, login, official_client, admin_client, need, db, client):
    pending = factories.make_user(role=Role.COMPANY, company=factories.make_company(
        membership=MembershipStatus.PENDING))
    unit_of_work.commit()
    assert login(pending).post(f"/questions/needs/{need.id}",
                               data={"text": QUESTION}).status_code == 403
    for other in (official_client, admin_client):
        assert other.post(f"/questions/needs/{need.id}", data={"text": QUESTION}).status_code == 403
    assert client.post(f"/questions/needs/{need.id}", data={"text": QUESTION}).status_code == 302
    assert questions_count(db) == 0


def test_a_private_need_cannot_be_asked_about(login, company_client, db):
    pending = factories.make_user(role=Role.MUNICIPALITY,
                                  official_status=factories.OfficialStatus.PENDING)
    draft = factories.make_need(pending)
    unit_of_work.commit()
    assert company_client.post(f"/questions/needs/{draft.id}",
                               data={"text": QUESTION}).status_code == 404
    assert questions_count(db) == 0


def test_only_the_needs_officials_may_answer(login, company_client, company_user, need, db):
    ask(company_client, need)
    question = the_question(db)
    busan = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    unit_of_work.commit()
    for user in (busan, company_user):
        response = login(user).post(f"/questions/{question.id}/answer", data={"answer": ANSWER})
        assert response.status_code == 403
    db.session.refresh(question)
    assert question.answer is None


def test_admin_hides_an_abusive_question_from_everyone_else(login, company_client, official_client,
                                                            admin_client, other_staff, need, db):
    ask(company_client, need, "욕설이 담긴 질문입니다")
    question = the_question(db)
    response = admin_client.post(f"/questions/{question.id}/moderation", data={"hidden": "1"},
                                 follow_redirects=True)
    assert "질문을 숨겼습니다." in response.get_data(as_text=True)
    assert "욕설이 담긴 질문입니다" in response.get_data(as_text=True)  # the admins still see it
    for viewer, path in ((company_client, f"/needs/{need.id}"),
                         (official_client, f"/my/needs/{need.id}"),
                         (login(other_staff), f"/needs/{need.id}")):
        assert "욕설이 담긴 질문입니다" not in viewer.get(path).get_data(as_text=True)
    refused = answer(official_client, question)
    assert "관리자가 숨긴 질문에는 답변할 수 없습니다." in refused.get_data(as_text=True)
    db.session.refresh(question)
    assert question.hidden and question.answer is None
    admin_client.post(f"/questions/{question.id}/moderation", data={"hidden": "0"})
    assert "욕설이 담긴 질문입니다" in company_client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_only_admins_hide_questions(company_client, official_client, need, db):
    ask(company_client, need)
    question = the_question(db)
    for other in (company_client, official_client):
        assert other.post(f"/questions/{question.id}/moderation",
                          data={"hidden": "1"}).status_code == 403
    db.session.refresh(question)
    assert not question.hidden


def test_a_missing_question_is_404(official_client, admin_client):
    assert official_client.post("/questions/999999/answer", data={"answer": ANSWER}).status_code == 404
    assert admin_client.post("/questions/999999/moderation", data={"hidden": "1"}).status_code == 404


def test_the_askers_and_the_answerers_data_export_hold_their_texts(company_client, official_client,
                                                                  need, db):
    ask(company_client, need)
    answer(official_client, the_question(db))
    asked = company_client.get("/account/data.json").get_json()["questions_asked"]
    assert [(q["text"], q["answer"]) for q in asked] == [(QUESTION, ANSWER)]
    answered = official_client.get("/account/data.json").get_json()["questions_answered"]
    assert [q["answer"] for q in answered] == [ANSWER]
