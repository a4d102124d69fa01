"""Inviting colleagues: invitations, resending, revoking, joining and signing up from a link."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import CompanyInvitation, Role, User
from app.models.base import utcnow
from tests import factories


def invitations(db) -> list[CompanyInvitation]:
    db.session.expire_all()
    return list(db.session.scalars(select(CompanyInvitation).order_by(CompanyInvitation.id)))


def make_invitation(db, company, inviter, email: str, *, expired: bool = False,
                    token: str | None = None) -> CompanyInvitation:
    invitation = CompanyInvitation(
        company=company, email=email, token=token or f"tok-{factories.next_number()}-abcdef",
        invited_by_id=inviter.id,
        expires_at=utcnow() + (timedelta(days=-1) if expired else timedelta(days=7)),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation


@pytest.fixture()
def loner(db):
    """A signed-up company user without a company."""
    user = factories.make_user(role=Role.COMPANY, email="loner@example.kr")
    db.session.commit()
    return user


# --- inviting ---------------------------------------------------------------------------


def test_invite_creates_invitation_mails_link_and_shows_it(company_client, company, company_user,
                                                          outbox, db):
    response = company_client.post("/my/company/invitations", data={"email": " New@Example.KR "})
    assert response.status_code == 302
    [invitation] = invitations(db)
    assert invitation.email == "new@example.kr"
    assert invitation.company_id == company.id
    assert invitation.invited_by_id == company_user.id
    assert len(invitation.token) >= 40
    expires = invitation.expires_at.replace(tzinfo=utcnow().tzinfo)
    assert timedelta(days=13) < expires - utcnow() <= timedelta(days=14)

    [mail] = outbox
    assert mail.to == "new@example.kr"
    link = f"http://localhost/auth/register?invite={invitation.token}"
    assert link in mail.body
    assert company.name in mail.subject

    page = company_client.get("/my/company/").get_data(as_text=True)
    assert link in page  # the flash and the pending-invitations table show it to the inviter
    assert "new@example.kr" in page


def test_invite_refuses_a_member_of_the_company(company_client, company, db, outbox):
    colleague = factories.make_user(role=Role.COMPANY, company=company)
    db.session.commit()
    response = company_client.post("/my/company/invitations",
                                   data={"email": colleague.email.upper()})
    assert response.status_code == 400
    assert "이미 우리 기업의 구성원" in response.get_data(as_text=True)
    assert invitations(db) == [] and outbox == []


def test_invite_refuses_duplicate_open_invitation_but_not_an_expired_one(
        company_client, company, company_user, db, outbox):
    make_invitation(db, company, company_user, "twice@example.kr")
    response = company_client.post("/my/company/invitations", data={"email": "twice@example.kr"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "이미 초대 메일을 보낸 주소" in page and "다시 보내기" in page
    assert len(invitations(db)) == 1 and outbox == []

    make_invitation(db, company, company_user, "late@example.kr", expired=True)
    response = company_client.post("/my/company/invitations", data={"email": "late@example.kr"})
    assert response.status_code == 302
    assert len([i for i in invitations(db) if i.email == "late@example.kr"]) == 2


@pytest.mark.parametrize("email, message", [
    ("", "초대할 이메일 주소를 입력하세요"),
    ("not-an-email", "올바른 이메일 주소가 아닙니다"),
])
def test_invite_rejects_bad_email(company_client, db, email, message):
    response = company_client.post("/my/company/invitations", data={"email": email})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert invitations(db) == []


def test_invite_access(client, official_client, login, loner, db):
    assert "/auth/login" in client.post("/my/company/invitations",
                                        data={"email": "a@example.kr"}).headers["Location"]
    assert official_client.post("/my/company/invitations",
                                data={"email": "a@example.kr"}).status_code == 403
    response = login(loner).post("/my/company/invitations", data={"email": "a@example.kr"})
    assert response.headers["Location"].endswith("/my/company/new")
    assert invitations(db) == []


# --- resending and revoking ---------------------------------------------------------------


def test_resend_mails_again_with_fresh_expiry(company_client, company, company_user, db, outbox):
    invitation = make_invitation(db, company, company_user, "again@example.kr", expired=True)
    response = company_client.post(f"/my/company/invitations/{invitation.id}/resend")
    assert response.status_code == 302
    [mail] = outbox
    assert mail.to == "again@example.kr" and invitation.token in mail.body
    [renewed] = invitations(db)
    assert renewed.expires_at.replace(tzinfo=utcnow().tzinfo) > utcnow() + timedelta(days=13)


def test_revoke_deletes_invitation(company_client, company, company_user, db):
    invitation = make_invitation(db, company, company_user, "gone@example.kr")
    response = company_client.post(f"/my/company/invitations/{invitation.id}/revoke",
                                   follow_redirects=True)
    assert "초대를 취소했습니다" in response.get_data(as_text=True)
    assert invitations(db) == []


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_invitation_of_another_company_is_forbidden(company_client, db, outbox, action):
    other = factories.make_company()
    stranger = factories.make_user(role=Role.COMPANY, company=other)
    invitation = make_invitation(db, other, stranger, "theirs@example.kr")
    response = company_client.post(f"/my/company/invitations/{invitation.id}/{action}")
    assert response.status_code == 403
    assert len(invitations(db)) == 1 and outbox == []


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_missing_invitation_is_404(company_client, action):
    assert company_client.post(f"/my/company/invitations/999999/{action}").status_code == 404


def test_accepted_invitation_cannot_be_revoked(company_client, company, company_user, db):
    invitation = make_invitation(db, company, company_user, "done@example.kr")
    invitation.accepted_at = utcnow()
    db.session.commit()
    response = company_client.post(f"/my/company/invitations/{invitation.id}/revoke",
                                   follow_redirects=True)
    assert "이미 수락된 초대" in response.get_data(as_text=True)
    assert len(invitations(db)) == 1


# --- joining with an existing account -----------------------------------------------------


def test_existing_user_without_company_joins_with_link(login, loner, company, company_user, db):
    invitation = make_invitation(db, company, company_user, "LONER@example.kr")
    user_client = login(loner)
    page = user_client.get(f"/my/company/join/{invitation.token}").get_data(as_text=True)
    assert company.name in page and "초대 수락" in page

    response = user_client.post(f"/my/company/join/{invitation.token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/company/")
    db.session.expire_all()
    assert db.session.get(User, loner.id).company_id == company.id
    accepted = db.session.get(CompanyInvitation, invitation.id)
    assert accepted.accepted_at is not None and accepted.accepted_by_id == loner.id
    assert user_client.get(f"/my/company/join/{invitation.token}").status_code == 404


def test_join_refuses_a_different_email(login, company, company_user, db):
    invitation = make_invitation(db, company, company_user, "someone-else@example.kr")
    stranger = factories.make_user(role=Role.COMPANY)
    db.session.commit()
    user_client = login(stranger)
    response = user_client.get(f"/my/company/join/{invitation.token}")
    assert response.status_code == 403
    assert "다른 이메일 주소로 보낸" in response.get_data(as_text=True)
    assert user_client.post(f"/my/company/join/{invitation.token}").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, stranger.id).company_id is None


def test_join_refuses_expired_or_unknown_token(login, loner, company, company_user, db):
    invitation = make_invitation(db, company, company_user, loner.email, expired=True)
    user_client = login(loner)
    response = user_client.post(f"/my/company/join/{invitation.token}")
    assert response.status_code == 404
    assert "만료되었거나 이미 사용" in response.get_data(as_text=True)
    assert user_client.get("/my/company/join/no-such-token").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, loner.id).company_id is None


def test_join_refuses_user_who_already_has_a_company(company_client, company_user, db):
    other = factories.make_company()
    inviter = factories.make_user(role=Role.COMPANY, company=other)
    invitation = make_invitation(db, other, inviter, company_user.email)
    response = company_client.post(f"/my/company/join/{invitation.token}")
    assert response.status_code == 400
    assert "이미 다른 기업에 소속" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, company_user.id).company_id != other.id


def test_join_access(client, official_client, company, company_user, db):
    invitation = make_invitation(db, company, company_user, "x@example.kr")
    response = client.get(f"/my/company/join/{invitation.token}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert official_client.get(f"/my/company/join/{invitation.token}").status_code == 403


# --- end to end: invite → sign up from the link → confirm → member -------------------------


def test_invited_colleague_signs_up_and_belongs_to_company(company_client, client, company, db,
                                                           outbox):
    company_client.post("/my/company/invitations", data={"email": "newhire@example.kr"})
    invite_mail = outbox[-1]
    register_link = re.search(r"http://localhost(/auth/register\?invite=\S+)",
                              invite_mail.body).group(1)

    page = client.get(register_link).get_data(as_text=True)
    assert company.name in page and "newhire@example.kr" in page
    response = client.post(register_link, data={
        "role": "company", "email": "newhire@example.kr", "name": "신입사원",
        "password": "long-enough-1", "password_confirm": "long-enough-1", "privacy_consent": "y",
    })
    assert response.status_code == 302
    confirm_mail = outbox[-1]
    assert confirm_mail.to == "newhire@example.kr" and confirm_mail is not invite_mail
    confirm_link = re.search(r"http://localhost(/auth/confirm/\S+)", confirm_mail.body).group(1)

    response = client.post(confirm_link)
    assert response.headers["Location"].endswith("/my/company/")
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "newhire@example.kr"))
    assert user.company_id == company.id
    [invitation] = invitations(db)
    assert invitation.accepted_by_id == user.id
    assert company.name in client.get("/my/company/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.company_id == company.id)) == 2
