"""The double opt-in match workflow and consortium proposals: one state machine, in one package.

Every function takes the acting user first, checks object-level authorisation, changes state
through the transition tables (states.py), notifies the people concerned, flushes and never
commits. This module re-exports every name the single module `workflow.py` offered, so
`from app.services.workflow import side_of` and `workflow.express_interest(...)` keep working.
"""
from __future__ import annotations

from app.models import (  # reachable as workflow.Match etc. before the split
    AccountStatus,
    Company,
    ConfirmationStatus,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Municipality,
    Need,
    NeedStatus,
    Role,
    Side,
    SizeClass,
    Solution,
    User,
)
from app.services.errors import PermissionDenied, ServiceError
from app.services.workflow.states import (
    ACTIVE_CONSORTIUM_STATUSES,
    CONSORTIUM_TRANSITIONS,
    MATCH_TRANSITIONS,
    OPEN_CONSORTIUM_STATUSES,
    can_transition,
    is_overdue,
    shown_status,
    status_label,
    table_of,
)
from app.services.workflow.permissions import (
    CONSORTIUM_ACTIONS,
    MATCH_ACTIONS,
    allowed_actions,
    can_view_consortium,
    is_member_of,
    is_official_of,
    is_party_to,
    partner_membership,
    require_party,
    responding_side,
    side_of,
)
from app.services.workflow.matches import (
    accept,
    decline,
    existing_match,
    express_interest,
    withdraw,
)
from app.services.workflow.review import approve, reject
from app.services.workflow.consortia import (
    LEAD_SIZES,
    MAX_PARTNERS,
    PARTNER_SIZES,
    SHARE_TOLERANCE,
    answer_consortium,
    cap_shares,
    propose_consortium,
    respond_to_consortium,
    suggested_shares,
    withdraw_consortium,
)
from app.services.workflow.expiry import ExpiryCounts, expire_overdue, send_reminders
from app.services.workflow.contacts import (
    Contact,
    ContactDetails,
    company_members,
    consortium_contact_details,
    contact_details,
    municipality_officials,
)
from app.services.workflow.stats import ResponseStats, response_stats
from app.services.workflow.timeline import TimelineEntry, match_timeline, request_state
from app.services.workflow.queries import (
    consortium_invitations,
    incoming_requests,
    interest_needs,
    interest_solutions,
    organisation_consortia,
    organisation_matches,
    organisation_requests,
    outgoing_requests,
    partner_candidates,
    review_queue,
    submitted_consortia,
)
from app.services.workflow.common import MESSAGE_MAX, REASON_MAX

# Private helpers, still reachable here as before the split (tests replace `_notify_admins`)
from app.services.workflow.states import _lock, _require_allowed, _transition
from app.services.workflow.permissions import _is_active, _require_admin, _require_responder
from app.services.workflow.matches import _refuse_if_expired
from app.services.workflow.review import _review, _review_consortium
from app.services.workflow.consortia import _check_shares
from app.services.workflow.expiry import _claim, _due_for_reminder, _overdue_rows
from app.services.workflow.contacts import _people, _user
from app.services.workflow.queries import _match_options, _my_side, _org_clause, _shown_as
from app.services.workflow.common import (
    _aware,
    _check_message,
    _check_reason,
    _clean,
    _expiry,
    _is_overdue,
    _link,
    _now,
    _refuse_contact_details,
)
from app.services.workflow.notify import (
    _notifications,
    _notify_admins,
    _notify_consortium_companies,
    _notify_side,
    _pair_names,
)

__all__ = [
    "ACTIVE_CONSORTIUM_STATUSES",
    "CONSORTIUM_TRANSITIONS",
    "MATCH_TRANSITIONS",
    "OPEN_CONSORTIUM_STATUSES",
    "can_transition",
    "is_overdue",
    "shown_status",
    "status_label",
    "table_of",
    "CONSORTIUM_ACTIONS",
    "MATCH_ACTIONS",
    "allowed_actions",
    "can_view_consortium",
    "is_member_of",
    "is_official_of",
    "is_party_to",
    "partner_membership",
    "require_party",
    "responding_side",
    "side_of",
    "accept",
    "decline",
    "existing_match",
    "express_interest",
    "withdraw",
    "approve",
    "reject",
    "LEAD_SIZES",
    "MAX_PARTNERS",
    "PARTNER_SIZES",
    "SHARE_TOLERANCE",
    "answer_consortium",
    "cap_shares",
    "propose_consortium",
    "respond_to_consortium",
    "suggested_shares",
    "withdraw_consortium",
    "ExpiryCounts",
    "expire_overdue",
    "send_reminders",
    "Contact",
    "ContactDetails",
    "company_members",
    "consortium_contact_details",
    "contact_details",
    "municipality_officials",
    "ResponseStats",
    "response_stats",
    "TimelineEntry",
    "match_timeline",
    "request_state",
    "consortium_invitations",
    "incoming_requests",
    "interest_needs",
    "interest_solutions",
    "organisation_consortia",
    "organisation_matches",
    "organisation_requests",
    "outgoing_requests",
    "partner_candidates",
    "review_queue",
    "submitted_consortia",
    "MESSAGE_MAX",
    "REASON_MAX",
]
