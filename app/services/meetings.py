"""Meetings on an approved match or consortium: one side proposes time slots (each with an online
link or a place), the other accepts one or declines all; invitations as .ics; reminders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.formatting import format_date
from app.models import Meeting, MeetingSlot, MeetingStatus, User
from app.models.base import utcnow
from app.security import public_url
from app.services import conversation
from app.services.conversation import Subject
from app.services.errors import NotFound, ServiceError
from app.services.notifications import local_path

LOCATION_MAX = 300
NOTE_MAX = 500
# A meeting is a working meeting: at most one day long.
LONGEST = timedelta(hours=24)


@dataclass(frozen=True)
class SlotInput:
    """One proposed time as the form gave it (aware datetimes)."""

    starts_at: datetime | None
    ends_at: datetime | None
    location: str | None


def _aware(moment: datetime | None) -> datetime | None:
    """Stored datetimes come back naive from SQLite; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _check_slots(slots: list[SlotInput], now: datetime) -> list[SlotInput]:
    filled = [slot for slot in slots
              if slot.starts_at or slot.ends_at or (slot.location or "").strip()]
    if not filled:
        raise ServiceError(_("미팅 시간을 하나 이상 입력하세요."), field="slots")
    most = current_app.config["MEETING_SLOTS_MAX"]
    if len(filled) > most:
        raise ServiceError(_("미팅 시간은 %(n)d개까지 제안할 수 있습니다.", n=most), field="slots")
    checked = []
    for number, slot in enumerate(filled, start=1):
        location = (slot.location or "").strip()
        if slot.starts_at is None or slot.ends_at is None:
            raise ServiceError(_("%(n)d번째 시간: 시작과 끝 시각을 모두 입력하세요.", n=number),
                               field="slots")
        if slot.starts_at <= now:
            raise ServiceError(_("%(n)d번째 시간: 이미 지난 시각입니다.", n=number), field="slots")
        if slot.ends_at <= slot.starts_at:
            raise ServiceError(_("%(n)d번째 시간: 끝 시각은 시작 시각보다 뒤여야 합니다.", n=number),
                               field="slots")
        if slot.ends_at - slot.starts_at > LONGEST:
            raise ServiceError(_("%(n)d번째 시간: 미팅은 24시간을 넘을 수 없습니다.", n=number),
                               field="slots")
        if not location:
            raise ServiceError(_("%(n)d번째 시간: 온라인 회의 링크나 장소를 입력하세요.", n=number),
                               field="slots")
        if len(location) > LOCATION_MAX:
            raise ServiceError(_("%(n)d번째 시간: 링크나 장소는 %(max)d자 이하로 입력하세요.",
                                 n=number, max=LOCATION_MAX), field="slots")
        # Stored in UTC: SQLite keeps the wall-clock time and drops the offset.
        checked.append(SlotInput(slot.starts_at.astimezone(timezone.utc),
                                 slot.ends_at.astimezone(timezone.utc), location))
    return checked


def meetings(subject: Subject) -> list[Meeting]:
    """The subject's meetings, newest first, with their slots."""
    thread = conversation.thread_of(subject)
    if thread is None:
        return []
    return list(db.session.scalars(
        select(Meeting).where(Meeting.thread_id == thread.id)
        .options(selectinload(Meeting.slots), selectinload(Meeting.proposed_by))
        .order_by(Meeting.id.desc())))


def propose(actor: User, subject: Subject, slots: list[SlotInput], note: str | None = None,
            now: datetime | None = None) -> Meeting:
    """Propose a meeting with one or more slots; the other side is notified (flushed)."""
    side = conversation.require_participant(actor, subject)
    conversation.require_open(subject)
    checked = _check_slots(slots, _aware(now) or utcnow())
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(_("메모는 %(n)d자 이하로 입력하세요.", n=NOTE_MAX), field="note")
    thread = conversation.ensure_thread(subject)
    meeting = Meeting(thread_id=thread.id, proposed_by_id=actor.id, proposer_side=side,
                      note=note, slots=[MeetingSlot(starts_at=slot.starts_at, ends_at=slot.ends_at,
                                                    location=slot.location) for slot in checked])
    db.session.add(meeting)
    db.session.flush()
    conversation.notify_participants(
        subject, "meeting_update",
        _l("미팅 제안: %(subject)s", subject=conversation.subject_title(subject)),
        _l("%(name)s님이 미팅 시간 %(n)d개를 제안했습니다. 대화 화면에서 하나를 수락하거나 거절하세요.",
           name=actor.name, n=len(checked)), except_user=actor)
    return meeting


