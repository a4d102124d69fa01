"""Who may do what: the classification of every route for the authorization walk.

`ROUTES` maps "METHOD /rule" (as in `app.url_map`) to a policy: a function of the actor and the
target object (the route's URL argument, or None) giving the expected answer. To classify a new
route, add one line to `ROUTES` with an existing policy (or a new small one above it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from app.models import Role


@dataclass(frozen=True)
class Actor:
    """One kind of visitor: role, organisation key ("X", "A", …) and whether it is vetted."""

    key: str
    role: Role | None  # None: not signed in (a suspended user's session is dead too)
    org: str | None
    verified: bool  # a verified official, or staff of an approved company


@dataclass
class Target:
    """A world object a URL argument points to, with the facts the policies need."""

    kind: str  # need, solution, match, … (the world's table of targets)
    name: str
    value: Any
    org: str | None = None  # the owning organisation
    public: bool = False  # shown to every visitor
    author: str | None = None  # actor key of a need's author
    owner: str | None = None  # actor key of a notification's or account's owner
    parties: frozenset = frozenset()  # organisations of a match or consortium
    state: str | None = None
    initiator: str | None = None  # actor key that started a match
    lead: str | None = None  # lead company of a consortium
    missing: bool = False  # an id or key that does not exist


@dataclass(frozen=True)
class Expect:
    """The expected answer: one of `statuses`; `allowed` POSTs are not sent (feature tests do)."""

    statuses: tuple[int, ...]
    to_login: bool = False
    allowed: bool = False

    def __str__(self) -> str:
        return "login redirect" if self.to_login else "/".join(map(str, self.statuses))


OK = Expect((200,), allowed=True)
REDIRECT = Expect((302,), allowed=True)  # e.g. the sign-in page for someone signed in
LOGIN = Expect((302,), to_login=True)
FORBIDDEN = Expect((403,))
NOT_FOUND = Expect((404,))
# The rule of finding 2 for unverified officials and staff of unapproved companies: only what a
# visitor sees (the body check proves it), so refused or shown without private data.
HIDDEN = Expect((403, 404))  # refused, whether or not the object's existence is revealed
VISITOR_VIEW = Expect((200, 403, 404))
VISITOR_REFUSED = Expect((400, 403, 404))  # 400: the form offers them nothing to choose

Policy = Callable[[Actor, "Target | None"], Expect]


def _is(actor: Actor, role: Role) -> bool:
    return actor.role == role


def _unvetted(actor: Actor) -> bool:
    return actor.role in (Role.COMPANY, Role.MUNICIPALITY) and not actor.verified


def signed_in(policy: Policy) -> Policy:
    """Anonymous visitors (and dead sessions) go to the sign-in page first."""
    def wrapped(actor: Actor, target: Target | None) -> Expect:
        return LOGIN if actor.role is None else policy(actor, target)
    wrapped.__name__ = policy.__name__
    wrapped.__doc__ = policy.__doc__
    return wrapped


# --- public pages --------------------------------------------------------------------------

def public(actor, target):
    """Everyone, signed in or not."""
    return OK


def public_form_post(actor, target):
    """A public form (sign-in, sign-up, locale, e-mail links): anyone may submit it."""
    return OK


def guests_only(actor, target):
    """The sign-in and sign-up pages; someone signed in is sent home."""
    return OK if actor.role is None else REDIRECT


def invalid_link(actor, target):
    """A reset link that is not valid: everyone is sent to ask for a new one."""
    return REDIRECT


def health(actor, target):
    """Readiness: 200, or 503 while the schema is not at the migration head (as here)."""
    return Expect((200, 503), allowed=True)


def public_listing(actor, target):
    """A need, solution or company page: public ones for everyone, others as `private_listing`."""
    if target.public:
        return OK
    if actor.role == Role.ADMIN:
        return OK
    if target.author is not None:  # a need
        if actor.key == target.author:
            return OK  # their own draft
        if _is(actor, Role.MUNICIPALITY) and actor.verified and actor.org == target.org:
            return OK
        return NOT_FOUND
    if _is(actor, Role.COMPANY) and actor.org == target.org:
        return OK  # own company's unpublished solution or profile
    return NOT_FOUND


def api_public(actor, target):
    """The public API: public objects for everyone, whoever is signed in; any other id is a 404
    (the API never shows a draft or private record, not even to its owner or an admin)."""
    if target is None or target.public:
        return OK
    return NOT_FOUND


# --- any signed-in user ---------------------------------------------------------------------

@signed_in
def own_account(actor, target):
    """The signed-in user's own pages (account, password, notifications, preferences)."""
    return OK


