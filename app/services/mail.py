"""Outgoing e-mail: SMTP when MAIL_SERVER is configured, the log otherwise, a list in tests."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app


@dataclass(frozen=True)
class OutgoingMail:
    """One message as handed to the transport."""

    to: str
    subject: str
    body: str


def outbox() -> list[OutgoingMail]:
    """Messages captured while MAIL_CAPTURE is set (tests)."""
    return current_app.extensions.setdefault("citymatch_outbox", [])


def send_mail(to: str, subject: str, body: str) -> None:
    """Send (or capture, or log) one plain-text message."""
    message = OutgoingMail(to=to, subject=subject, body=body)
    config = current_app.config
    if config.get("MAIL_CAPTURE"):
        outbox().append(message)
        return
    if not config.get("MAIL_SERVER"):
        current_app.logger.warning("E-mail (not sent, MAIL_SERVER unset) to %s: %s\n%s",
                                   to, subject, body)
        return
    email = EmailMessage()
    email["From"] = config.get("MAIL_DEFAULT_SENDER", "citymatch@localhost")
    email["To"] = to
    email["Subject"] = subject
    email.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(email)
