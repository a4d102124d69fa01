"""Server-side state of account security: pending sign-ups, "account exists" notices, lockouts."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class PendingRegistration(Base):
    """A sign-up waiting for its e-mailed link; the link carries only this row's id and nonce."""

    __tablename__ = "pending_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    phone: Mapped[Optional[str]] = mapped_column(String(30))
    department: Mapped[Optional[str]] = mapped_column(String(100))
    municipality_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"))
    invitation_token: Mapped[Optional[str]] = mapped_column(String(100))
    # The version of the privacy consent notice accepted with the sign-up form.
    consent_version: Mapped[Optional[str]] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class AccountExistsNotice(Base):
    """When a registered address was last told that someone tried to sign up with it."""

    __tablename__ = "account_exists_notice"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class LoginThrottle(Base):
    """Failed sign-ins per submitted address (known or not, so a lockout reveals nothing)."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failed_count: Mapped[int] = mapped_column(nullable=False, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