def meeting_for(actor: User, meeting_id: int) -> tuple[Meeting, Subject]:
    """A meeting and its subject, for a participant (NotFound / PermissionDenied)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    subject = conversation.subject_of(meeting.thread)
    conversation.require_participant(actor, subject)
    return meeting, subject


def _require_answerer(actor: User, meeting: Meeting, subject: Subject) -> None:
    side = conversation.require_participant(actor, subject)
    conversation.require_open(subject)
    if side == meeting.proposer_side:
        raise ServiceError(_("제안한 쪽이 아닌 상대방이 응답합니다."))
    if meeting.status != MeetingStatus.PROPOSED:
        raise ServiceError(_("이미 응답한 미팅 제안입니다."))


def _claim(meeting: Meeting, actor: User, status: MeetingStatus) -> None:
    """Move a proposed meeting on by one conditional UPDATE: a second answer (another tab, the
    colleague at the same moment) finds it answered and is refused."""
    changed = db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.status == MeetingStatus.PROPOSED)
        .values(status=status, responded_by_id=actor.id, responded_at=utcnow(),
                version=Meeting.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise ServiceError(_("이미 응답한 미팅 제안입니다."))
    db.session.refresh(meeting)


def accept(actor: User, meeting: Meeting, slot_id: int | None,
           now: datetime | None = None) -> MeetingSlot:
    """The other side accepts one slot; everyone gets the invitation (flushed)."""
    subject = conversation.subject_of(meeting.thread)
    _require_answerer(actor, meeting, subject)
    slot = next((s for s in meeting.slots if s.id == slot_id), None)
    if slot is None:
        raise ServiceError(_("제안된 시간 중 하나를 고르세요."), field="slot_id")
    if _aware(slot.starts_at) <= (_aware(now) or utcnow()):
        raise ServiceError(_("이미 지난 시간은 수락할 수 없습니다."), field="slot_id")
    _claim(meeting, actor, MeetingStatus.ACCEPTED)
    slot.chosen = True
    db.session.flush()
    ics_link = local_path("conversation.meeting_ics", meeting_id=meeting.id)
    conversation.notify_participants(
        subject, "meeting_update",
        _l("미팅 확정: %(subject)s", subject=conversation.subject_title(subject)),
        _l("%(when)s, %(where)s. 일정 파일(.ics): %(ics)s",
           when=format_date(_aware(slot.starts_at)), where=slot.location,
           ics=public_url(current_app, ics_link)))
    return slot


def decline(actor: User, meeting: Meeting) -> Meeting:
    """The other side declines every slot of the proposal (flushed)."""
    subject = conversation.subject_of(meeting.thread)
    _require_answerer(actor, meeting, subject)
    _claim(meeting, actor, MeetingStatus.DECLINED)
    conversation.notify_participants(
        subject, "meeting_update",
        _l("미팅 제안 거절: %(subject)s", subject=conversation.subject_title(subject)),
        _l("%(name)s님이 제안된 미팅 시간을 모두 거절했습니다. 다른 시간을 제안해 보세요.",
           name=actor.name), except_user=actor)
    return meeting


# --- the invitation -------------------------------------------------------------------------------


def invitation(actor: User, meeting: Meeting) -> bytes:
    """The accepted meeting as an iCalendar file (NotFound while none is accepted)."""
    subject = conversation.subject_of(meeting.thread)
    conversation.require_participant(actor, subject)
    slot = meeting.chosen_slot
    if meeting.status != MeetingStatus.ACCEPTED or slot is None:
        raise NotFound()
    names = conversation.organisation_names(subject)
    calendar = Calendar()
    calendar.add("prodid", "-//CityMatch//Meetings//KO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = current_app.config.get("SERVER_NAME") or "citymatch"
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", _aware(meeting.responded_at) or utcnow())
    event.add("dtstart", _aware(slot.starts_at))
    event.add("dtend", _aware(slot.ends_at))
    event.add("summary", str(_l("CityMatch 미팅: %(subject)s",
                                subject=conversation.subject_title(subject))))
    event.add("location", slot.location)
    participants = ", ".join(str(name) for side in names.values() for name in side)
    event.add("description", "\n".join(filter(None, [
        str(_l("참여 기관: %(names)s", names=participants)), meeting.note,
        public_url(current_app, conversation.link_to(subject))])))
    if slot.location.startswith(("https://", "http://")):
        event.add("url", slot.location)
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_name(meeting: Meeting) -> str:
    """The download name of a meeting's invitation."""
    return f"citymatch-meeting-{meeting.id}.ics"


# --- reminders -------------------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Remind every participant of accepted meetings starting within the reminder window, once
    per meeting even when two workers run at the same time (the mark is a conditional UPDATE)."""
    moment = _aware(now) or utcnow()
    horizon = moment + timedelta(hours=current_app.config["MEETING_REMINDER_HOURS_BEFORE"])
    due = db.session.scalars(
        select(Meeting).join(MeetingSlot, MeetingSlot.meeting_id == Meeting.id)
        .where(Meeting.status == MeetingStatus.ACCEPTED, Meeting.reminder_sent_at.is_(None),
               MeetingSlot.chosen.is_(True), MeetingSlot.starts_at > moment,
               MeetingSlot.starts_at <= horizon)
        .order_by(Meeting.id).with_for_update(skip_locked=True, of=Meeting)
        .execution_options(populate_existing=True)).all()
    sent = 0
    for meeting in due:
        claimed = db.session.execute(
            update(Meeting).where(Meeting.id == meeting.id, Meeting.reminder_sent_at.is_(None))
            .values(reminder_sent_at=moment, version=Meeting.version + 1)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        db.session.refresh(meeting)
        subject = conversation.subject_of(meeting.thread)
        if not conversation.is_open(subject):
            continue
        slot = meeting.chosen_slot
        conversation.notify_participants(
            subject, "meeting_update",
            _l("미팅 알림: %(subject)s", subject=conversation.subject_title(subject)),
            _l("%(when)s, %(where)s에 미팅이 있습니다.", when=format_date(_aware(slot.starts_at)),
               where=slot.location))
        sent += 1
    db.session.flush()
    return sent
