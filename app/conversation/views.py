"""Thin views of the conversation of an approved match or consortium."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.conversation.forms import ActionForm, MeetingForm, MessageForm
from app.extensions import db
from app.ids import parse_whole
from app.models import ConsortiumProposal, Match, Meeting
from app.service_errors import abort_for, commit_service
from app.services import conversation, file_types, meetings
from app.services.conversation import Subject, Upload
from app.services.errors import ServiceError

bp = Blueprint("conversation", __name__)


@bp.app_context_processor
def inject_unread_messages():
    """Unread conversation messages of the signed-in user, for the navigation bar."""
    if not current_user.is_authenticated:
        return {"unread_messages": 0}
    return {
        "unread_messages": conversation.unread_total(current_user),
        "conversation_unread_by_match": conversation.unread_by_match,
        "conversation_unread_count": lambda subject: conversation.unread_count(current_user,
                                                                              subject),
        "conversation_available": lambda subject: (
            conversation.is_open(subject)
            and conversation.participant_side(current_user, subject) is not None),
    }


# --- authorization, once -------------------------------------------------------------------------


def _require_participant(subject: Subject) -> Subject:
    """The subject, for a participant of its conversation; 403 for anyone else."""
    if conversation.participant_side(current_user, subject) is None:
        abort(403)
    return subject


def _match(match_id: int) -> Match:
    return _require_participant(db.get_or_404(Match, match_id))


def _proposal(proposal_id: int) -> ConsortiumProposal:
    return _require_participant(db.get_or_404(ConsortiumProposal, proposal_id))


def _participant_meeting(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    _require_participant(conversation.subject_of(meeting.thread))
    return meeting


# --- pages ---------------------------------------------------------------------------------------


def _thread_url(subject: Subject, action: str = "thread", **values) -> str:
    """The conversation page of a subject, or one of its actions (messages, read, meeting)."""
    if isinstance(subject, Match):
        return url_for(f"conversation.match_{action}", match_id=subject.id, **values)
    return url_for(f"conversation.consortium_{action}", proposal_id=subject.id, **values)


def _detail_url(subject: Subject) -> str:
    if isinstance(subject, Match):
        return url_for("matches.detail", match_id=subject.id)
    return url_for("matches.consortium_detail", proposal_id=subject.id)


def _closed(subject: Subject):
    flash(_("관리자가 승인한 매칭에서만 대화하고 미팅을 잡을 수 있습니다."), "warning")
    return redirect(_detail_url(subject))


def _render(subject: Subject, message_form: MessageForm | None = None,
            meeting_form: MeetingForm | None = None, status: int = 200):
    config = current_app.config
    items = conversation.messages(subject)
    unread = conversation.unread_count(current_user, subject)
    first_unread = items[-unread].id if 0 < unread <= len(items) else None
    return render_template(
        "conversation/thread.html",
        subject=subject,
        is_match=isinstance(subject, Match),
        title=conversation.subject_title(subject),
        organisations=conversation.organisation_names(subject),
        side=conversation.participant_side(current_user, subject),
        messages=items,
        unread=unread,
        first_unread=first_unread,
        meetings=meetings.meetings(subject),
        message_form=message_form or MessageForm(formdata=None),
        meeting_form=meeting_form or MeetingForm(formdata=None),
        action_form=ActionForm(formdata=None),
        message_url=_thread_url(subject, "message"),
        read_url=_thread_url(subject, "read"),
        meeting_url=_thread_url(subject, "meeting"),
        detail_url=_detail_url(subject),
        accepted_types=file_types.labels(conversation.ATTACHMENT_TYPES),
        max_mb=config["CONVERSATION_ATTACHMENT_MAX_BYTES"] / 1024 / 1024,
        per_message=config["CONVERSATION_ATTACHMENTS_PER_MESSAGE"],
        message_max=config["CONVERSATION_MESSAGE_MAX"],
    ), status


def _show(subject: Subject):
    if not conversation.is_open(subject):
        return _closed(subject)
    return _render(subject)


def _uploads(form: MessageForm) -> list[Upload]:
    # One byte over the limit is enough to refuse; never read more than that.
    limit = current_app.config["CONVERSATION_ATTACHMENT_MAX_BYTES"] + 1
    return [Upload(storage.filename, storage.read(limit))
            for storage in (form.files.data or []) if storage and storage.filename]


def _post_message(subject: Subject):
    if not conversation.is_open(subject):
        return _closed(subject)
    form = MessageForm()
    if form.validate():
        outcome = commit_service(lambda: conversation.post_message(
            current_user, subject, form.body.data, _uploads(form)), form)
        if outcome:
            flash(_("메시지를 보냈습니다."), "success")
            return redirect(_thread_url(subject, _anchor=f"message-{outcome.value.id}"))
    return _render(subject, message_form=form, status=400)


def _mark_read(subject: Subject):
    commit_service(lambda: conversation.mark_read(current_user, subject))
    return redirect(_thread_url(subject))


def _propose_meeting(subject: Subject):
    if not conversation.is_open(subject):
        return _closed(subject)
    form = MeetingForm()
    if form.validate():
        outcome = commit_service(lambda: meetings.propose(
            current_user, subject, form.slot_inputs(), form.note.data), form)
        if outcome:
            flash(_("미팅 시간을 제안했습니다. 상대방이 수락하면 일정 파일(.ics)을 받을 수 있습니다."),
                  "success")
            return redirect(_thread_url(subject, _anchor=f"meeting-{outcome.value.id}"))
    elif any(entry.errors for entry in form.slots):
        form.form_errors.append(_("날짜와 시각을 올바른 형식으로 입력하세요."))
    return _render(subject, meeting_form=form, status=400)


@bp.route("/matches/<int:match_id>")
@login_required
def match_thread(match_id: int):
    """The conversation of an approved match: messages, attachments and meetings."""
    return _show(_match(match_id))


@bp.route("/matches/<int:match_id>/messages", methods=["POST"])
@login_required
def match_message(match_id: int):
    """Send a message (with attachments) in a match's conversation."""
    return _post_message(_match(match_id))


