"""Meetings on an approved match over HTTP: proposing slots, accepting one or declining all,
the .ics invitation, the reminder before the meeting, and bad input that changes nothing."""
from __future__ import annotations

import html
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.formatting import SEOUL
from app.models import Meeting, MeetingSlot, MeetingStatus, Notification
from app.models.base import utcnow
from app.services import meetings, unit_of_work
from tests.test_conversation import approve_match

FORMAT = "%Y-%m-%dT%H:%M"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def local(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime(FORMAT)


def slot_form(*slots: tuple[datetime | None, datetime | None, str], note: str = "") -> dict:
    data = {"note": note}
    for index, (start, end, where) in enumerate(slots):
        data[f"slots-{index}-starts_at"] = local(start) if start else ""
        data[f"slots-{index}-ends_at"] = local(end) if end else ""
        data[f"slots-{index}-location"] = where
    return data


def in_days(days: float, hour: int = 10) -> datetime:
    day = (datetime.now(SEOUL) + timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                               microsecond=0)
    return day


@pytest.fixture()
def approved(db, need, solution, company_user, official, admin_user):
    return approve_match(need, solution, company_user, official, admin_user)


@pytest.fixture()
def thread(approved) -> str:
    return f"/conversations/matches/{approved.id}"


def only_meeting(db) -> Meeting:
    db.session.expire_all()
    return db.session.scalars(select(Meeting)).one()


def meeting_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Meeting.id)))


def propose_two(company_client, thread):
    first, second = in_days(3), in_days(4, 14)
    response = company_client.post(f"{thread}/meetings", data=slot_form(
        (first, first + timedelta(hours=1), "https://meet.example.kr/citymatch"),
        (second, second + timedelta(hours=2), "종로구청 본관 3층 회의실"), note="도입 일정 협의"))
    assert response.status_code == 302
    return first, second


def test_one_side_proposes_the_other_accepts_and_both_get_the_invitation(
        db, outbox, thread, company_client, official_client, official, company_user):
    first, second = propose_two(company_client, thread)
    meeting = only_meeting(db)
    assert [slot.location for slot in meeting.slots] == ["https://meet.example.kr/citymatch",
                                                         "종로구청 본관 3층 회의실"]
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == official.id, Notification.kind == "meeting_update")) == 1

    # The proposer cannot accept their own proposal; the page offers them no button.
    page = text(company_client.get(thread))
    assert "상대방의 응답을 기다리고 있습니다." in page and "이 시간으로 수락" not in page
    own = company_client.post(f"/conversations/meetings/{meeting.id}/accept",
                              data={"slot_id": meeting.slots[0].id})
    assert "제안한 쪽이 아닌 상대방이 응답합니다." in text(company_client.get(own.headers["Location"]))
    assert only_meeting(db).status == MeetingStatus.PROPOSED

    chosen = meeting.slots[1]
    response = official_client.post(f"/conversations/meetings/{meeting.id}/accept",
                                    data={"slot_id": chosen.id})
    assert response.status_code == 302
    meeting = only_meeting(db)
    assert meeting.status == MeetingStatus.ACCEPTED
    assert [slot.chosen for slot in meeting.slots] == [False, True]
    invitation_path = f"/conversations/meetings/{meeting.id}/invite.ics"
    mail = [m for m in outbox if m.to == company_user.email and "미팅 확정" in m.subject]
    assert mail and invitation_path in mail[0].body

    for client in (company_client, official_client):
        download = client.get(invitation_path)
        assert download.status_code == 200
        assert download.mimetype == "text/calendar"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        event = Calendar.from_ical(download.data).walk("VEVENT")[0]
        assert event.decoded("dtstart") == second
        assert event.decoded("dtend") == second + timedelta(hours=2)
        assert str(event["location"]) == "종로구청 본관 3층 회의실"
        assert "CityMatch" in str(event["summary"])

    # Accepting twice (another slot, or the colleague at the same moment) is refused.
    again = official_client.post(f"/conversations/meetings/{meeting.id}/accept",
                                 data={"slot_id": meeting.slots[0].id})
    assert "이미 응답한 미팅 제안입니다." in text(official_client.get(again.headers["Location"]))
    assert [slot.chosen for slot in only_meeting(db).slots] == [False, True]


