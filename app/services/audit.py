"""Recording administrative actions in the audit log."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.labels import AUDIT_FIELD_LABELS
from app.models import AuditAction, AuditLog, User


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


def _require_labelled(*states: dict[str, Any] | None) -> None:
    # A field without a label would show as a raw code in the audit log: refuse it here.
    unlabelled = {name for state in states for name in (state or {})} - AUDIT_FIELD_LABELS.keys()
    if unlabelled:
        raise ValueError(f"audit fields without a label in app/labels.py: {sorted(unlabelled)}")


def record(
    actor: User | None,
    action: AuditAction | str,
    target: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    label: str | None = None,
) -> AuditLog:
    """Add an audit entry for `action` on `target` (flushed, not committed).

    Raises ValueError for an action that is not an AuditAction or a field without a label.
    """
    known_action = AuditAction(action)
    _require_labelled(before, after)
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=known_action.value,
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
