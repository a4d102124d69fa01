"""Audit entries in words: action and target names, and each changed field with readable values."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.formatting import format_business_number, format_date
from app.labels import AUDIT_FIELD_LABELS, AUDIT_TARGET_LABELS, LABELS, label
from app.models import (
    AccountStatus,
    AuditAction,
    AuditLog,
    BusinessStatus,
    Category,
    Company,
    ConsortiumStatus,
    MatchStatus,
    MembershipStatus,
    ModerationStatus,
    Municipality,
    OfficialStatus,
    PolicyArea,
    PolicyTagStatus,
    Role,
    SizeClass,
)
from app.templating import category_name, place_name

FIELD_ENUMS: dict[str, type[enum.Enum]] = {
    "membership_status": MembershipStatus,
    "official_status": OfficialStatus,
    "moderation_status": ModerationStatus,
    "account_status": AccountStatus,
    "business_status": BusinessStatus,
    "size_class": SizeClass,
    "role": Role,
    "policy_area": PolicyArea,
    "policy_tag_status": PolicyTagStatus,
}
# `status` means a different life cycle depending on what the entry is about.
STATUS_ENUMS: dict[str, type[enum.Enum]] = {
    "Match": MatchStatus,
    "ConsortiumProposal": ConsortiumStatus,
}
FOREIGN_KEYS: dict[str, tuple[type, Any]] = {
    "hq_region_id": (Municipality, place_name),
    "municipality_id": (Municipality, place_name),
    "category_id": (Category, category_name),
    "company_id": (Company, lambda company: company.name),
}
MOMENT_SUFFIXES = ("_at", "_until")


@dataclass(frozen=True)
class Change:
    """One field of an audit entry: its label and the readable values before and after."""

    field: str
    label: str
    before: str
    after: str
    changed: bool


def action_label(action: str) -> str:
    """The label of an audit action (the stored code if it is no longer an AuditAction)."""
    try:
        return label(AuditAction(action))
    except ValueError:
        return action


def target_label(target_type: str) -> str:
    """The label of an audit target type."""
    return str(AUDIT_TARGET_LABELS.get(target_type, target_type))


def field_label(field: str) -> str:
    """The label of a recorded field."""
    return str(AUDIT_FIELD_LABELS.get(field, field))


def action_choices() -> list[tuple[str, str]]:
    """(action, label) for every audit action, for the log's filter."""
    return [(action.value, str(text)) for action, text in LABELS[AuditAction].items()]


def target_choices() -> list[tuple[str, str]]:
    """(target type, label) for every target type present in the log."""
    types = db.session.scalars(select(AuditLog.target_type).distinct().order_by(AuditLog.target_type))
    return [(name, target_label(name)) for name in types]


def _enum_label(enum_cls: type[enum.Enum], value: Any) -> str:
    try:
        return label(enum_cls(value))
    except ValueError:
        return str(value)


def _referenced_name(field: str, value: Any) -> str:
    model, name_of = FOREIGN_KEYS[field]
    row = db.session.get(model, value) if isinstance(value, int) else None
    return name_of(row) if row is not None else f"#{value}"


def _moment(value: str) -> str:
    try:
        return format_date(datetime.fromisoformat(value))
    except ValueError:
        return value


def readable(field: str, value: Any, target_type: str = "") -> str:
    """A recorded value in words: labels for enums, names for references, 예/아니요, dates."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("예") if value else _("아니요")
    enum_cls = STATUS_ENUMS.get(target_type) if field == "status" else FIELD_ENUMS.get(field)
    if enum_cls is not None:
        return _enum_label(enum_cls, value)
    if field in FOREIGN_KEYS:
        return _referenced_name(field, value)
    if field == "business_number":
        return format_business_number(str(value))
    if isinstance(value, str) and field.endswith(MOMENT_SUFFIXES):
        return _moment(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, int) and not field.endswith("_id"):
        return f"{value:,}"
    return str(value)


def describe_changes(entry: AuditLog) -> list[Change]:
    """The before/after of an audit entry as readable rows, changed fields first."""
    before = entry.before or {}
    after = entry.after or {}
    fields = list(dict.fromkeys([*before.keys(), *after.keys()]))
    changes = [
        Change(field=name, label=field_label(name),
               before=readable(name, before.get(name), entry.target_type),
               after=readable(name, after.get(name), entry.target_type),
               changed=before.get(name) != after.get(name))
        for name in fields
    ]
    return sorted(changes, key=lambda change: not change.changed)
