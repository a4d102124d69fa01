"""E-mail goes out only after the transaction that caused it commits, and at most once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import EmailStatus, Match, MatchStatus, Notification, OutgoingEmail
from app.models.base import utcnow
from app.services import mail, unit_of_work, workflow
from app.services.errors import ServiceError
from tests import factories


@pytest.fixture()
def pending_match(db, official, company_user, admin_user):
    """A request from the official to `company_user`'s company, its e-mail already delivered."""
    need = factories.make_need(official)
    solution = factories.make_solution(company_user.company)
    unit_of_work.commit()
    match = workflow.express_interest(official, need, solution, "관심 있습니다.")
    unit_of_work.commit()
    mail.outbox().clear()
    return match


def rows(db, status: EmailStatus | None = None) -> list[OutgoingEmail]:
    db.session.expire_all()
    query = select(OutgoingEmail).order_by(OutgoingEmail.id)
    if status is not None:
        query = query.where(OutgoingEmail.status == status)
    return list(db.session.scalars(query))


def test_send_mail_waits_for_the_commit(db, outbox):
    mail.send_mail("someone@example.kr", "제목", "본문")
    assert outbox == []  # written in the transaction, not sent
    unit_of_work.commit()
    assert [(m.to, m.subject) for m in outbox] == [("someone@example.kr", "제목")]
    [row] = rows(db)
    assert row.status == EmailStatus.SENT and row.attempts == 1 and row.sent_at is not None


def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_row(db, outbox):
    mail.send_mail("someone@example.kr", "제목", "본문")
    db.session.rollback()
    unit_of_work.commit()
    assert outbox == [] and rows(db) == []


def test_a_request_failing_after_its_notifications_sends_nothing(
        db, outbox, company_client, pending_match, monkeypatch):
    def admins_unreachable(*args, **kwargs):
        raise ServiceError("관리자에게 알리지 못했습니다.")

    monkeypatch.setattr(workflow, "_notify_admins", admins_unreachable)
    response = company_client.post(f"/matches/{pending_match.id}/accept", follow_redirects=True)

    assert "관리자에게 알리지 못했습니다." in response.get_data(as_text=True)
    assert outbox == []
    assert len(rows(db)) == 1  # only the fixture's request e-mail: the failed request left none
    assert db.session.get(Match, pending_match.id).status == MatchStatus.PENDING
    accepted = db.session.scalars(select(Notification).where(
        Notification.kind == "match_accepted")).all()
    assert accepted == []


def test_a_successful_request_sends_each_mail_exactly_once(
        db, outbox, company_client, pending_match, official, admin_user, runner):
    response = company_client.post(f"/matches/{pending_match.id}/accept")

    assert response.status_code == 302
    assert sorted(m.to for m in outbox) == sorted([official.email, admin_user.email])
    assert all(row.status == EmailStatus.SENT for row in rows(db))
    result = runner.invoke(args=["deliver-mail"])
    assert result.exit_code == 0 and "0 sent" in result.output
    assert mail.deliver_pending().sent == 0
    assert len(outbox) == 2


def test_a_second_delivery_of_the_same_message_sends_nothing(db, outbox):
    email = mail.send_mail("someone@example.kr", "제목", "본문")
    email_id = email.id
    unit_of_work.commit()
    report = mail.deliver([email_id])
    assert (report.sent, report.skipped) == (0, 1)
    assert len(outbox) == 1


def test_a_failed_delivery_is_kept_and_retried_when_due(db, outbox, monkeypatch, runner):
    real_transport = mail._transport

    def smtp_down(message):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(mail, "_transport", smtp_down)
    mail.send_mail("someone@example.kr", "제목", "본문")
    unit_of_work.commit()
    [row] = rows(db)
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert "smtp down" in row.last_error
    assert mail.deliver_pending().sent == 0  # not due yet

    monkeypatch.setattr(mail, "_transport", real_transport)
    report = mail.deliver_pending(now=utcnow() + timedelta(minutes=2))
    assert report.sent == 1
    [row] = rows(db)
    assert row.status == EmailStatus.SENT and row.attempts == 2 and row.last_error is None
    assert len(outbox) == 1


def test_the_command_sends_pending_mail_and_gives_up_after_the_attempt_limit(db, outbox, runner):
    # committed, but the process died before its after-commit delivery ran
    left_behind = OutgoingEmail(to_address="later@example.kr", subject="나중에", body="",
                                status=EmailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
    exhausted = OutgoingEmail(to_address="gone@example.kr", subject="포기", body="",
                              status=EmailStatus.FAILED, attempts=mail.MAX_ATTEMPTS,
                              next_attempt_at=utcnow() - timedelta(days=1))
    stuck = OutgoingEmail(to_address="stuck@example.kr", subject="보내는 중", body="",
                          status=EmailStatus.SENDING, attempts=1, next_attempt_at=utcnow())
    db.session.add_all([left_behind, exhausted, stuck])
    db.session.commit()

    result = runner.invoke(args=["deliver-mail"])

    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert [m.to for m in outbox] == ["later@example.kr"]  # a message being sent is never resent
    statuses = {row.to_address: row.status for row in rows(db)}
    assert statuses == {"later@example.kr": EmailStatus.SENT, "gone@example.kr": EmailStatus.FAILED,
                        "stuck@example.kr": EmailStatus.SENDING}
