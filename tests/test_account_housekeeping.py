"""The hourly task forgets finished sign-ups, spent lockout counters and old notices."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import tasks
from app.models import AccountExistsNotice, LoginThrottle, PendingRegistration
from app.models.base import utcnow


def _pending(email: str, *, expires_in: timedelta, used_ago: timedelta | None = None):
    now = utcnow()
    return PendingRegistration(
        nonce="n" * 32, email=email, name="김신규", role="company", password_hash="scrypt:x",
        expires_at=now + expires_in, used_at=None if used_ago is None else now - used_ago)


def test_prune_task_deletes_only_what_has_served_its_purpose(app, db):
    now = utcnow()
    day = timedelta(days=1)
    db.session.add_all([
        _pending("open@example.kr", expires_in=timedelta(hours=2)),
        _pending("expired@example.kr", expires_in=-timedelta(minutes=1)),
        _pending("just-used@example.kr", expires_in=timedelta(hours=20),
                 used_ago=timedelta(hours=1)),
        _pending("used-long-ago@example.kr", expires_in=timedelta(hours=1),
                 used_ago=day + timedelta(hours=1)),
        LoginThrottle(email="counting@example.kr", failed_count=3, window_start=now),
        LoginThrottle(email="locked@example.kr", failed_count=0,
                      window_start=now - day, locked_until=now + timedelta(minutes=5)),
        LoginThrottle(email="spent@example.kr", failed_count=4, window_start=now - day),
        AccountExistsNotice(email="recent@example.kr", sent_at=now - timedelta(minutes=10)),
        AccountExistsNotice(email="old@example.kr", sent_at=now - timedelta(hours=2)),
    ])
    db.session.commit()

    tasks.prune_account_records()

    db.session.expire_all()
    assert sorted(db.session.scalars(select(PendingRegistration.email))) == [
        "just-used@example.kr", "open@example.kr"]
    assert sorted(db.session.scalars(select(LoginThrottle.email))) == [
        "counting@example.kr", "locked@example.kr"]
    assert list(db.session.scalars(select(AccountExistsNotice.email))) == ["recent@example.kr"]
