"""The transactional outbox of e-mail: written with the change that causes it, sent after commit."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class EmailStatus(str, enum.Enum):
    """Delivery state of one outgoing e-mail."""

    PENDING = "pending"  # committed, not yet handed to the transport
    SENDING = "sending"  # claimed by one deliverer (never sent twice, even if it dies here)
    SENT = "sent"
    FAILED = "failed"  # the transport refused it; retried when due, up to a limit


class OutgoingEmail(Base):
    """One plain-text message waiting for, or done with, delivery."""

    __tablename__ = "outgoing_email"
    __table_args__ = (Index("ix_outgoing_email_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus, "email_status"), nullable=False, default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    claimed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
