"""Finding 2: unverified officials and staff of unapproved companies see only what a visitor sees,
plus their own drafts and their application's state (User.acts_for_organisation)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db as database
from app.models import (
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    MembershipStatus,
    ModerationStatus,
    OfficialStatus,
    Role,
    Side,
    SizeClass,
    User,
)
from app.models.base import utcnow
from app.models.user import AccountStatus
from app.services import notifications, unit_of_work
from tests import factories

CONFIDENTIAL_COMPANY = "기밀거래기업"
SUSPENDED_NEED = "게시 중단된 종로 수요"
COLLEAGUE_NEED = "동료가 올린 종로 수요"
CONSORTIUM_PARTNER = "컨소시엄참여사"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def deal_flow(db, official):
    """종로구's confidential deal flow: a match, a consortium and a suspended need."""
    company = factories.make_company(name=CONFIDENTIAL_COMPANY, size_class=SizeClass.LARGE)
    partner = factories.make_company(name=CONSORTIUM_PARTNER, size_class=SizeClass.STARTUP)
    solution = factories.make_solution(company, title="기밀 관제 솔루션")
    partner_solution = factories.make_solution(partner, title="참여사 센서")
    need = factories.make_need(official, title=COLLEAGUE_NEED)
    suspended = factories.make_need(official, title=SUSPENDED_NEED)
    suspended.moderation_status = ModerationStatus.SUSPENDED
    match = Match(need=need, solution=solution, status=MatchStatus.PENDING,
                  initiator_side=Side.COMPANY, requested_by=factories.make_user(
                      role=Role.COMPANY, company=company),
                  expires_at=utcnow() + timedelta(days=14))
    database.session.add(match)
    proposal = ConsortiumProposal(need=need, lead_company=company, proposed_by=match.requested_by,
                                  status=ConsortiumStatus.SUBMITTED, submitted_at=utcnow(),
                                  expires_at=utcnow() + timedelta(days=14))
    proposal.members.append(ConsortiumMember(company=company, solution=solution, share=0.3,
                                             is_lead=True))
    proposal.members.append(ConsortiumMember(company=partner, solution=partner_solution,
                                             share=0.7, is_lead=False))
    database.session.add(proposal)
    unit_of_work.commit()
    return {"company": company, "partner": partner, "need": need, "suspended": suspended,
            "match": match, "proposal": proposal, "solution": solution}


@pytest.fixture()
def pending_official(db):
    """A self-registered official of the same municipality, not yet verified."""
    user = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    unit_of_work.commit()
    return user


@pytest.fixture()
def pending_client(login, pending_official):
    return login(pending_official)


ORGANISATION_PAGES = ("/matches/", "/matches/history", "/matches/outbox")


@pytest.mark.parametrize("status", [OfficialStatus.PENDING, OfficialStatus.REJECTED,
                                    OfficialStatus.SUSPENDED])