@signed_in
def own_notification(actor, target):
    """A notification: its owner only."""
    return OK if actor.key == target.owner else FORBIDDEN


@signed_in
def own_saved_search(actor, target):
    """A saved search: its owner only; a missing one is 404."""
    if target.missing:
        return NOT_FOUND
    return OK if actor.key == target.owner else FORBIDDEN


@signed_in
def follows_listings(actor, target):
    """Saving a search: company staff follow needs, officials solutions; admins nothing."""
    return FORBIDDEN if actor.role == Role.ADMIN else OK


#: Bookmarking a listing: whoever may see it, signed in.
bookmark_listing = signed_in(public_listing)


# --- administrators -------------------------------------------------------------------------

@signed_in
def admin_only(actor, target):
    """The admin console; a missing object is 404 for the admin."""
    if actor.role != Role.ADMIN:
        return FORBIDDEN
    return NOT_FOUND if target is not None and target.missing else OK


@signed_in
def admin_official(actor, target):
    """An official's verification page: admins, and only for officials."""
    if actor.role != Role.ADMIN:
        return FORBIDDEN
    return OK if target.org in ("A", "B") else NOT_FOUND


# --- company staff --------------------------------------------------------------------------

@signed_in
def company_staff(actor, target):
    """Company staff's own pages (their company, its solutions, new solution)."""
    return OK if _is(actor, Role.COMPANY) else FORBIDDEN


@signed_in
def company_staff_with_company(actor, target):
    """Registering a company: staff who already have one are sent to it."""
    return REDIRECT if _is(actor, Role.COMPANY) else FORBIDDEN


@signed_in
def own_company_object(actor, target):
    """One of the company's solutions, references or invitations: its own staff only."""
    if not _is(actor, Role.COMPANY):
        return FORBIDDEN
    return OK if actor.org == target.org else FORBIDDEN


@signed_in
def join_company(actor, target):
    """An invitation link: staff without a company; everyone in the world already has one."""
    if not _is(actor, Role.COMPANY):
        return FORBIDDEN
    return NOT_FOUND if target.org is None else FORBIDDEN


def overseas_join(actor, target):
    """An overseas invitation link (/overseas/join): none of the world's tokens is one, so
    everyone is told the link is not valid."""
    return NOT_FOUND


# --- officials -------------------------------------------------------------------------------

@signed_in
def any_official(actor, target):
    """Pages for every official, verified or not: the needs list (an unverified one sees only
    their own drafts there), the new-need form and its live suggestions (published solutions
    only)."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    return OK


@signed_in
def municipality_need(actor, target):
    """One need's management page: its municipality's verified officials; the author's own."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    if actor.org != target.org:
        return FORBIDDEN
    if actor.verified or actor.key == target.author:
        return OK
    return VISITOR_VIEW


@signed_in
def manage_need(actor, target):
    """Editing a need: verified officials of its municipality, and the author of a draft."""
    if not _is(actor, Role.MUNICIPALITY) or actor.org != target.org:
        return FORBIDDEN
    if actor.verified or actor.key == target.author:
        return OK
    return HIDDEN


# --- matches and consortia ------------------------------------------------------------------

@signed_in
def match_lists(actor, target):
    """Inbox, outbox and history of the organisation; admins have the review queue instead."""
    if actor.role == Role.ADMIN:
        return FORBIDDEN
    return VISITOR_VIEW if _unvetted(actor) else OK


@signed_in
def match_inbox(actor, target):
    """The inbox; admins are sent to the review queue."""
    if actor.role == Role.ADMIN:
        return REDIRECT
    return VISITOR_VIEW if _unvetted(actor) else OK


