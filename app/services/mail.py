"""Outgoing e-mail through a transactional outbox: stored with the change, delivered after commit.

`send_mail` writes an `outgoing_email` row in the caller's transaction and asks for its delivery
once that transaction commits; a rollback takes the row (and so the message) with it. Delivery
claims each row with a conditional UPDATE (pending/failed → sending) and commits the claim before
talking to the transport, so a message goes out at most once even when two deliverers race or a
job is retried. The transport is SMTP when MAIL_SERVER is configured, the log otherwise, and a
list in tests (MAIL_CAPTURE).
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import EmailStatus, OutgoingEmail
from app.models.base import utcnow
from app.services import unit_of_work

MAX_ATTEMPTS = 5
RETRY_DELAYS_MINUTES = (1, 5, 30, 120)
SUBJECT_MAX = 300
ERROR_MAX = 500


@dataclass(frozen=True)
class OutgoingMail:
    """One message as handed to the transport."""

    to: str
    subject: str
    body: str


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another deliverer, already sent, or rolled back


def outbox() -> list[OutgoingMail]:
    """Messages captured while MAIL_CAPTURE is set (tests)."""
    return current_app.extensions.setdefault("citymatch_outbox", [])


def send_mail(to: str, subject: str, body: str) -> OutgoingEmail:
    """Queue one plain-text message in the current transaction; it is sent after commit."""
    email = OutgoingEmail(to_address=to, subject=subject[:SUBJECT_MAX], body=body,
                          status=EmailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
    db.session.add(email)
    db.session.flush()
    email_id = email.id
    unit_of_work.after_commit(lambda: deliver([email_id]))
    return email


def deliver(email_ids: list[int]) -> DeliveryReport:
    """Send these queued messages (each at most once); commits its own bookkeeping."""
    report = DeliveryReport()
    for email_id in email_ids:
        outcome = _deliver_one(email_id)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def deliver_pending(now: datetime | None = None, limit: int = 500) -> DeliveryReport:
    """Send every pending message and retry failed ones that are due (for the scheduler).

    Its own unit of work: each claim and each result is committed as it happens.
    """
    moment = now or utcnow()
    due = db.session.scalars(
        select(OutgoingEmail.id).where(
            or_(OutgoingEmail.status == EmailStatus.PENDING,
                (OutgoingEmail.status == EmailStatus.FAILED)
                & (OutgoingEmail.attempts < MAX_ATTEMPTS)
                & (OutgoingEmail.next_attempt_at <= moment)))
        .order_by(OutgoingEmail.id).limit(limit)
    ).all()
    return deliver(list(due))


def _claim(email_id: int) -> bool:
    """Mark the message as being sent, if no one else did; True when this caller owns it."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == email_id,
               or_(OutgoingEmail.status == EmailStatus.PENDING,
                   (OutgoingEmail.status == EmailStatus.FAILED)
                   & (OutgoingEmail.attempts < MAX_ATTEMPTS)))
        .values(status=EmailStatus.SENDING, claimed_at=now,
                attempts=OutgoingEmail.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _deliver_one(email_id: int) -> str:
    if not _claim(email_id):
        return "skipped"
    email = db.session.get(OutgoingEmail, email_id, populate_existing=True)
    try:
        _transport(OutgoingMail(to=email.to_address, subject=email.subject, body=email.body))
    except Exception as error:  # any transport failure: keep the message for a later retry
        current_app.logger.warning("E-mail %s to %s failed: %s", email_id, email.to_address, error)
        delay = RETRY_DELAYS_MINUTES[min(email.attempts, len(RETRY_DELAYS_MINUTES)) - 1]
        email.status = EmailStatus.FAILED
        email.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
        email.next_attempt_at = utcnow() + timedelta(minutes=delay)
        db.session.commit()
        return "failed"
    email.status = EmailStatus.SENT
    email.sent_at = utcnow()
    email.last_error = None
    db.session.commit()
    return "sent"


def _transport(message: OutgoingMail) -> None:
    """Hand one message to the configured transport (capture list, log or SMTP)."""
    config = current_app.config
    if config.get("MAIL_CAPTURE"):
        outbox().append(message)
        return
    if not config.get("MAIL_SERVER"):
        current_app.logger.warning("E-mail (not sent, MAIL_SERVER unset) to %s: %s\n%s",
                                   message.to, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = config.get("MAIL_DEFAULT_SENDER", "citymatch@localhost")
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(email)