def test_unverified_official_sees_no_deal_flow(db, login, deal_flow, status):
    user = factories.make_user(role=Role.MUNICIPALITY, official_status=status)
    unit_of_work.commit()
    client = login(user)
    for path in ORGANISATION_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert CONFIDENTIAL_COMPANY not in text(response)
    assert "공무원 인증이 끝난 뒤" in text(client.get("/matches/history"))
    for path in (f"/matches/{deal_flow['match'].id}",
                 f"/matches/consortia/{deal_flow['proposal'].id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert CONFIDENTIAL_COMPANY not in text(response)


def test_verified_official_still_sees_the_deal_flow(db, official_client, deal_flow):
    """The control: the same pages show the deal flow to a verified colleague."""
    assert CONFIDENTIAL_COMPANY in text(official_client.get("/matches/history"))
    assert CONFIDENTIAL_COMPANY in text(official_client.get("/matches/"))
    assert official_client.get(f"/matches/{deal_flow['match'].id}").status_code == 200
    assert SUSPENDED_NEED in text(official_client.get("/my/needs/"))
    assert official_client.get(f"/needs/{deal_flow['suspended'].id}").status_code == 200


def test_unverified_official_sees_no_private_need_of_the_municipality(
        db, pending_client, deal_flow):
    suspended = deal_flow["suspended"]
    assert pending_client.get(f"/needs/{suspended.id}").status_code == 404
    assert pending_client.get(f"/my/needs/{suspended.id}").status_code == 403
    assert pending_client.get(f"/my/needs/{deal_flow['need'].id}").status_code == 403
    listing = text(pending_client.get("/my/needs/"))
    assert SUSPENDED_NEED not in listing and COLLEAGUE_NEED not in listing
    # The public catalogue still shows the colleague's public need, as to any visitor.
    assert pending_client.get(f"/needs/{deal_flow['need'].id}").status_code == 200


def test_unverified_official_keeps_their_own_drafts(db, pending_official, pending_client,
                                                     deal_flow, client):
    draft = factories.make_need(pending_official, title="나의 초안 수요")
    unit_of_work.commit()
    assert "나의 초안 수요" in text(pending_client.get("/my/needs/"))
    assert pending_client.get(f"/my/needs/{draft.id}").status_code == 200
    assert pending_client.get(f"/my/needs/{draft.id}/edit").status_code == 200
    assert pending_client.get(f"/needs/{draft.id}").status_code == 200
    assert client.get(f"/needs/{draft.id}").status_code == 404  # still private to others
    page = text(pending_client.get("/verification/"))
    assert "인증 대기" in page or "pending" in page.lower()


@pytest.mark.parametrize("membership", [MembershipStatus.SUSPENDED, MembershipStatus.REJECTED,
                                        MembershipStatus.PENDING])
def test_staff_of_an_unapproved_company_see_no_deal_flow(db, login, deal_flow, membership):
    company = deal_flow["company"]
    staff = database.session.scalars(select(User).where(User.company_id == company.id)).first()
    company.membership_status = membership
    unit_of_work.commit()
    client = login(staff)
    for path in ORGANISATION_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "기밀 관제 솔루션" not in text(response)
    for path in (f"/matches/{deal_flow['match'].id}",
                 f"/matches/consortia/{deal_flow['proposal'].id}",
                 f"/matches/new?need_id={deal_flow['need'].id}",
                 f"/matches/consortia/new?need_id={deal_flow['need'].id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert COLLEAGUE_NEED not in text(response)
    # Their own drafts and the membership application stay theirs.
    assert client.get("/my/company/").status_code == 200
    assert client.get(f"/my/solutions/{deal_flow['solution'].id}").status_code == 200
    assert client.get(f"/solutions/{deal_flow['solution'].id}").status_code == 200


def test_staff_of_an_approved_company_still_see_the_deal_flow(db, login, deal_flow):
    """The control for the test above."""
    staff = database.session.scalars(select(User).where(
        User.company_id == deal_flow["company"].id)).first()
    client = login(staff)
    assert "기밀 관제 솔루션" in text(client.get("/matches/history"))
    assert client.get(f"/matches/{deal_flow['match'].id}").status_code == 200
    assert client.get(f"/matches/consortia/{deal_flow['proposal'].id}").status_code == 200


def test_an_unapproved_company_cannot_act_on_a_match(db, login, deal_flow, official):
    """Accepting or withdrawing is refused once the company is suspended (nothing changes)."""
    company = deal_flow["company"]
    staff = database.session.scalars(select(User).where(User.company_id == company.id)).first()
    company.membership_status = MembershipStatus.SUSPENDED
    unit_of_work.commit()
    client = login(staff)
    match_id = deal_flow["match"].id
    assert client.post(f"/matches/{match_id}/withdraw").status_code == 403
    assert client.post(f"/matches/consortia/{deal_flow['proposal'].id}/withdraw").status_code \
        == 403
    database.session.expire_all()
    assert database.session.get(Match, match_id).status == MatchStatus.PENDING


def test_deal_flow_notifications_reach_only_those_acting_for_the_organisation(
        db, deal_flow, official, pending_official):
    company = deal_flow["company"]
    staff = database.session.scalars(select(User).where(User.company_id == company.id)).all()
    municipality_recipients = notifications.municipality_recipients(official.municipality)
    assert official in municipality_recipients and pending_official not in municipality_recipients
    assert notifications.company_recipients(company) == staff
    company.membership_status = MembershipStatus.SUSPENDED
    database.session.flush()
    assert notifications.company_recipients(company) == []
    assert notifications.notify_company(company, "match_request", "제목") == []


def test_the_rule_is_the_same_in_python_and_sql(db, official, pending_official, company_user,
                                                 admin_user):
    unapproved = factories.make_company(membership=MembershipStatus.PENDING)
    staff_of_unapproved = factories.make_user(role=Role.COMPANY, company=unapproved)
    homeless = factories.make_user(role=Role.COMPANY)
    suspended_admin = factories.make_user(role=Role.ADMIN)
    suspended_admin.account_status = AccountStatus.SUSPENDED
    rejected = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.REJECTED)
    database.session.flush()
    everyone = [official, pending_official, company_user, admin_user, staff_of_unapproved,
                homeless, suspended_admin, rejected]
    in_python = {user.id for user in everyone if user.acts_for_organisation}
    in_sql = set(database.session.scalars(select(User.id).where(
        User.id.in_([u.id for u in everyone]), User.acts_for_organisation)))
    assert in_python == in_sql == {official.id, company_user.id, admin_user.id}


def test_pages_offer_deal_flow_actions_only_to_those_acting_for_the_organisation(
        db, login, deal_flow, pending_client):
    company = deal_flow["company"]
    staff = database.session.scalars(select(User).where(User.company_id == company.id)).first()
    need_page = f"/needs/{deal_flow['need'].id}"
    factories.make_solution(company, title="아직 제안하지 않은 솔루션")  # the first is requested
    unit_of_work.commit()
    client = login(staff)
    assert 'data-testid="express-interest"' in text(client.get(need_page))
    company.membership_status = MembershipStatus.SUSPENDED
    unit_of_work.commit()
    assert 'data-testid="express-interest"' not in text(client.get(need_page))
    assert "/matches/" not in text(pending_client.get("/my/needs/"))
    assert "/verification/" in text(pending_client.get("/my/needs/"))