@signed_in
def match_detail(actor, target):
    """A match: both sides' vetted members and admins."""
    if actor.role == Role.ADMIN:
        return OK
    if _unvetted(actor):
        return VISITOR_VIEW
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def match_answer(actor, target):
    """Accept or decline: the two sides of the match (the workflow decides whose turn it is)."""
    if actor.role == Role.ADMIN:
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_REFUSED
    # either side may try; the wrong side or a finished match is refused by the workflow with a
    # message, which the workflow tests cover
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def match_sandbox(actor, target):
    """Flag a match as needing a regulatory exemption, record its progress: either side (vetted)
    or an admin (the service refuses a match that is not mutual/approved, with a message)."""
    if actor.role == Role.ADMIN:
        return OK
    if _unvetted(actor):
        return VISITOR_REFUSED
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def match_withdraw(actor, target):
    """Withdraw: the side that asked, while pending."""
    if actor.role == Role.ADMIN:
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_REFUSED
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def admin_review(actor, target):
    """Approve or reject a match or consortium: admins."""
    return OK if actor.role == Role.ADMIN else FORBIDDEN


@signed_in
def consortium_detail(actor, target):
    """A consortium: its member companies, the municipality once submitted, admins."""
    if actor.role == Role.ADMIN:
        return OK
    if _unvetted(actor):
        return VISITOR_VIEW
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def consortium_partner(actor, target):
    """Confirm or decline as a partner: the partner company's staff."""
    if not _is(actor, Role.COMPANY):
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_REFUSED
    if actor.org in target.parties and actor.org != target.lead:
        return OK
    return FORBIDDEN


@signed_in
def consortium_municipality(actor, target):
    """Accept or decline a submitted consortium: the municipality's verified officials."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_REFUSED
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def consortium_lead(actor, target):
    """Withdraw a consortium: the lead company's staff."""
    if not _is(actor, Role.COMPANY):
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_REFUSED
    return OK if actor.org == target.lead else FORBIDDEN


@signed_in
def interest_form(actor, target):
    """Express interest: officials pick one of their needs for a solution they may see, company
    staff one of their solutions for a need they may see (`?solution_id=` / `?need_id=`)."""
    if actor.role == Role.ADMIN:
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_VIEW
    wanted = "solution" if _is(actor, Role.MUNICIPALITY) else "need"
    if target is None or target.kind != wanted:
        return NOT_FOUND
    return OK if public_listing(actor, target) == OK else NOT_FOUND


@signed_in
def consortium_form(actor, target):
    """Propose a consortium for a need (`?need_id=`): company staff who may see the need."""
    if not _is(actor, Role.COMPANY):
        return FORBIDDEN
    if _unvetted(actor):
        return VISITOR_VIEW
    if target is None:
        return NOT_FOUND
    return OK if public_listing(actor, target) == OK else NOT_FOUND


# --- joint procurement and Q&A on needs -------------------------------------------------------

@signed_in
def verified_official(actor, target):
    """Pages for officials acting for their municipality (the joint procurement groups)."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    return OK if actor.verified else VISITOR_VIEW


@signed_in
def joint_group(actor, target):
    """A joint procurement group: admins, and verified officials of its municipalities."""
    if actor.role == Role.ADMIN:
        return OK
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    if not actor.verified:
        return VISITOR_VIEW
    return OK if actor.org in target.parties else FORBIDDEN


@signed_in
def joint_invite(actor, target):
    """Invite into a need's group: verified officials of the need's municipality."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    if not actor.verified:
        return VISITOR_REFUSED
    return OK if actor.org == target.org else FORBIDDEN


@signed_in
def joint_answer(actor, target):
    """Accept or decline an invitation: verified officials of the invited municipality."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    if not actor.verified:
        return VISITOR_REFUSED
    if target.state == "lead":  # the lead's own need is no invitation
        return FORBIDDEN
    return OK if actor.org == target.org else FORBIDDEN


@signed_in
def ask_question(actor, target):
    """Ask on a need: staff of approved companies, on a need they may see."""
    if not _is(actor, Role.COMPANY):
        return FORBIDDEN
    if not actor.verified:
        return VISITOR_REFUSED
    return OK if target.public else NOT_FOUND


@signed_in
def answer_question(actor, target):
    """Answer a question: verified officials of the need's municipality."""
    if not _is(actor, Role.MUNICIPALITY):
        return FORBIDDEN
    if not actor.verified:
        return VISITOR_REFUSED
    return OK if actor.org == target.org else FORBIDDEN
