"""Joint procurement through HTTP: similar needs, invitations, answers and the admins' pages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import InvitationStatus, JointGroup, JointMember, NeedStatus, Notification, Role
from app.services import unit_of_work
from tests import factories

JONGNO, HAEUNDAE, SUWON = "서울특별시 종로구", "부산광역시 해운대구", "경기도 수원시"
LIGHT_TITLE = "스마트 가로등 원격 제어"
LIGHT_TEXT = ("야간 보행 안전을 위해 스마트 가로등을 원격으로 제어하고 밝기를 조절하며 고장을 자동으로 "
              "알려 주는 가로등 관제 시스템이 필요합니다.")


def light_need(official, **kwargs):
    return factories.make_need(official, title=LIGHT_TITLE, description=LIGHT_TEXT,
                               category_code="safety", **kwargs)


@pytest.fixture()
def world(db):
    """Officials of three municipalities, each with a street-light need, and an unrelated need."""
    people = {name: factories.make_user(role=Role.MUNICIPALITY, municipality_name=place)
              for name, place in (("jongno", JONGNO), ("busan", HAEUNDAE), ("suwon", SUWON))}
    needs = {name: light_need(user, budget=(10_000_000, 100_000_000))
             for name, user in people.items()}
    # the same municipality: never offered to jongno, but part of the cluster
    needs["jongno_other"] = light_need(people["jongno"], budget=(None, 100_000_000))
    needs["library"] = factories.make_need(
        people["busan"], title="도서관 좌석 예약", category_code="health_welfare",
        description="도서관 열람실 좌석을 모바일로 예약하고 도서 대출을 알려 주는 앱이 필요합니다.")
    unit_of_work.commit()
    return people, needs


def groups_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(JointGroup))


def members_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(JointMember))


def invite(client, need, other_id):
    return client.post(f"/joint/needs/{need.id}/invite", data={"need_id": str(other_id)},
                       follow_redirects=True)


def test_own_need_page_lists_other_municipalities_with_a_similar_open_need(login, world):
    people, needs = world
    page = login(people["jongno"]).get(f"/my/needs/{needs['jongno'].id}").get_data(as_text=True)
    assert "지자체 2곳이 비슷한 수요를 갖고 있습니다" in page
    assert f"/needs/{needs['busan'].id}\"" in page and f"/needs/{needs['suwon'].id}\"" in page
    assert f"/needs/{needs['jongno_other'].id}\"" not in page  # own municipality
    assert f"/needs/{needs['library'].id}\"" not in page  # not similar


def test_closed_and_private_needs_are_not_offered(login, world, db):
    people, needs = world
    needs["suwon"].status = NeedStatus.CLOSED
    pending = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    pending.official_status = factories.OfficialStatus.PENDING
    draft = light_need(pending)
    unit_of_work.commit()
    page = login(people["jongno"]).get(f"/my/needs/{needs['jongno'].id}").get_data(as_text=True)
    assert f"/needs/{needs['suwon'].id}\"" not in page
    assert f"/needs/{draft.id}\"" not in page
    assert f"/needs/{needs['busan'].id}\"" in page


def test_invite_creates_a_group_led_by_the_inviter_and_notifies_the_invited(login, world, db):
    people, needs = world
    response = invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    assert "공동구매 초대를 보냈습니다" in response.get_data(as_text=True)
    group = db.session.scalar(select(JointGroup))
    assert group.lead_municipality_id == people["jongno"].municipality_id
    lead, invited = group.members
    assert lead.is_lead and lead.need_id == needs["jongno"].id
    assert invited.need_id == needs["busan"].id and invited.status == InvitationStatus.PENDING
    assert invited.score is not None and invited.score > 0
    note = db.session.scalar(select(Notification).where(Notification.user_id == people["busan"].id))
    assert note.kind == "joint_invitation" and note.link == f"/joint/{group.id}"
    # the second invitation joins the same group
    invite(login(people["jongno"]), needs["jongno"], needs["suwon"].id)
    assert groups_count(db) == 1 and members_count(db) == 3


@pytest.mark.parametrize("case, message", [
    ("own_municipality", "같은 지자체의 수요는 공동구매에 초대할 수 없습니다."),
    ("closed", "모집 중인 수요만 초대할 수 있습니다."),
    ("missing", "초대할 수요를 찾을 수 없습니다."),
    ("malformed", "초대할 수요를 찾을 수 없습니다."),
    ("private", "초대할 수요를 찾을 수 없습니다."),
])
def test_bad_invitations_are_refused_with_a_message_and_change_nothing(login, world, db, case,
                                                                       message):
    people, needs = world
    target = {"own_municipality": needs["jongno_other"].id, "closed": needs["suwon"].id,
              "missing": 999_999, "malformed": "abc", "private": needs["busan"].id}[case]
    if case == "closed":
        needs["suwon"].status = NeedStatus.CLOSED
    if case == "private":
        needs["busan"].created_by.official_status = factories.OfficialStatus.PENDING
    unit_of_work.commit()
    response = invite(login(people["jongno"]), needs["jongno"], target)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert groups_count(db) == 0 and members_count(db) == 0


def test_a_need_already_in_a_group_cannot_be_invited_again(login, world, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    response = invite(login(people["suwon"]), needs["suwon"], needs["busan"].id)
    assert "이미 공동구매 그룹에 속한 수요입니다." in response.get_data(as_text=True)
    assert groups_count(db) == 1 and members_count(db) == 2
    # an invited need cannot start inviting others into the group it was invited to
    response = invite(login(people["busan"]), needs["busan"], needs["suwon"].id)
    assert "다른 지자체가 이끄는 그룹" in response.get_data(as_text=True)
    assert members_count(db) == 2


def test_inviting_from_a_closed_need_is_refused(login, world, db):
    people, needs = world
    needs["jongno"].status = NeedStatus.CLOSED
    unit_of_work.commit()
    response = invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    assert "모집 중인 공개 수요만" in response.get_data(as_text=True)
    assert groups_count(db) == 0


def test_only_the_needs_own_officials_may_invite(login, world, db):
    people, needs = world
    for user in (people["busan"], factories.make_user(role=Role.COMPANY,
                                                      company=factories.make_company())):
        unit_of_work.commit()
        response = login(user).post(f"/joint/needs/{needs['jongno'].id}/invite",
                                    data={"need_id": needs["suwon"].id})
        assert response.status_code == 403
    assert groups_count(db) == 0


def test_the_invited_official_accepts_and_the_lead_is_notified(login, world, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    member = db.session.scalar(select(JointMember).where(JointMember.is_lead.is_(False)))
    busan = login(people["busan"])
    page = busan.get(f"/joint/{member.group_id}").get_data(as_text=True)
    assert f"/joint/invitations/{member.id}/accept" in page
    response = busan.post(f"/joint/invitations/{member.id}/accept", follow_redirects=True)
    assert "공동구매 그룹에 참여했습니다." in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.status == InvitationStatus.ACCEPTED
    assert member.responded_by_id == people["busan"].id
    assert db.session.scalar(select(Notification.kind).where(
        Notification.user_id == people["jongno"].id)) == "joint_update"
    # answering twice is refused and changes nothing
    again = busan.post(f"/joint/invitations/{member.id}/decline", follow_redirects=True)
    assert "이미 응답한 초대입니다." in again.get_data(as_text=True)
    db.session.refresh(member)
    assert member.status == InvitationStatus.ACCEPTED


def test_a_declined_invitation_frees_the_need_for_another_group(login, world, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    member = db.session.scalar(select(JointMember).where(JointMember.is_lead.is_(False)))
    login(people["busan"]).post(f"/joint/invitations/{member.id}/decline")
    db.session.refresh(member)
    assert member.status == InvitationStatus.DECLINED
    invite(login(people["suwon"]), needs["suwon"], needs["busan"].id)
    assert groups_count(db) == 2


def test_only_the_invited_municipality_may_answer(login, world, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    lead, member = db.session.scalar(select(JointGroup)).members
    for user in (people["jongno"], people["suwon"]):
        assert login(user).post(f"/joint/invitations/{member.id}/accept").status_code == 403
    assert login(people["busan"]).post(f"/joint/invitations/{lead.id}/decline").status_code == 403
    assert login(people["suwon"]).get(f"/joint/{member.group_id}").status_code == 403
    db.session.refresh(member)
    assert member.status == InvitationStatus.PENDING


def test_accepting_for_a_need_closed_meanwhile_is_refused(login, world, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    member = db.session.scalar(select(JointMember).where(JointMember.is_lead.is_(False)))
    needs["busan"].status = NeedStatus.CLOSED
    unit_of_work.commit()
    response = login(people["busan"]).post(f"/joint/invitations/{member.id}/accept",
                                           follow_redirects=True)
    assert "모집 중인 수요만 공동구매에 참여할 수 있습니다." in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.status == InvitationStatus.PENDING


def test_officials_see_their_groups_and_invitations(login, world, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    page = login(people["busan"]).get("/joint/").get_data(as_text=True)
    assert 'data-testid="joint-invitation"' in page and LIGHT_TITLE in page
    assert "응답할 초대가 없습니다." not in login(people["busan"]).get("/joint/").get_data(as_text=True)
    assert "아직 공동구매 그룹이 없습니다." in login(people["suwon"]).get("/joint/").get_data(
        as_text=True)


def test_admins_see_the_clusters_with_size_municipalities_and_total_budget(login, world,
                                                                           admin_user):
    people, needs = world
    admin = login(admin_user)
    page = admin.get("/admin/joint/clusters").get_data(as_text=True)
    assert page.count('data-testid="cluster"') == 1
    assert "지자체 3곳이 비슷한 수요를 갖고 있습니다" in page
    for place in ("종로구", "해운대구", "수원시"):
        assert place in page
    assert "4억 원" in page  # four street-light needs of 1억 each
    assert "도서관 좌석 예약" not in page


def test_admins_see_the_groups(login, world, admin_user, db):
    people, needs = world
    invite(login(people["jongno"]), needs["jongno"], needs["busan"].id)
    group = db.session.scalar(select(JointGroup))
    page = login(admin_user).get("/admin/joint/groups").get_data(as_text=True)
    assert page.count('data-testid="joint-member"') == 2 and f"/joint/{group.id}" in page
    assert login(admin_user).get(f"/joint/{group.id}").status_code == 200
    assert login(people["jongno"]).get("/admin/joint/groups").status_code == 403


def test_unverified_officials_have_no_joint_pages(login, world, db):
    people, needs = world
    pending = factories.make_user(role=Role.MUNICIPALITY, municipality_name=JONGNO,
                                  official_status=factories.OfficialStatus.PENDING)
    draft = light_need(pending)
    unit_of_work.commit()
    client = login(pending)
    assert client.get("/joint/").status_code == 403
    assert 'id="joint"' not in client.get(f"/my/needs/{draft.id}").get_data(as_text=True)
    assert client.post(f"/joint/needs/{draft.id}/invite",
                       data={"need_id": needs["busan"].id}).status_code == 403
    assert groups_count(db) == 0


def test_a_need_invited_into_two_groups_at_once_is_refused_by_the_database(world, db,
                                                                            monkeypatch):
    """The check-then-insert race: the partial unique index refuses the second invitation."""
    from app.services import joint
    from app.services.errors import ServiceError

    people, needs = world
    joint.invite(people["jongno"], needs["jongno"], needs["busan"].id)
    unit_of_work.commit()
    monkeypatch.setattr(joint, "active_membership", lambda need: None)  # both checked first
    with pytest.raises(ServiceError, match="이미 공동구매 그룹에 속한 수요입니다."):
        joint.invite(people["suwon"], needs["suwon"], needs["busan"].id)
    db.session.rollback()
    assert groups_count(db) == 1 and members_count(db) == 2
