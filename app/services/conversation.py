"""The conversation of an approved match or consortium: who takes part, messages, attachments,
read cursors and unread counts. Functions take the acting user first, flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    ConversationAttachment,
    ConversationMessage,
    ConversationRead,
    ConversationThread,
    Match,
    MatchStatus,
    Need,
    Side,
    Solution,
    User,
)
from app.services import file_types
from app.services.errors import NotFound, PermissionDenied, ServiceError
from app.services.workflow import is_member_of, is_official_of, side_of
from app.templating import lazy_place_name

Subject = Union[Match, ConsortiumProposal]

# Proposals, brochures and images; Office files are recognised by the parts inside their ZIP.
ATTACHMENT_TYPES = file_types.DOCUMENTS_AND_IMAGES + file_types.OFFICE
FILENAME_MAX = 200


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the view read it (at most the size limit plus one byte)."""

    filename: str | None
    data: bytes


# --- who takes part ------------------------------------------------------------------------------


def participant_side(user: User, subject: Subject) -> Side | None:
    """The side the user acts for in the subject's conversation (None: not a participant).

    A match: its two sides. A consortium: the municipality (once the proposal reached it) and
    the staff of every member company.
    """
    if not user.is_authenticated:
        return None
    if isinstance(subject, Match):
        return side_of(user, subject)
    if subject.submitted_at is not None and is_official_of(user, subject.need):
        return Side.MUNICIPALITY
    if any(is_member_of(user, member.company_id) for member in subject.members):
        return Side.COMPANY
    return None


def require_participant(user: User, subject: Subject) -> Side:
    """The user's side, or PermissionDenied (403) for anyone outside the conversation."""
    side = participant_side(user, subject)
    if side is None:
        raise PermissionDenied()
    return side


def is_open(subject: Subject) -> bool:
    """Conversations open once an admin approved the match or consortium."""
    approved = MatchStatus.APPROVED if isinstance(subject, Match) else ConsortiumStatus.APPROVED
    return subject.status == approved


def require_open(subject: Subject) -> None:
    """Refuse, with a message, any action on a match or consortium not (or no longer) approved."""
    if not is_open(subject):
        raise ServiceError(_("관리자가 승인한 매칭에서만 대화하고 미팅을 잡을 수 있습니다."))


def subject_of(thread: ConversationThread) -> Subject:
    """The match or consortium proposal a thread belongs to."""
    return thread.match if thread.match_id is not None else thread.proposal


def subject_title(subject: Subject):
    """"need ↔ solution" or "need ↔ lead's consortium", for notifications and pages."""
    if isinstance(subject, Match):
        return _l("%(need)s ↔ %(solution)s", need=subject.need.title,
                  solution=subject.solution.title)
    return _l("%(need)s ↔ %(company)s 컨소시엄", need=subject.need.title,
              company=subject.lead_company.name)


def organisation_names(subject: Subject) -> dict[Side, list]:
    """The organisations on each side (a consortium has several companies)."""
    municipality = [lazy_place_name(subject.need.owner)]
    if isinstance(subject, Match):
        return {Side.MUNICIPALITY: municipality, Side.COMPANY: [subject.solution.company.name]}
    return {Side.MUNICIPALITY: municipality,
            Side.COMPANY: [member.company.name for member in subject.members]}


def participants(subject: Subject) -> list[User]:
    """Everyone acting for an organisation of the conversation (the notification audience)."""
    from app.services import notifications

    people = notifications.municipality_recipients(subject.need.owner)
    if isinstance(subject, Match):
        people += notifications.company_recipients(subject.solution.company)
    else:
        for member in subject.members:
            people += notifications.company_recipients(member.company)
    unique = {person.id: person for person in people}
    return list(unique.values())


# --- the thread ----------------------------------------------------------------------------------


def _subject_clause(subject: Subject):
    if isinstance(subject, Match):
        return ConversationThread.match_id == subject.id
    return ConversationThread.proposal_id == subject.id


def thread_of(subject: Subject) -> ConversationThread | None:
    """The subject's thread, or None before its first message or meeting (reading never creates)."""
    return db.session.scalar(select(ConversationThread).where(_subject_clause(subject)))


def ensure_thread(subject: Subject) -> ConversationThread:
    """The subject's thread, created on first use (two first writers at once: one row wins)."""
    existing = thread_of(subject)
    if existing is not None:
        return existing
    values = ({"match_id": subject.id} if isinstance(subject, Match)
              else {"proposal_id": subject.id})
    try:
        with db.session.begin_nested():
            thread = ConversationThread(**values)
            db.session.add(thread)
    except IntegrityError:
        thread = thread_of(subject)
    return thread


