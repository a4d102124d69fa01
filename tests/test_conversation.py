"""The conversation after approval over HTTP: messages, attachments, unread counts, e-mail,
who may take part, and bad input that changes nothing."""
from __future__ import annotations

import html
import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.models import (
    ConversationAttachment,
    ConversationMessage,
    EmailPreference,
    Notification,
    Role,
    SizeClass,
)
from app.services import unit_of_work, workflow
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(main_part: str) -> bytes:
    """A minimal Office Open XML package with the given main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def approve_match(need, solution, company_user, official, admin):
    match = workflow.express_interest(company_user, need, solution, "도입을 함께 검토하고 싶습니다.")
    workflow.accept(official, match)
    workflow.approve(admin, match)
    unit_of_work.commit()
    return match


@pytest.fixture()
def approved(db, need, solution, company_user, official, admin_user):
    """A match an admin approved between `official` and `company_user`."""
    return approve_match(need, solution, company_user, official, admin_user)


@pytest.fixture()
def thread(approved) -> str:
    return f"/conversations/matches/{approved.id}"


def message_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ConversationMessage.id)))


def send(client, thread, body="", files=()):
    data = {"body": body, "files": [(io.BytesIO(data), name) for name, data in files]}
    return client.post(f"{thread}/messages", data=data, content_type="multipart/form-data")


def test_a_message_with_an_attachment_reaches_the_other_side(
        app, db, outbox, thread, approved, company_client, official_client, official):
    response = send(company_client, thread, "제안서를 보내 드립니다. 문의: 02-555-0199",
                    [("제안서.pdf", PDF)])
    assert response.status_code == 302
    assert message_count(db) == 1

    # The other side sees it, unread in the navigation, the match page, the list and the thread.
    page = text(official_client.get(thread))
    assert "제안서를 보내 드립니다. 문의: 02-555-0199" in page  # contacts allowed after approval
    assert 'data-testid="thread-unread"' in page
    assert 'data-testid="unread-messages">1<' in text(official_client.get("/"))
    assert "새 메시지 1" in text(official_client.get(f"/matches/{approved.id}"))
    assert 'data-testid="row-unread"' in text(official_client.get("/matches/history"))
    # The author has nothing unread.
    assert 'data-testid="unread-messages"' not in text(company_client.get("/"))

    # Notified in the app and by e-mail, with a link to the thread.
    note = db.session.scalars(select(Notification).where(
        Notification.user_id == official.id, Notification.kind == "conversation_message")).one()
    assert note.link == thread
    assert any(mail.to == official.email and thread in mail.body for mail in outbox)

    # The attachment downloads as a file, never rendered by the browser.
    attachment = db.session.scalars(select(ConversationAttachment)).one()
    download = official_client.get(f"/conversations/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    # Reading is a POST; afterwards nothing is unread.
    assert official_client.post(f"{thread}/read").status_code == 302
    assert 'data-testid="unread-messages"' not in text(official_client.get("/"))
    assert 'data-testid="thread-unread"' not in text(official_client.get(thread))


def test_reading_the_page_changes_no_unread_count(db, thread, company_client, official_client):
    send(company_client, thread, "안녕하세요")
    official_client.get(thread)
    official_client.get(thread)
    assert 'data-testid="unread-messages">1<' in text(official_client.get("/"))


def test_e_mail_follows_the_notification_preference(db, outbox, thread, company_client,
                                                     official):
    db.session.add(EmailPreference(user_id=official.id, kind="conversation_message",
                                   enabled=False))
    unit_of_work.commit()
    send(company_client, thread, "메일 없이 알림만")
    assert not [mail for mail in outbox if mail.to == official.email and "새 메시지" in mail.subject]
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == official.id, Notification.kind == "conversation_message")) == 1


def test_office_files_are_recognised_by_their_content(db, thread, company_client):
    assert send(company_client, thread, "", [("brochure.pptx",
                                              office_file("ppt/presentation.xml"))]
                ).status_code == 302
    assert send(company_client, thread, "", [("제안서.docx", office_file("word/document.xml"))]
                ).status_code == 302
    kinds = sorted(a.content_type for a in db.session.scalars(select(ConversationAttachment)))
    assert kinds == [
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]


@pytest.mark.parametrize(("body", "files", "error"), [
    ("", [], "메시지를 입력하거나 파일을 첨부하세요."),
    ("   ", [], "메시지를 입력하거나 파일을 첨부하세요."),
    ("가" * 4001, [], "메시지는 4000자 이하로 입력하세요."),
    ("실행 파일", [("제안서.pdf", b"MZ\x90\x00 not a pdf")], "파일만 첨부할 수 있습니다: 제안서.pdf"),
    ("ZIP", [("제안서.docx", office_file("other/part.xml"))], "파일만 첨부할 수 있습니다: 제안서.docx"),
    ("HTML", [("page.png", b"<html><script>alert(1)</script>")], "파일만 첨부할 수 있습니다"),
    ("빈 파일", [("empty.pdf", b"")], "빈 파일은 첨부할 수 없습니다"),
    ("너무 많음", [(f"{n}.pdf", PDF) for n in range(4)], "한 메시지에 파일은 3개까지"),
])
def test_bad_messages_are_refused_and_change_nothing(db, outbox, thread, company_client, body,
                                                     files, error):
    mails = len(outbox)
    response = send(company_client, thread, body, files)
    assert response.status_code == 400
    assert error in text(response)
    assert message_count(db) == 0
    assert db.session.scalar(select(func.count(ConversationAttachment.id))) == 0
    assert len(outbox) == mails


def test_oversized_attachments_and_a_full_thread_are_refused(app, db, thread, company_client,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "CONVERSATION_ATTACHMENT_MAX_BYTES", 100)
    response = send(company_client, thread, "큰 파일", [("big.png", PNG + b"\x00" * 100)])
    assert response.status_code == 400 and "0.0 MB 이하만" in text(response)
    monkeypatch.setitem(app.config, "CONVERSATION_ATTACHMENTS_PER_THREAD", 1)
    assert send(company_client, thread, "첫 파일", [("a.pdf", PDF)]).status_code == 302
    response = send(company_client, thread, "둘째 파일", [("b.pdf", PDF)])
    assert response.status_code == 400 and "파일을 1개까지" in text(response)
    assert message_count(db) == 1


def test_outsiders_get_no_thread_and_no_file(app, db, login, thread, company_client,
                                             admin_user):
    send(company_client, thread, "기밀 제안", [("제안서.pdf", PDF)])
    attachment = db.session.scalars(select(ConversationAttachment)).one()
    other_company = factories.make_company(size_class=SizeClass.SME)
    outsiders = [
        factories.make_user(role=Role.COMPANY, company=other_company),
        factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구"),
        admin_user,
    ]
    unit_of_work.commit()
    for user in outsiders:
        client = login(user)
        assert client.get(thread).status_code == 403
        assert client.get(f"/conversations/attachments/{attachment.id}").status_code == 403
        assert send(client, thread, "끼어들기").status_code == 403
        assert "기밀 제안" not in text(client.get("/matches/history"))
    assert message_count(db) == 1
    assert company_client.get("/conversations/attachments/999999").status_code == 404
    assert company_client.get("/conversations/matches/999999").status_code == 404


def test_a_match_not_yet_approved_has_no_conversation(db, need, solution, company_client,
                                                      company_user, official):
    match = workflow.express_interest(company_user, need, solution, "관심 있습니다.")
    workflow.accept(official, match)  # mutual: waiting for the admin
    unit_of_work.commit()
    thread = f"/conversations/matches/{match.id}"
    response = company_client.get(thread)
    assert response.status_code == 302 and response.headers["Location"] == f"/matches/{match.id}"
    response = send(company_client, thread, "승인 전 메시지")
    assert response.status_code == 302
    assert "관리자가 승인한 매칭에서만" in text(company_client.get(response.headers["Location"]))
    assert message_count(db) == 0
    assert 'data-testid="open-conversation"' not in text(company_client.get(f"/matches/{match.id}"))


def test_an_approved_consortium_talks_with_every_member(db, login, official, need, admin_user):
    lead_company = factories.make_company(size_class=SizeClass.LARGE)
    partner_company = factories.make_company(size_class=SizeClass.STARTUP)
    lead = factories.make_user(role=Role.COMPANY, company=lead_company)
    partner = factories.make_user(role=Role.COMPANY, company=partner_company)
    outsider = factories.make_user(role=Role.COMPANY,
                                   company=factories.make_company(size_class=SizeClass.SME))
    lead_solution = factories.make_solution(lead_company, title="통합 교통 관제")
    partner_solution = factories.make_solution(partner_company, title="DRT 배차")
    unit_of_work.commit()
    proposal = workflow.propose_consortium(lead, need, lead_solution, [partner_solution], None,
                                           "함께 제안합니다.")
    member = next(m for m in proposal.members if not m.is_lead)
    workflow.respond_to_consortium(partner, member, True)
    workflow.answer_consortium(official, proposal, True)
    workflow.approve(admin_user, proposal)
    unit_of_work.commit()
    thread = f"/conversations/consortia/{proposal.id}"
    assert send(login(official), thread, "세 기관이 함께 보는 대화입니다.").status_code == 302
    for user in (lead, partner):
        client = login(user)
        assert "세 기관이 함께 보는 대화입니다." in text(client.get(thread))
        assert 'data-testid="unread-messages">1<' in text(client.get("/"))
    assert login(outsider).get(thread).status_code == 403
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "conversation_message")) == 2  # the lead and the partner


def test_the_thread_is_translated(db, thread, company_client):
    company_client.post("/locale", data={"locale": "en", "next": "/"})
    page = text(company_client.get(thread))
    assert "Message" in page and "Propose a meeting time" in page and "Meetings" in page
    response = send(company_client, thread, "")
    assert "Enter a message or attach a file." in text(response)


def test_own_messages_are_in_the_personal_data_export(db, thread, company_client):
    import json

    send(company_client, thread, "내보내기에 들어갈 메시지")
    data = json.loads(company_client.get("/account/data.json").get_data(as_text=True))
    assert [m["body"] for m in data["conversation_messages"]] == ["내보내기에 들어갈 메시지"]
