"""Overseas demand (K-City Network): organisations, invitations, English needs, filters, API,
consortia (대·중소 동반진출) and the places that used to assume a Korean municipality."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models import (
    ConsortiumProposal,
    ConsortiumStatus,
    Need,
    Notification,
    OfficialStatus,
    OrganisationKind,
    OverseasInvitation,
    OverseasOrganisation,
    Role,
    SizeClass,
    User,
)
from app.models.base import utcnow
from app.services import joint, overseas, unit_of_work, workflow
from app.services.errors import ServiceError
from tests import factories
from tests.conftest import _login

API = "/api/v1"


def _organisation(db, name="Hanoi People's Committee", country="VN") -> OverseasOrganisation:
    organisation = OverseasOrganisation(name=name, name_ko="하노이 인민위원회", country=country,
                                        city="Hanoi", kind=OrganisationKind.CITY_GOVERNMENT)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _foreign_official(db, organisation, email=None) -> User:
    user = User(email=email or f"official{factories.next_number()}@hanoi.example.vn",
                name="Nguyen Thi Lan", role=Role.MUNICIPALITY, locale="en",
                overseas_organisation_id=organisation.id,
                official_status=OfficialStatus.VERIFIED)
    user.set_password(factories.PASSWORD)
    db.session.add(user)
    db.session.flush()
    from app.services import privacy
    privacy.record_consent(user, privacy.CURRENT.version)
    return user


def _overseas_need(db, official, title="Adaptive traffic signals for inner-city corridors",
                   category_code="transport") -> Need:
    need = Need(overseas_organisation_id=official.overseas_organisation_id, language="en",
                created_by=official, title=title,
                description="Peak-hour speeds fell below 12 km/h; we need adaptive traffic "
                            "signal control with bus priority.",
                primary_category=factories.category(category_code),
                budget_min=1_000_000_000, budget_max=3_000_000_000,
                application_deadline=utcnow().date() + timedelta(days=30))
    db.session.add(need)
    db.session.flush()
    return need


@pytest.fixture()
def hanoi(db):
    organisation = _organisation(db)
    official = _foreign_official(db, organisation)
    need = _overseas_need(db, official)
    unit_of_work.commit()
    return organisation, official, need


def _invite(admin_client, organisation, email="lan@hanoi.example.vn"):
    return admin_client.post("/admin/overseas/invitations",
                             data={"organisation_id": str(organisation.id), "email": email})


def _token_from(outbox) -> str:
    body = outbox[-1].body
    return body.split("/overseas/join/")[1].split()[0].strip("()")


# --- admins: organisations and invitations ---------------------------------------------------

def test_admin_creates_an_organisation_and_invites_a_person(db, admin_client, outbox):
    response = admin_client.post("/admin/overseas/", data={
        "name": "Jakarta Smart City", "name_ko": "자카르타 스마트시티", "country": "id",
        "city": "Jakarta", "kind": "agency", "contact_email": "hello@jakarta.example.id"})
    assert response.status_code == 302
    organisation = db.session.scalar(select(OverseasOrganisation))
    assert (organisation.name, organisation.country, organisation.kind) == (
        "Jakarta Smart City", "ID", OrganisationKind.AGENCY)
    page = admin_client.get("/admin/overseas/").get_data(as_text=True)
    assert "Jakarta Smart City" in page and "인도네시아" in page

    response = _invite(admin_client, organisation, "budi@jakarta.example.id")
    assert response.status_code == 302
    invitation = db.session.scalar(select(OverseasInvitation))
    assert invitation.email == "budi@jakarta.example.id" and invitation.accepted_at is None
    assert len(invitation.token_hash) == 64
    assert outbox[-1].to == "budi@jakarta.example.id"
    token = _token_from(outbox)
    assert overseas.hash_token(token) == invitation.token_hash  # only the hash is stored
    # the same address again while the first invitation is open: refused, nothing sent
    sent = len(outbox)
    again = _invite(admin_client, organisation, "budi@jakarta.example.id")
    assert again.status_code == 400 and "이미 초대 메일을 보낸 주소" in again.get_data(as_text=True)
    assert len(outbox) == sent


def test_bad_organisation_input_is_refused_with_every_message(db, admin_client):
    response = admin_client.post("/admin/overseas/", data={"name": "", "country": "XX",
                                                           "kind": "embassy",
                                                           "contact_email": "not-an-address"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in ("기관명(영문)을 입력하세요", "ISO 3166-1", "기관 유형을 고르세요",
                    "올바른 이메일 주소가 아닙니다"):
        assert message in page
    assert db.session.scalar(select(OverseasOrganisation)) is None


def test_the_country_must_be_alpha2_in_the_database(db):
    db.session.add(OverseasOrganisation(name="Nowhere", country="vn",
                                        kind=OrganisationKind.AGENCY))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_only_admins_reach_the_overseas_console(db, company_client, official_client, client):
    for who in (company_client, official_client):
        assert who.get("/admin/overseas/").status_code == 403
        assert who.post("/admin/overseas/", data={"name": "X", "country": "VN",
                                                  "kind": "agency"}).status_code == 403
        assert who.post("/admin/overseas/invitations",
                        data={"organisation_id": "1", "email": "a@b.cd"}).status_code == 403
    assert client.get("/admin/overseas/").status_code == 302  # to the sign-in page
    assert db.session.scalar(select(OverseasOrganisation)) is None


# --- the invitee -----------------------------------------------------------------------------

def test_join_creates_a_verified_official_of_the_organisation(app, db, admin_client, outbox):
    organisation = _organisation(db)
    unit_of_work.commit()
    _invite(admin_client, organisation)
    token = _token_from(outbox)
    visitor = app.test_client()
    page = visitor.get(f"/overseas/join/{token}")
    assert page.status_code == 200 and "Hanoi" in page.get_data(as_text=True)
    weak = visitor.post(f"/overseas/join/{token}", data={"name": "Lan", "password": "short"})
    assert weak.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "lan@hanoi.example.vn")) is None
    response = visitor.post(f"/overseas/join/{token}",
                            data={"name": "Nguyen Thi Lan", "password": "Lotus-lake-2026!",
                                  "privacy_consent": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/needs/")
    user = db.session.scalar(select(User).where(User.email == "lan@hanoi.example.vn"))
    assert user.role == Role.MUNICIPALITY and user.overseas_organisation_id == organisation.id
    assert user.municipality_id is None and user.acts_for_organisation
    assert user.locale == "en"
    # the link is single-use: a clear message, nothing changes
    used = app.test_client().get(f"/overseas/join/{token}")
    assert used.status_code == 404 and "이미 사용된 초대 링크" in used.get_data(as_text=True)
    # signed in already, the new official sees their (English) needs page
    assert visitor.get("/my/needs/").status_code == 200


def test_expired_and_unknown_links_say_so(app, db, admin_client, outbox):
    organisation = _organisation(db)
    unit_of_work.commit()
    _invite(admin_client, organisation)
    token = _token_from(outbox)
    invitation = db.session.scalar(select(OverseasInvitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    visitor = app.test_client()
    expired = visitor.get(f"/overseas/join/{token}")
    assert expired.status_code == 404 and "만료" in expired.get_data(as_text=True)
    posted = visitor.post(f"/overseas/join/{token}",
                          data={"name": "Lan", "password": "Lotus-lake-2026!"})
    assert posted.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "lan@hanoi.example.vn")) is None
    unknown = visitor.get("/overseas/join/not-a-token")
    assert unknown.status_code == 404 and "올바르지 않습니다" in unknown.get_data(as_text=True)
    english = visitor.get("/overseas/join/not-a-token", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "not valid" in english


def test_a_signed_in_account_of_the_invited_address_is_linked(app, db, admin_client, outbox):
    organisation = _organisation(db)
    person = factories.make_user(role=Role.COMPANY, email="lan@hanoi.example.vn")
    unit_of_work.commit()
    _invite(admin_client, organisation)
    token = _token_from(outbox)
    signed_in = _login(app, person)
    assert "내 계정 연결" in signed_in.get(f"/overseas/join/{token}").get_data(as_text=True)
    response = signed_in.post(f"/overseas/join/{token}")
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.role == Role.MUNICIPALITY and person.overseas_organisation_id == organisation.id
    assert signed_in.get("/my/needs/").status_code == 200  # still signed in after the new role


def test_another_address_cannot_use_the_link(app, db, admin_client, outbox, company_user):
    organisation = _organisation(db)
    unit_of_work.commit()
    _invite(admin_client, organisation)
    token = _token_from(outbox)
    response = _login(app, company_user).post(f"/overseas/join/{token}")
    assert response.status_code == 403
    assert db.session.get(User, company_user.id).overseas_organisation_id is None


# --- English needs ---------------------------------------------------------------------------

def test_an_overseas_official_posts_an_english_need(app, db, hanoi):
    organisation, official, _ = hanoi
    client = _login(app, official)
    form = client.get("/my/needs/new").get_data(as_text=True)
    assert "KRW" in form and "Hanoi People" in form  # English UI (locale "en")
    response = client.post("/my/needs/new", data={
        "title": "Urban flood early warning", "primary_category_id": str(factories.category("safety").id),
        "description": "Monsoon rain floods low-lying streets; we need water level sensors and alerts.",
        "budget_min": "1,500,000,000", "budget_max": "3,500,000,000",
        "application_deadline": (utcnow().date() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    need = db.session.scalar(select(Need).where(Need.title == "Urban flood early warning"))
    assert need.language == "en" and need.overseas_organisation_id == organisation.id
    assert need.municipality_id is None and need.owner_key == ("overseas", organisation.id)
    assert client.get(f"/my/needs/{need.id}").status_code == 200


def test_the_database_wants_exactly_one_owner(db, hanoi, official):
    _, foreign, need = hanoi
    need.municipality_id = official.municipality_id  # both
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    need = db.session.get(Need, need.id)
    need.overseas_organisation_id = None  # neither
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_officials_of_other_owners_cannot_manage_an_overseas_need(app, db, hanoi, official):
    organisation, foreign, need = hanoi
    other = _foreign_official(db, _organisation(db, "Jakarta Smart City", "ID"))
    local_need = factories.make_need(official, title="종로구 스마트 횡단보도")
    unit_of_work.commit()
    assert _login(app, other).get(f"/my/needs/{need.id}").status_code == 403
    assert _login(app, official).get(f"/my/needs/{need.id}").status_code == 403
    assert _login(app, foreign).get(f"/my/needs/{local_need.id}").status_code == 403
    # an overseas official's list shows only the organisation's needs
    page = _login(app, other).get("/my/needs/").get_data(as_text=True)
    assert need.title not in page


# --- companies: list, page and API ----------------------------------------------------------

def test_needs_list_filters_overseas_and_country(db, client, hanoi, need):
    _, _, foreign = hanoi
    both = client.get("/needs").get_data(as_text=True)
    assert foreign.title in both and need.title in both
    only = client.get("/needs?overseas=1").get_data(as_text=True)
    assert foreign.title in only and need.title not in only
    local = client.get("/needs?overseas=0").get_data(as_text=True)
    assert foreign.title not in local and need.title in local
    vietnam = client.get("/needs?country=vn").get_data(as_text=True)
    assert foreign.title in vietnam and need.title not in vietnam
    assert foreign.title not in client.get("/needs?country=ID").get_data(as_text=True)
    bad = client.get("/needs?country=ZZ&overseas=yes")
    assert bad.status_code == 200
    assert "알 수 없는 국가 코드" in bad.get_data(as_text=True)


def test_keyword_search_finds_overseas_needs(db, client, hanoi):
    _, _, foreign = hanoi
    page = client.get("/needs?q=traffic").get_data(as_text=True)
    assert "Adaptive" in page and "<mark>traffic</mark>" in page


def test_need_page_shows_the_organisation_in_both_languages(db, client, hanoi):
    _, _, need = hanoi
    korean = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "하노이 인민위원회 (베트남)" in korean and "해외 수요 (K-City Network)" in korean
    assert "원화(KRW)" in korean and "대·중소 동반진출" in korean
    english = client.get(f"/needs/{need.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hanoi People&#39;s Committee (Viet Nam)" in english
    assert "Overseas need (K-City Network)" in english


def test_api_exposes_language_and_organisation_with_filters(db, client, hanoi, need):
    _, _, foreign = hanoi
    record = client.get(f"{API}/needs/{foreign.id}").get_json()
    assert record["language"] == "en" and record["overseas"] is True
    assert record["municipality"] is None
    assert record["overseas_organisation"]["name"] == "Hanoi People's Committee"
    assert record["overseas_organisation"]["country"] == "VN"
    local = client.get(f"{API}/needs/{need.id}").get_json()
    assert local["overseas"] is False and local["overseas_organisation"] is None
    ids = lambda url: [r["id"] for r in client.get(url).get_json()["data"]]  # noqa: E731
    assert ids(f"{API}/needs?overseas=1") == [foreign.id]
    assert ids(f"{API}/needs?overseas=0") == [need.id]
    assert ids(f"{API}/needs?country=VN") == [foreign.id]
    assert ids(f"{API}/needs?country=JP") == []
    assert client.get(f"{API}/needs?country=ZZ").status_code == 400
    assert client.get(f"{API}/needs?overseas=maybe").status_code == 400


def test_bulk_download_of_needs_includes_overseas_ones(db, client, hanoi):
    _, _, foreign = hanoi
    from app.services import public_api
    with client.application.test_request_context():
        rows = "".join(public_api.csv_chunks("needs", iter([public_api.need_record(foreign)])))
    assert "Hanoi People's Committee" in rows and ",VN" in rows


# --- 대·중소 동반진출: a consortium for an overseas need -------------------------------------

def test_large_firm_leads_a_consortium_for_an_overseas_need(app, db, hanoi, company,
                                                             company_user, admin_user):
    _, foreign_official, need = hanoi
    large = factories.make_company(size_class=SizeClass.LARGE)
    lead_user = factories.make_user(role=Role.COMPANY, company=large)
    lead_solution = factories.make_solution(large, title="Integrated traffic control platform")
    partner_solution = factories.make_solution(company, title="Bus priority signal app")
    unit_of_work.commit()
    page = _login(app, lead_user).get(f"/needs/{need.id}").get_data(as_text=True)
    assert 'data-testid="propose-consortium"' in page

    proposal = workflow.propose_consortium(lead_user, need, lead_solution, [partner_solution],
                                           None, "Joint overseas bid")
    unit_of_work.commit()
    partner_member = next(m for m in proposal.members if not m.is_lead)
    workflow.respond_to_consortium(company_user, partner_member, True)
    unit_of_work.commit()
    proposal = db.session.get(ConsortiumProposal, proposal.id)
    assert proposal.status == ConsortiumStatus.SUBMITTED
    # the overseas organisation's official is the owner side
    assert workflow.submitted_consortia(foreign_official) == [proposal]
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == foreign_official.id, Notification.kind == "match_request")).all()
    assert _login(app, foreign_official).get(f"/matches/consortia/{proposal.id}").status_code == 200
    workflow.answer_consortium(foreign_official, proposal, True)
    unit_of_work.commit()
    workflow.approve(admin_user, proposal)
    unit_of_work.commit()
    assert proposal.status == ConsortiumStatus.APPROVED
    contacts = workflow.consortium_contact_details(foreign_official, proposal)
    assert [c.email for c in contacts.municipality] == [foreign_official.email]
    # an official of a Korean municipality is no party to it
    other = factories.make_user(role=Role.MUNICIPALITY)
    unit_of_work.commit()
    assert workflow.submitted_consortia(other) == []
    assert not workflow.can_view_consortium(other, proposal)


def test_interest_and_match_notifications_reach_the_organisation(app, db, hanoi, company_user,
                                                                 solution):
    _, foreign_official, need = hanoi
    match = workflow.express_interest(company_user, need, solution, "We can help.")
    unit_of_work.commit()
    assert workflow.side_of(foreign_official, match) is not None
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == foreign_official.id)).all()
    assert _login(app, foreign_official).get(f"/matches/{match.id}").status_code == 200
    assert _login(app, company_user).get("/matches/").status_code == 200


# --- Korean-municipal features exclude overseas needs with a reason -------------------------

def test_joint_procurement_refuses_overseas_needs(db, hanoi, need, official):
    _, foreign_official, foreign = hanoi
    with pytest.raises(ServiceError, match="공동구매 대상이 아닙니다"):
        joint.invite(foreign_official, foreign, need.id)
    db.session.rollback()
    with pytest.raises(ServiceError, match="공동구매 대상이 아닙니다"):
        joint.invite(official, db.session.get(Need, need.id), foreign.id)
    db.session.rollback()
    assert joint.similar_open_needs(foreign_official, foreign) == []
    assert all(not n.is_overseas for c in joint.clusters() for n in c.needs)


def test_admin_pages_and_dashboard_do_not_crash(db, admin_client, hanoi):
    _, _, need = hanoi
    assert "하노이 인민위원회" in admin_client.get("/admin/needs").get_data(as_text=True)
    assert need.title in admin_client.get("/admin/needs?q=Hanoi").get_data(as_text=True)
    assert admin_client.get(f"/admin/needs/{need.id}").status_code == 200
    assert admin_client.get("/admin/dashboard/").status_code == 200
    assert admin_client.get("/admin/joint/clusters").status_code == 200


def test_saved_search_alerts_and_questions_work_for_overseas_needs(app, db, hanoi, company_user):
    from app.services import saved_searches
    _, foreign_official, need = hanoi
    assert isinstance(saved_searches.followers_of_need(need), list)
    client = _login(app, company_user)
    response = client.post(f"/questions/needs/{need.id}", data={"text": "Is a pilot first?"})
    assert response.status_code == 302
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == foreign_official.id, Notification.kind == "need_question")).all()
    assert client.get(f"/needs/{need.id}").status_code == 200
    assert _login(app, foreign_official).get(f"/needs/{need.id}").status_code == 200


def test_an_overseas_official_can_open_every_official_page(app, db, hanoi):
    _, foreign_official, need = hanoi
    client = _login(app, foreign_official)
    for path in ("/", "/my/needs/", f"/my/needs/{need.id}", f"/my/needs/{need.id}/edit",
                 "/matches/", "/matches/outbox", "/matches/history", "/joint/",
                 "/notifications/", f"/needs/{need.id}", "/needs"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert response.status_code != 500, path
