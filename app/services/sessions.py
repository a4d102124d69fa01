"""Server-side session control: revocation and idle/absolute lifetimes."""
from __future__ import annotations

import time

from app.extensions import db
from app.ids import parse_whole
from app.models import User
from app.services.audit import record

# Session keys (signed cookie): when the user signed in and when they were last seen.
SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"


def now() -> float:
    """Seconds since the epoch; tests replace it with a controllable clock."""
    return time.time()


def revoke_all_sessions(user: User, actor: User | None = None,
                        action: str = "user.sessions_revoked") -> None:
    """End every existing session of `user` on every device (flushes; the caller commits)."""
    user.rotate_session_token()
    db.session.flush()
    record(actor or user, action, user, label=f"{user.name} <{user.email}>")


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while the session's token is still theirs."""
    number, _, token = user_id.partition(":")
    user_number = parse_whole(number, minimum=1)
    if user_number is None or not token:
        return None
    user = db.session.get(User, user_number)
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def start(session: dict) -> None:
    """Stamp a new sign-in on the session."""
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now()


def is_expired(session: dict, idle_minutes: float, max_hours: float) -> bool:
    """True when the session sat idle too long or is older than its absolute lifetime."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if not isinstance(signed_in_at, (int, float)) or not isinstance(last_seen_at, (int, float)):
        return True
    moment = now()
    return moment - last_seen_at > idle_minutes * 60 or moment - signed_in_at > max_hours * 3600


def touch(session: dict) -> None:
    """Record activity (the idle timer starts again)."""
    session[LAST_SEEN_AT] = now()