def test_declining_every_slot(db, thread, company_client, official_client):
    propose_two(company_client, thread)
    meeting = only_meeting(db)
    official_client.post(f"/conversations/meetings/{meeting.id}/decline")
    meeting = only_meeting(db)
    assert meeting.status == MeetingStatus.DECLINED
    assert not any(slot.chosen for slot in meeting.slots)
    assert official_client.get(f"/conversations/meetings/{meeting.id}/invite.ics"
                               ).status_code == 404
    late = official_client.post(f"/conversations/meetings/{meeting.id}/accept",
                                data={"slot_id": meeting.slots[0].id})
    assert "이미 응답한 미팅 제안입니다." in text(official_client.get(late.headers["Location"]))
    assert only_meeting(db).status == MeetingStatus.DECLINED


def test_a_slot_of_another_meeting_or_none_is_refused(db, thread, company_client,
                                                      official_client):
    propose_two(company_client, thread)
    meeting = only_meeting(db)
    for slot_id in ("", "abc", "999999"):
        response = official_client.post(f"/conversations/meetings/{meeting.id}/accept",
                                        data={"slot_id": slot_id})
        assert "제안된 시간 중 하나를 고르세요." in text(official_client.get(response.headers["Location"]))
    assert only_meeting(db).status == MeetingStatus.PROPOSED


def _past():
    return datetime.now(SEOUL) - timedelta(hours=2)


@pytest.mark.parametrize(("slots", "error"), [
    ([], "미팅 시간을 하나 이상 입력하세요."),
    ([(_past(), _past() + timedelta(hours=1), "온라인")], "1번째 시간: 이미 지난 시각입니다."),
    ([(in_days(2, 15), in_days(2, 14), "온라인")], "1번째 시간: 끝 시각은 시작 시각보다 뒤여야 합니다."),
    ([(in_days(2, 15), in_days(2, 15), "온라인")], "1번째 시간: 끝 시각은 시작 시각보다 뒤여야 합니다."),
    ([(in_days(2), in_days(2, 11), "")], "1번째 시간: 온라인 회의 링크나 장소를 입력하세요."),
    ([(in_days(2), None, "온라인")], "1번째 시간: 시작과 끝 시각을 모두 입력하세요."),
    ([(in_days(2), in_days(4), "온라인")], "1번째 시간: 미팅은 24시간을 넘을 수 없습니다."),
    ([(in_days(2), in_days(2, 11), "온라인"), (in_days(3), in_days(3, 11), "가" * 301)],
     "2번째 시간: 링크나 장소는 300자 이하로 입력하세요."),
])
def test_bad_slots_are_refused_and_change_nothing(db, thread, company_client, slots, error):
    response = company_client.post(f"{thread}/meetings", data=slot_form(*slots))
    assert response.status_code == 400
    assert error in text(response)
    assert meeting_count(db) == 0


def test_a_malformed_date_is_refused(db, thread, company_client):
    response = company_client.post(f"{thread}/meetings", data={
        "slots-0-starts_at": "내일 오후", "slots-0-ends_at": "2030-13-40T99:99",
        "slots-0-location": "온라인"})
    assert response.status_code == 400
    assert "날짜와 시각을 올바른 형식으로 입력하세요." in text(response)
    assert meeting_count(db) == 0


def test_a_slot_that_passed_cannot_be_accepted(db, thread, company_client, official,
                                               approved, company_user):
    start = utcnow() + timedelta(hours=1)
    meeting = meetings.propose(company_user, approved, [meetings.SlotInput(
        start, start + timedelta(hours=1), "온라인")])
    unit_of_work.commit()
    with pytest.raises(Exception, match="이미 지난 시간은 수락할 수 없습니다."):
        meetings.accept(official, meeting, meeting.slots[0].id, now=start + timedelta(minutes=5))
    db.session.rollback()
    assert only_meeting(db).status == MeetingStatus.PROPOSED


