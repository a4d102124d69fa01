"""Audit log of administrative actions."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class AuditAction(str, enum.Enum):
    """What an audit entry records; the values are the strings stored in `audit_log.action`."""

    COMPANY_CREATE = "company.create"
    COMPANY_UPDATE = "company.update"
    COMPANY_APPLY_MEMBERSHIP = "company.apply_membership"
    COMPANY_IMPORT = "company.import"
    COMPANY_APPROVE = "company.approve"
    COMPANY_REJECT = "company.reject"
    COMPANY_SUSPEND = "company.suspend"
    COMPANY_REINSTATE = "company.reinstate"
    COMPANY_BUSINESS_STATUS = "company.business_status"
    OFFICIAL_VERIFY = "official.verify"
    OFFICIAL_REJECT = "official.reject"
    OFFICIAL_SUSPEND = "official.suspend"
    OFFICIAL_REINSTATE = "official.reinstate"
    OFFICIAL_EVIDENCE_ADDED = "official.evidence_added"
    MUNICIPALITY_EMAIL_DOMAINS = "municipality.email_domains"
    SOLUTION_SUSPEND = "solution.suspend"
    SOLUTION_REINSTATE = "solution.reinstate"
    NEED_SUSPEND = "need.suspend"
    NEED_REINSTATE = "need.reinstate"
    POLICY_TAG_CONFIRM = "policy_tag.confirm"
    POLICY_TAG_REJECT = "policy_tag.reject"
    MATCH_APPROVE = "match.approve"
    MATCH_REJECT = "match.reject"
    CONSORTIUM_APPROVE = "consortium.approve"
    CONSORTIUM_REJECT = "consortium.reject"
    USER_SUSPEND = "user.suspend"
    USER_REACTIVATE = "user.reactivate"
    USER_CREATE_ADMIN = "user.create_admin"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOCKED = "user.locked"
    USER_PASSWORD_RESET = "user.password_reset"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_SESSIONS_REVOKED = "user.sessions_revoked"
    USER_LOGOUT = "user.logout"
    USER_DELETED = "user.deleted"


class AuditLog(Base):
    """Who did what to which object, when, with the state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    target_type: Mapped[str] = mapped_column(String(40), nullable=False)
    target_id: Mapped[Optional[int]] = mapped_column()
    target_label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False, index=True
    )

    actor: Mapped[Optional["User"]] = relationship()
