"""Small shared helpers of the workflow: time, links, and checks of the texts people send."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _

from app.models.base import utcnow
from app.services.contact_rules import contact_refusal
from app.services.errors import ServiceError

MESSAGE_MAX = 1000
REASON_MAX = 500


def _aware(moment: datetime | None) -> datetime | None:
    """Stored datetimes come back naive from SQLite; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _now(now: datetime | None = None) -> datetime:
    return _aware(now) if now is not None else utcnow()


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=int(current_app.config.get("MATCH_REQUEST_EXPIRY_DAYS", 14)))


def _link(endpoint: str, **values) -> str:
    """A site-relative link, also outside a request (CLI jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _refuse_contact_details(text: str, field: str) -> None:
    """Contact details are shared only after both sides agreed and an admin approved."""
    refusal = contact_refusal(text)
    if refusal:
        raise ServiceError(refusal, field=field)


def _check_message(message: str | None) -> str:
    message = _clean(message)
    if not message:
        raise ServiceError(_("상대방에게 보낼 메시지를 입력하세요."), field="message")
    if len(message) > MESSAGE_MAX:
        raise ServiceError(_("메시지는 %(n)d자 이하로 입력하세요.", n=MESSAGE_MAX), field="message")
    _refuse_contact_details(message, "message")
    return message


def _check_reason(reason: str | None, *, required: bool = False,
                  to_other_side: bool = False) -> str | None:
    """A reason; one shown to the other side before approval may not carry contact details."""
    reason = _clean(reason)
    if required and not reason:
        raise ServiceError(_("사유를 입력하세요."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("사유는 %(n)d자 이하로 입력하세요.", n=REASON_MAX), field="reason")
    if to_other_side:
        _refuse_contact_details(reason, "reason")
    return reason or None


def _is_overdue(expires_at: datetime, now: datetime | None = None) -> bool:
    return _aware(expires_at) <= _now(now)