def test_meetings_need_an_approved_match(db, need, solution, company_user, official,
                                         company_client):
    from app.services import workflow

    match = workflow.express_interest(company_user, need, solution, "관심 있습니다.")
    unit_of_work.commit()
    start = in_days(2)
    response = company_client.post(f"/conversations/matches/{match.id}/meetings", data=slot_form(
        (start, start + timedelta(hours=1), "온라인")))
    assert response.status_code == 302
    assert meeting_count(db) == 0


def test_outsiders_cannot_see_answer_or_download(db, login, thread, company_client,
                                                 official_client, admin_user):
    from app.models import Role, SizeClass
    from tests import factories

    propose_two(company_client, thread)
    meeting = only_meeting(db)
    official_client.post(f"/conversations/meetings/{meeting.id}/accept",
                         data={"slot_id": meeting.slots[0].id})
    stranger = factories.make_user(role=Role.COMPANY,
                                   company=factories.make_company(size_class=SizeClass.SME))
    unit_of_work.commit()
    for client in (login(stranger), login(admin_user)):
        assert client.get(f"/conversations/meetings/{meeting.id}/invite.ics").status_code == 403
        assert client.post(f"/conversations/meetings/{meeting.id}/decline").status_code == 403
    assert only_meeting(db).status == MeetingStatus.ACCEPTED
    assert company_client.get("/conversations/meetings/999999/invite.ics").status_code == 404


def test_the_reminder_goes_out_once_before_the_meeting(app, db, runner, outbox, approved,
                                                       company_user, official):
    start = utcnow() + timedelta(hours=30)
    meeting = meetings.propose(company_user, approved, [meetings.SlotInput(
        start, start + timedelta(hours=1), "https://meet.example.kr/a")])
    meetings.accept(official, meeting, meeting.slots[0].id)
    unit_of_work.commit()

    def reminders() -> int:
        db.session.expire_all()
        return db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meeting_update", Notification.title.like("미팅 알림%")))

    # 30 hours ahead is outside the 24-hour window.
    assert "미팅 알림 0건" in runner.invoke(args=["remind-meetings"]).output
    assert reminders() == 0
    soon = (utcnow() + timedelta(hours=8)).isoformat()
    assert "미팅 알림 1건" in runner.invoke(args=["remind-meetings", "--now", soon]).output
    assert reminders() == 2  # both sides' people
    assert [m for m in outbox if m.to == official.email and "미팅 알림" in m.subject]
    # A second worker (or the next run) finds the mark and sends nothing more.
    assert "미팅 알림 0건" in runner.invoke(args=["remind-meetings", "--now", soon]).output
    assert meetings.send_reminders(utcnow() + timedelta(hours=9)) == 0
    assert reminders() == 2


def test_the_periodic_task_sends_the_reminders(app, db, approved, company_user, official,
                                               monkeypatch):
    from app import tasks

    start = utcnow() + timedelta(hours=2)
    meeting = meetings.propose(company_user, approved, [meetings.SlotInput(
        start, start + timedelta(hours=1), "온라인")])
    meetings.accept(official, meeting, meeting.slots[0].id)
    unit_of_work.commit()
    tasks.remind_meetings.call_local()
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).reminder_sent_at is not None
    assert db.session.scalar(select(func.count(MeetingSlot.id))) == 1


def test_a_long_note_is_refused_beside_its_field(db, thread, company_client):
    start = in_days(2)
    response = company_client.post(f"{thread}/meetings", data=slot_form(
        (start, start + timedelta(hours=1), "온라인"), note="가" * 501))
    assert response.status_code == 400
    page = text(response)
    assert "메모는 500자 이하로 입력하세요." in page
    assert "날짜와 시각을 올바른 형식으로 입력하세요." not in page
    assert meeting_count(db) == 0