def messages(subject: Subject) -> list[ConversationMessage]:
    """The thread's messages, oldest first, with authors and attachments (bytes not loaded)."""
    thread = thread_of(subject)
    if thread is None:
        return []
    return list(db.session.scalars(
        select(ConversationMessage).where(ConversationMessage.thread_id == thread.id)
        .options(selectinload(ConversationMessage.attachments),
                 selectinload(ConversationMessage.author))
        .order_by(ConversationMessage.id)))


# --- messages and attachments ----------------------------------------------------------------------


def _check_body(body: str | None, has_files: bool) -> str:
    # Contact details are allowed here: the admin approved, so both sides may reach each other.
    body = (body or "").strip()
    if not body and not has_files:
        raise ServiceError(_("메시지를 입력하거나 파일을 첨부하세요."), field="body")
    most = current_app.config["CONVERSATION_MESSAGE_MAX"]
    if len(body) > most:
        raise ServiceError(_("메시지는 %(n)d자 이하로 입력하세요.", n=most), field="body")
    return body


def _check_uploads(thread: ConversationThread | None, uploads: list[Upload]):
    """(upload, type) pairs, or a refusal naming the first bad file."""
    config = current_app.config
    per_message = config["CONVERSATION_ATTACHMENTS_PER_MESSAGE"]
    if len(uploads) > per_message:
        raise ServiceError(_("한 메시지에 파일은 %(n)d개까지 첨부할 수 있습니다.", n=per_message),
                           field="files")
    per_thread = config["CONVERSATION_ATTACHMENTS_PER_THREAD"]
    existing = 0 if thread is None else db.session.scalar(
        select(func.count(ConversationAttachment.id))
        .where(ConversationAttachment.thread_id == thread.id)) or 0
    if uploads and existing + len(uploads) > per_thread:
        raise ServiceError(_("이 대화에는 파일을 %(n)d개까지 첨부할 수 있습니다.", n=per_thread),
                           field="files")
    limit = config["CONVERSATION_ATTACHMENT_MAX_BYTES"]
    checked = []
    for upload in uploads:
        name = file_types.clean_filename(upload.filename, FILENAME_MAX)
        if not upload.data:
            raise ServiceError(_("빈 파일은 첨부할 수 없습니다: %(name)s", name=name), field="files")
        if len(upload.data) > limit:
            raise ServiceError(_("파일은 %(mb).1f MB 이하만 첨부할 수 있습니다: %(name)s",
                                 mb=limit / 1024 / 1024, name=name), field="files")
        kind = file_types.sniff(upload.data, ATTACHMENT_TYPES)
        if kind is None:
            raise ServiceError(_("%(types)s 파일만 첨부할 수 있습니다: %(name)s",
                                 types=file_types.labels(ATTACHMENT_TYPES), name=name),
                               field="files")
        checked.append((name, upload.data, kind))
    return checked


def post_message(actor: User, subject: Subject, body: str | None,
                 uploads: Iterable[Upload] = ()) -> ConversationMessage:
    """Add a message (with attachments) to the subject's thread and notify the others (flushed)."""
    side = require_participant(actor, subject)
    require_open(subject)
    uploads = [upload for upload in uploads if upload.filename or upload.data]
    body = _check_body(body, bool(uploads))
    checked = _check_uploads(thread_of(subject), uploads)
    thread = ensure_thread(subject)
    message = ConversationMessage(thread_id=thread.id, author_id=actor.id, author_side=side,
                                  body=body)
    db.session.add(message)
    db.session.flush()
    for name, data, kind in checked:
        db.session.add(ConversationAttachment(
            message_id=message.id, thread_id=thread.id, filename=name,
            content_type=kind.content_type, size=len(data), content=data))
    db.session.flush()
    _advance_cursor(actor, thread, message.id)
    _notify_others(actor, subject, "conversation_message",
                   _l("새 메시지: %(subject)s", subject=subject_title(subject)),
                   _l("%(name)s님이 메시지를 보냈습니다.", name=actor.name))
    return message


def attachment_for(actor: User, attachment_id: int) -> ConversationAttachment:
    """An attachment, for a participant of its conversation (NotFound / PermissionDenied)."""
    attachment = db.session.get(ConversationAttachment, attachment_id)
    if attachment is None:
        raise NotFound()
    thread = db.session.get(ConversationThread, attachment.thread_id)
    require_participant(actor, subject_of(thread))
    return attachment


def download_name(attachment: ConversationAttachment) -> str:
    """A safe file name: the attachment id and the sniffed type's extension."""
    return (f"citymatch-attachment-{attachment.id}."
            f"{file_types.extension_for(attachment.content_type)}")


# --- read cursors and unread counts ------------------------------------------------------------