@bp.route("/matches/<int:match_id>/read", methods=["POST"])
@login_required
def match_read(match_id: int):
    """Mark a match's conversation read."""
    return _mark_read(_match(match_id))


@bp.route("/matches/<int:match_id>/meetings", methods=["POST"])
@login_required
def match_meeting(match_id: int):
    """Propose meeting slots on a match."""
    return _propose_meeting(_match(match_id))


@bp.route("/consortia/<int:proposal_id>")
@login_required
def consortium_thread(proposal_id: int):
    """The conversation of an approved consortium: the municipality and every member company."""
    return _show(_proposal(proposal_id))


@bp.route("/consortia/<int:proposal_id>/messages", methods=["POST"])
@login_required
def consortium_message(proposal_id: int):
    """Send a message (with attachments) in a consortium's conversation."""
    return _post_message(_proposal(proposal_id))


@bp.route("/consortia/<int:proposal_id>/read", methods=["POST"])
@login_required
def consortium_read(proposal_id: int):
    """Mark a consortium's conversation read."""
    return _mark_read(_proposal(proposal_id))


@bp.route("/consortia/<int:proposal_id>/meetings", methods=["POST"])
@login_required
def consortium_meeting(proposal_id: int):
    """Propose meeting slots on a consortium."""
    return _propose_meeting(_proposal(proposal_id))


# --- files ---------------------------------------------------------------------------------------


def _download(data: bytes, content_type: str, name: str):
    response = current_app.response_class(data, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """An attachment, as a download, for the participants of its conversation only."""
    try:
        item = conversation.attachment_for(current_user, attachment_id)
    except ServiceError as refused:
        abort_for(refused)
        raise
    return _download(item.content, item.content_type, conversation.download_name(item))


@bp.route("/meetings/<int:meeting_id>/invite.ics")
@login_required
def meeting_ics(meeting_id: int):
    """The accepted meeting as an iCalendar invitation (participants only)."""
    meeting = _participant_meeting(meeting_id)
    try:
        data = meetings.invitation(current_user, meeting)
    except ServiceError as refused:
        abort_for(refused)
        raise
    return _download(data, "text/calendar", meetings.invitation_name(meeting))


# --- answering a meeting proposal ------------------------------------------------------------------


def _answer(meeting: Meeting, action, success: str):
    subject = conversation.subject_of(meeting.thread)
    if commit_service(action):
        flash(success, "success")
    return redirect(_thread_url(subject, _anchor=f"meeting-{meeting.id}"))


@bp.route("/meetings/<int:meeting_id>/accept", methods=["POST"])
@login_required
def meeting_accept(meeting_id: int):
    """The other side accepts one of the proposed slots."""
    meeting = _participant_meeting(meeting_id)
    slot_id = parse_whole(request.form.get("slot_id"))  # CSRF: checked for every POST
    return _answer(meeting, lambda: meetings.accept(current_user, meeting, slot_id),
                   _("미팅을 확정했습니다. 일정 파일(.ics)을 내려받을 수 있습니다."))


@bp.route("/meetings/<int:meeting_id>/decline", methods=["POST"])
@login_required
def meeting_decline(meeting_id: int):
    """The other side declines every proposed slot."""
    meeting = _participant_meeting(meeting_id)
    return _answer(meeting, lambda: meetings.decline(current_user, meeting),
                   _("미팅 제안을 거절했습니다."))
