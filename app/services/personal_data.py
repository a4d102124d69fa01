"""Everything CityMatch holds about one user, as JSON-ready data (PIPA art. 35, access)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from app.extensions import db
from app.models import (
    AuditLog,
    ConsortiumMember,
    ConsortiumProposal,
    ConversationMessage,
    EmailPreference,
    JointMember,
    Meeting,
    Match,
    Need,
    NeedQuestion,
    Notification,
    OutgoingEmail,
    PrivacyConsent,
    Solution,
    User,
)
from app.models.base import utcnow

EXPORT_FORMAT = "citymatch-personal-data/1"


def _value(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in fields}


def _rows(statement, fields: list[str]) -> list[dict[str, Any]]:
    return [_row(obj, fields) for obj in db.session.scalars(statement)]


def _organisation(user: User) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if user.company is not None:
        result["company"] = _row(user.company, ["id", "name", "business_number",
                                                "membership_status"])
    if user.municipality is not None:
        result["municipality"] = _row(user.municipality, ["id", "full_name"])
    return result


def export(user: User) -> dict[str, Any]:
    """The user's profile, consents, membership, authored records, messages and audit events.

    Read only: building the export writes nothing (GET may serve it).
    """
    matches = select(Match).where(or_(Match.requested_by_id == user.id,
                                      Match.responded_by_id == user.id)).order_by(Match.id)
    proposals = (select(ConsortiumProposal)
                 .where(or_(ConsortiumProposal.proposed_by_id == user.id,
                            ConsortiumProposal.responded_by_id == user.id))
                 .order_by(ConsortiumProposal.id))
    answers = (select(ConsortiumMember).where(ConsortiumMember.responded_by_id == user.id)
               .order_by(ConsortiumMember.id))
    about_user = (AuditLog.target_type == "User") & (AuditLog.target_id == user.id)
    events_about = select(AuditLog).where(about_user).order_by(AuditLog.id)
    # Actions on other people's records: what and when only, not their labels or contents.
    events_by = (select(AuditLog).where(AuditLog.actor_id == user.id, ~about_user)
                 .order_by(AuditLog.id))
    company_solutions = (select(Solution).where(Solution.company_id == user.company_id)
                         .order_by(Solution.id)) if user.company_id else None
    return {
        "format": EXPORT_FORMAT,
        "generated_at": utcnow().isoformat(),
        "profile": _row(user, ["id", "email", "name", "department", "phone", "role",
                               "account_status", "official_status", "official_status_reason",
                               "locale", "created_at", "updated_at", "last_login_at"]),
        "privacy_consents": _rows(
            select(PrivacyConsent).where(PrivacyConsent.user_id == user.id)
            .order_by(PrivacyConsent.id), ["document_version", "accepted_at"]),
        "organisation": _organisation(user),
        "needs_authored": _rows(
            select(Need).where(Need.created_by_id == user.id).order_by(Need.id),
            ["id", "title", "description", "status", "municipality_id", "created_at"]),
        "company_solutions": _rows(company_solutions, ["id", "title", "summary", "status",
                                                       "created_at"])
        if company_solutions is not None else [],
        "interest_requests": _rows(matches, [
            "id", "need_id", "solution_id", "initiator_side", "requested_by_id", "message",
            "status", "created_at", "responded_by_id", "responded_at", "response_reason"]),
        "consortium_proposals": _rows(proposals, [
            "id", "need_id", "lead_company_id", "proposed_by_id", "message", "status",
            "created_at", "responded_by_id", "responded_at", "response_reason"]),
        "consortium_answers": _rows(answers, ["proposal_id", "company_id", "confirmation",
                                              "responded_at", "response_reason"]),
        "questions_asked": _rows(
            select(NeedQuestion).where(NeedQuestion.asked_by_id == user.id)
            .order_by(NeedQuestion.id),
            ["id", "need_id", "text", "created_at", "answer", "answered_at", "hidden"]),
        "questions_answered": _rows(
            select(NeedQuestion).where(NeedQuestion.answered_by_id == user.id)
            .order_by(NeedQuestion.id), ["id", "need_id", "answer", "answered_at"]),
        "joint_procurement": _rows(
            select(JointMember).where(or_(JointMember.invited_by_id == user.id,
                                          JointMember.responded_by_id == user.id))
            .order_by(JointMember.id),
            ["group_id", "need_id", "status", "invited_by_id", "created_at", "responded_by_id",
             "responded_at"]),
        "conversation_messages": _rows(
            select(ConversationMessage).where(ConversationMessage.author_id == user.id)
            .order_by(ConversationMessage.id), ["id", "thread_id", "author_side", "body",
                                                "created_at"]),
        "meetings_proposed": _rows(
            select(Meeting).where(Meeting.proposed_by_id == user.id).order_by(Meeting.id),
            ["id", "thread_id", "status", "note", "created_at"]),
        "notifications": _rows(
            select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id), ["kind", "title", "body", "link", "created_at",
                                         "read_at"]),
        "email_preferences": _rows(
            select(EmailPreference).where(EmailPreference.user_id == user.id)
            .order_by(EmailPreference.kind), ["kind", "enabled"]),
        "emails_to_you": _rows(
            select(OutgoingEmail).where(OutgoingEmail.to_address == user.email)
            .order_by(OutgoingEmail.id), ["subject", "status", "created_at", "sent_at"]),
        "audit_events_about_you": _rows(events_about, [
            "action", "actor_id", "target_label", "before", "after", "reason", "created_at"]),
        "audit_events_by_you": _rows(events_by, ["action", "target_type", "target_id",
                                                 "created_at"]),
    }
