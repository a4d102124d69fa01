"""Recording administrative actions in the audit log."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import AuditLog, User


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """A JSON-friendly dict of selected attributes (enums as their values)."""
    result: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "value"):
            value = value.value
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        result[name] = value
    return result


def record(
    actor: User | None,
    action: str,
    target: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    label: str | None = None,
) -> AuditLog:
    """Add an audit entry for `action` on `target` (flushed, not committed)."""
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__,
        target_id=getattr(target, "id", None),
        target_label=(label or str(getattr(target, "name", None) or getattr(target, "title", None)
                               or getattr(target, "email", "")))[:200],
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