# --- conversations and meetings after approval ---------------------------------------------

CLOSED = Expect((302,))  # a participant before approval: sent back to the match with a message


@signed_in
def conversation(actor, target):
    """A match's or consortium's conversation: the vetted staff and officials of its
    organisations (admins too are outside it); before approval they are sent back to it."""
    if actor.role == Role.ADMIN or _unvetted(actor) or actor.org not in target.parties:
        return FORBIDDEN
    return OK if target.state == "approved" else CLOSED


@signed_in
def conversation_item(actor, target):
    """An attachment, a meeting's invitation or answer: the conversation's participants."""
    if actor.role == Role.ADMIN or _unvetted(actor) or actor.org not in target.parties:
        return FORBIDDEN
    return OK


# --- the classification ------------------------------------------------------------------------

ROUTES: dict[str, Policy] = {
    "GET /": public,
    "GET /account/": own_account,
    "GET /account/consent": own_account,
    "POST /account/consent": own_account,
    "GET /account/data.json": own_account,
    "GET /account/delete": own_account,
    "POST /account/delete": own_account,
    "POST /account/sign-out-everywhere": own_account,
    "GET /admin/": admin_only,
    "GET /admin/audit": admin_only,
    "GET /admin/companies": admin_only,
    "GET /admin/companies/<int:company_id>": admin_only,
    "POST /admin/companies/<int:company_id>/business-status": admin_only,
    "POST /admin/companies/<int:company_id>/decision": admin_only,
    "GET /admin/dashboard/": admin_only,
    "GET /admin/dashboard/export/<key>.csv": admin_only,
    "GET /admin/dashboard/data/<kind>.csv": admin_only,
    "GET /admin/dashboard/import": admin_only,
    "POST /admin/dashboard/import": admin_only,
    "GET /admin/dashboard/import/template.csv": admin_only,
    "GET /admin/dashboard/jobs/<job_id>": admin_only,
    "GET /admin/dashboard/jobs/<job_id>/status.json": admin_only,
    "POST /admin/dashboard/rematch": admin_only,
    "GET /admin/needs": admin_only,
    "GET /admin/needs/<int:need_id>": admin_only,
    "POST /admin/needs/<int:need_id>/moderation": admin_only,
    "GET /admin/officials": admin_only,
    "GET /admin/officials/<int:user_id>": admin_official,
    "GET /admin/officials/<int:user_id>/documents/<int:evidence_id>": admin_official,
    "POST /admin/officials/<int:user_id>/domains": admin_official,
    "POST /admin/officials/<int:user_id>/decision": admin_official,
    "GET /admin/solutions": admin_only,
    "GET /admin/solutions/<int:solution_id>": admin_only,
    "POST /admin/solutions/<int:solution_id>/moderation": admin_only,
    "GET /admin/sandbox": admin_only,
    "GET /admin/sandbox/export.csv": admin_only,
    "GET /admin/joint/clusters": admin_only,
    "GET /admin/policy-tags/": admin_only,
    "POST /admin/policy-tags/needs/<int:need_id>": admin_only,
    "POST /admin/policy-tags/solutions/<int:solution_id>": admin_only,
    "GET /admin/dashboard/policy-share.csv": admin_only,
    "GET /admin/joint/groups": admin_only,
    "GET /admin/overseas/": admin_only,
    "POST /admin/overseas/": admin_only,
    "POST /admin/overseas/invitations": admin_only,
    "GET /overseas/join/<token>": overseas_join,
    "POST /overseas/join/<token>": overseas_join,
    "GET /admin/users": admin_only,
    "GET /admin/users/<int:user_id>": admin_only,
    "POST /admin/users/<int:user_id>/account": admin_only,
    "GET /api/v1/": api_public,
    "GET /api/v1/bulk/companies.csv": api_public,
    "GET /api/v1/bulk/companies.json": api_public,
    "GET /api/v1/bulk/municipalities.csv": api_public,
    "GET /api/v1/bulk/municipalities.json": api_public,
    "GET /api/v1/bulk/needs.csv": api_public,
    "GET /api/v1/bulk/needs.json": api_public,
    "GET /api/v1/bulk/solutions.csv": api_public,
    "GET /api/v1/bulk/solutions.json": api_public,
    "GET /api/v1/companies": api_public,
    "GET /api/v1/companies/<int:company_id>": api_public,
    "GET /api/v1/docs": api_public,
    "GET /api/v1/municipalities": api_public,
    "GET /api/v1/municipalities/<int:municipality_id>": api_public,
    "GET /api/v1/needs": api_public,
    "GET /api/v1/needs/<int:need_id>": api_public,
    "GET /api/v1/openapi.json": api_public,
    "GET /api/v1/solutions": api_public,
    "GET /api/v1/solutions/<int:solution_id>": api_public,
    "GET /api/v1/statistics": api_public,
    "GET /auth/confirm/<token>": public,
    "POST /auth/confirm/<token>": public_form_post,
    "GET /auth/confirm/resend": public,
    "POST /auth/confirm/resend": public_form_post,
    "GET /auth/login": guests_only,
    "POST /auth/login": public_form_post,
    "POST /auth/logout": own_account,
    "GET /auth/password": own_account,
    "POST /auth/password": own_account,
    "GET /auth/register": guests_only,
    "POST /auth/register": public_form_post,
    "GET /auth/reset": public,
    "POST /auth/reset": public_form_post,
    "GET /auth/reset/<token>": invalid_link,
    "POST /auth/reset/<token>": public_form_post,
    "GET /alerts/": own_account,
    "POST /alerts/bookmarks/companies/<int:company_id>": bookmark_listing,
    "POST /alerts/bookmarks/needs/<int:need_id>": bookmark_listing,
    "POST /alerts/bookmarks/solutions/<int:solution_id>": bookmark_listing,
    "POST /alerts/digest": own_account,
    "POST /alerts/searches": follows_listings,
    "POST /alerts/searches/<int:search_id>/delete": own_saved_search,
    "GET /companies": public,
    "GET /conversations/attachments/<int:attachment_id>": conversation_item,
    "GET /conversations/consortia/<int:proposal_id>": conversation,
    "POST /conversations/consortia/<int:proposal_id>/meetings": conversation,
    "POST /conversations/consortia/<int:proposal_id>/messages": conversation,
    "POST /conversations/consortia/<int:proposal_id>/read": conversation,
    "GET /conversations/matches/<int:match_id>": conversation,
    "POST /conversations/matches/<int:match_id>/meetings": conversation,
    "POST /conversations/matches/<int:match_id>/messages": conversation,
    "POST /conversations/matches/<int:match_id>/read": conversation,
    "POST /conversations/meetings/<int:meeting_id>/accept": conversation_item,
    "POST /conversations/meetings/<int:meeting_id>/decline": conversation_item,
    "GET /conversations/meetings/<int:meeting_id>/invite.ics": conversation_item,
    "GET /companies/<int:company_id>": public_listing,
    "GET /healthz": public,
    "POST /locale": public_form_post,
    "GET /joint/": verified_official,
    "GET /joint/<int:group_id>": joint_group,
    "POST /joint/invitations/<int:member_id>/accept": joint_answer,
    "POST /joint/invitations/<int:member_id>/decline": joint_answer,
    "POST /joint/needs/<int:need_id>/invite": joint_invite,
    "GET /matches/": match_inbox,
    "GET /matches/<int:match_id>": match_detail,
    "POST /matches/<int:match_id>/accept": match_answer,
    "POST /matches/<int:match_id>/approve": admin_review,
    "POST /matches/<int:match_id>/decline": match_answer,
    "POST /matches/<int:match_id>/reject": admin_review,
    "POST /matches/<int:match_id>/withdraw": match_withdraw,
    "GET /matches/consortia/<int:proposal_id>": consortium_detail,
    "POST /matches/consortia/<int:proposal_id>/accept": consortium_municipality,
    "POST /matches/consortia/<int:proposal_id>/approve": admin_review,
    "POST /matches/consortia/<int:proposal_id>/confirm": consortium_partner,
    "POST /matches/consortia/<int:proposal_id>/decline": consortium_municipality,
    "POST /matches/consortia/<int:proposal_id>/partner-decline": consortium_partner,
    "POST /matches/consortia/<int:proposal_id>/reject": admin_review,
    "POST /matches/consortia/<int:proposal_id>/withdraw": consortium_lead,
    "GET /matches/consortia/new": consortium_form,
    "POST /matches/consortia/new": consortium_form,
    "GET /matches/history": match_lists,
    "GET /matches/<int:match_id>/outcome": match_detail,
    "POST /matches/<int:match_id>/outcome/confirm": match_answer,
    "POST /matches/<int:match_id>/outcome/propose": match_answer,
    "POST /matches/<int:match_id>/outcome/reject": match_answer,
    "POST /matches/<int:match_id>/sandbox": match_sandbox,
    "POST /matches/<int:match_id>/sandbox/progress": match_sandbox,
    "POST /matches/<int:match_id>/rating": match_answer,
    "POST /matches/<int:match_id>/rating/reply": match_answer,
    "GET /matches/outcomes": admin_only,
    "GET /matches/new": interest_form,
    "POST /matches/new": interest_form,
    "GET /matches/outbox": match_lists,
    "GET /matches/review": admin_only,
    "GET /municipalities": public,
    "GET /municipalities/<int:municipality_id>": public,
    "GET /my/company/": company_staff,
    "POST /my/company/apply": company_staff,
    "GET /my/company/edit": company_staff,
    "POST /my/company/edit": company_staff,
    "POST /my/company/invitations": company_staff,
    "POST /my/company/invitations/<int:invitation_id>/resend": own_company_object,
    "POST /my/company/invitations/<int:invitation_id>/revoke": own_company_object,
    "GET /my/company/join/<token>": join_company,
    "POST /my/company/join/<token>": join_company,
    "GET /my/company/new": company_staff_with_company,
    "POST /my/company/new": company_staff_with_company,
    "GET /my/needs/": any_official,
    "GET /my/needs/<int:need_id>": municipality_need,
    "GET /my/needs/<int:need_id>/edit": manage_need,
    "POST /my/needs/<int:need_id>/edit": manage_need,
    "POST /my/needs/<int:need_id>/status": manage_need,
    "GET /my/needs/new": any_official,
    "POST /my/needs/new": any_official,
    "POST /my/needs/suggestions": any_official,
    "GET /my/solutions/": company_staff,
    "GET /my/solutions/<int:solution_id>": own_company_object,
    "POST /my/solutions/<int:solution_id>/delete": own_company_object,
    "GET /my/solutions/<int:solution_id>/edit": own_company_object,
    "POST /my/solutions/<int:solution_id>/edit": own_company_object,
    "POST /my/solutions/<int:solution_id>/references": own_company_object,
    "POST /my/solutions/<int:solution_id>/references/<int:reference_id>/delete": own_company_object,
    "POST /my/solutions/<int:solution_id>/status": own_company_object,
    "GET /my/solutions/new": company_staff,
    "POST /my/solutions/new": company_staff,
    "GET /needs": public,
    "GET /needs/<int:need_id>": public_listing,
    "GET /notifications/": own_account,
    "GET /notifications/<int:notification_id>": own_notification,
    "POST /notifications/<int:notification_id>/open": own_notification,
    "GET /notifications/preferences": own_account,
    "POST /notifications/preferences": own_account,
    "POST /notifications/read-all": own_account,
    "GET /privacy": public,
    "POST /questions/<int:question_id>/answer": answer_question,
    "POST /questions/<int:question_id>/moderation": admin_review,
    "POST /questions/needs/<int:need_id>": ask_question,
    "GET /readyz": health,
    "GET /solutions": public,
    "GET /solutions/<int:solution_id>": public_listing,
    "GET /static/<path:filename>": public,
    "GET /verification/": any_official,
    "POST /verification/documents": any_official,
}