def _advance_cursor(user: User, thread: ConversationThread, message_id: int) -> None:
    cursor = db.session.scalar(select(ConversationRead).where(
        ConversationRead.thread_id == thread.id, ConversationRead.user_id == user.id))
    if cursor is None:
        try:
            with db.session.begin_nested():
                db.session.add(ConversationRead(thread_id=thread.id, user_id=user.id,
                                                last_message_id=message_id))
            return
        except IntegrityError:  # the user's other tab created it a moment ago
            cursor = db.session.scalar(select(ConversationRead).where(
                ConversationRead.thread_id == thread.id, ConversationRead.user_id == user.id))
    cursor.last_message_id = max(cursor.last_message_id, message_id)
    db.session.flush()


def mark_read(actor: User, subject: Subject) -> int:
    """Move the actor's cursor to the thread's newest message; returns how many were unread."""
    require_participant(actor, subject)
    thread = thread_of(subject)
    if thread is None:
        return 0
    unread = unread_count(actor, subject)
    newest = db.session.scalar(select(func.max(ConversationMessage.id)).where(
        ConversationMessage.thread_id == thread.id))
    if newest is not None:
        _advance_cursor(actor, thread, newest)
    return unread


def _unread_query(user: User):
    """(thread id, unread count) of messages by others after the user's cursor."""
    cursor = (select(ConversationRead.last_message_id)
              .where(ConversationRead.thread_id == ConversationMessage.thread_id,
                     ConversationRead.user_id == user.id)
              .correlate(ConversationMessage).scalar_subquery())
    return (select(ConversationMessage.thread_id,
                   func.count(ConversationMessage.id).label("unread"))
            .where(or_(ConversationMessage.author_id.is_(None),
                       ConversationMessage.author_id != user.id),
                   ConversationMessage.id > func.coalesce(cursor, 0))
            .group_by(ConversationMessage.thread_id))


def unread_count(user: User, subject: Subject) -> int:
    """Messages by others the user has not read in this subject's thread."""
    thread = thread_of(subject)
    if thread is None or participant_side(user, subject) is None:
        return 0
    row = db.session.execute(
        _unread_query(user).where(ConversationMessage.thread_id == thread.id)).first()
    return int(row.unread) if row else 0


def unread_by_match(user: User, match_ids: Iterable[int]) -> dict[int, int]:
    """Unread counts per match id (for lists), for matches the user takes part in."""
    ids = list(match_ids)
    if not ids or not user.is_authenticated:
        return {}
    rows = db.session.execute(
        _unread_query(user).add_columns(ConversationThread.match_id)
        .join(ConversationThread, ConversationThread.id == ConversationMessage.thread_id)
        .where(ConversationThread.match_id.in_(ids))
        .group_by(ConversationThread.match_id)).all()
    return {row.match_id: int(row.unread) for row in rows}


def _my_threads(user: User):
    """Threads of approved matches and consortia the user's organisation takes part in."""
    if user.is_official and user.acts_for_organisation:
        match_ok = Match.need.has(Need.owned_by(user))
        proposal_ok = and_(ConsortiumProposal.need.has(Need.owned_by(user)),
                           ConsortiumProposal.submitted_at.is_not(None))
    elif user.is_company_user and user.acts_for_organisation:
        match_ok = Match.solution.has(Solution.company_id == user.company_id)
        proposal_ok = ConsortiumProposal.members.any(
            ConsortiumMember.company_id == user.company_id)
    else:
        return None
    return select(ConversationThread.id).where(or_(
        ConversationThread.match.has(and_(match_ok, Match.status == MatchStatus.APPROVED)),
        ConversationThread.proposal.has(and_(proposal_ok,
                                             ConsortiumProposal.status ==
                                             ConsortiumStatus.APPROVED))))


def unread_total(user: User) -> int:
    """Unread messages over all of the user's conversations (the navigation badge)."""
    if not user.is_authenticated:
        return 0
    threads = _my_threads(user)
    if threads is None:
        return 0
    counts = _unread_query(user).where(ConversationMessage.thread_id.in_(threads)).subquery()
    return int(db.session.scalar(select(func.coalesce(func.sum(counts.c.unread), 0))) or 0)


# --- notifications -------------------------------------------------------------------------------


def link_to(subject: Subject) -> str:
    """The conversation page of a subject (site-relative, also outside a request)."""
    from app.services.notifications import local_path

    if isinstance(subject, Match):
        return local_path("conversation.match_thread", match_id=subject.id)
    return local_path("conversation.consortium_thread", proposal_id=subject.id)


def _notify_others(actor: User | None, subject: Subject, kind: str, title, body,
                   link: str | None = None) -> None:
    """Notify every participant but the actor (e-mail per each one's preferences)."""
    from app.services import notifications

    link = link or link_to(subject)
    for person in participants(subject):
        if actor is None or person.id != actor.id:
            notifications.notify(person, kind, title, body, link)


def notify_participants(subject: Subject, kind: str, title, body, link: str | None = None,
                        *, except_user: User | None = None) -> None:
    """Notify the participants of a subject's conversation (used by meetings)."""
    _notify_others(except_user, subject, kind, title, body, link)
