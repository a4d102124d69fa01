"""Forget sign-up and sign-in bookkeeping once it has served its purpose (PIPA: keep no longer).

Pending sign-ups hold a name, e-mail, phone and (until used) a password hash: expired ones are
deleted, and used ones once the "already confirmed" answer no longer matters. Lockout counters
and "account exists" notices are deleted once their windows have passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_

from app.extensions import db
from app.models import AccountExistsNotice, LoginThrottle, PendingRegistration
from app.models.base import utcnow
from app.services.accounts import ACCOUNT_EXISTS_NOTICE_INTERVAL


@dataclass(frozen=True)
class PruneReport:
    """How many rows of each kind were deleted."""

    registrations: int
    throttles: int
    notices: int


def prune() -> PruneReport:
    """Delete finished sign-ups, spent lockout counters and old notices (flushes)."""
    now = utcnow()
    config = current_app.config
    used_kept = timedelta(seconds=config["REGISTRATION_LINK_MAX_AGE"])
    registrations = db.session.execute(delete(PendingRegistration).where(or_(
        PendingRegistration.expires_at < now,
        PendingRegistration.used_at < now - used_kept,
    ))).rowcount
    window = timedelta(seconds=config["LOGIN_LOCKOUT_WINDOW_SECONDS"])
    throttles = db.session.execute(delete(LoginThrottle).where(and_(
        LoginThrottle.window_start < now - window,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
    ))).rowcount
    notices = db.session.execute(delete(AccountExistsNotice).where(
        AccountExistsNotice.sent_at < now - ACCOUNT_EXISTS_NOTICE_INTERVAL)).rowcount
    db.session.flush()
    return PruneReport(registrations, throttles, notices)
