"""Sign-up with e-mail confirmation, sign-in, sign-out, safe redirects and CSRF."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models import OfficialStatus, Role, User
from tests import factories


def _without_csrf_token(page: bytes) -> bytes:
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token"', page)


def _link_from(mail) -> str:
    match = re.search(r"http://localhost(/auth/confirm/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _register(client, follow_redirects=False, **overrides):
    data = {
        "role": "company",
        "email": "new.user@example.kr",
        "name": "김신규",
        "department": "사업개발팀",
        "phone": "010-1234-5678",
        "password": "a-strong-pass",
        "password_confirm": "a-strong-pass",
        "privacy_consent": "y",
    }
    data.update(overrides)
    return client.post("/auth/register", data=data, follow_redirects=follow_redirects)


def _user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_company_sign_up_is_confirmed_by_email_then_asks_for_a_company(client, db, outbox):
    response = _register(client)
    assert response.status_code == 302
    assert _user_count(db) == 0, "no account before the link is followed"
    assert len(outbox) == 1 and outbox[0].to == "new.user@example.kr"

    page = client.get(_link_from(outbox[0]))
    assert page.status_code == 200 and _user_count(db) == 0, "opening the link writes nothing"
    response = client.post(_link_from(outbox[0]))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/company/new")
    user = db.session.scalar(select(User).where(User.email == "new.user@example.kr"))
    assert user.role == Role.COMPANY and user.check_password("a-strong-pass")
    assert user.password_hash != "a-strong-pass"


def test_official_sign_up_requires_a_municipality_and_starts_pending(client, db, outbox):
    response = _register(client, role="municipality", municipality_id="")
    assert response.status_code == 400
    assert "소속 지자체를 목록에서 선택하세요" in response.get_data(as_text=True)
    assert outbox == []

    jongno = factories.municipality("서울특별시 종로구")
    _register(client, role="municipality", municipality_id=str(jongno.id))
    client.post(_link_from(outbox[0]))
    user = db.session.scalar(select(User).where(User.email == "new.user@example.kr"))
    assert user.municipality_id == jongno.id
    assert user.official_status == OfficialStatus.PENDING


def test_sign_up_does_not_reveal_a_registered_email(client, db, outbox, company_user):
    fresh = _register(client, email="someone.else@example.kr", follow_redirects=True)
    taken = _register(client, email=company_user.email.upper(), follow_redirects=True)
    assert fresh.status_code == taken.status_code == 200
    assert fresh.request.path == taken.request.path == "/auth/login"
    # the same page, byte for byte, but for the time-stamped CSRF token of the language switch
    assert _without_csrf_token(fresh.get_data()) == _without_csrf_token(taken.get_data())
    assert "안내 메일을 보냈습니다" in taken.get_data(as_text=True)
    assert "이미 CityMatch 계정이 있습니다" in outbox[1].body
    assert "/auth/confirm/" not in outbox[1].body
    assert _user_count(db) == 1


def test_bad_sign_up_input_is_refused_with_field_messages(client, db, outbox):
    response = _register(client, email="not-an-email", password="short", password_confirm="other")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "올바른 이메일 주소가 아닙니다" in page
    assert "비밀번호는 10자 이상" in page
    assert outbox == [] and _user_count(db) == 0


def test_tampered_or_reused_confirmation_link_creates_nothing(client, db, outbox):
    _register(client)
    link = _link_from(outbox[0])
    response = client.post(link[:-3] + "xyz", follow_redirects=True)
    assert "올바르지 않습니다" in response.get_data(as_text=True)
    assert _user_count(db) == 0
    client.post(link)
    client.post("/auth/logout")
    again = client.post(link, follow_redirects=True)
    assert "이미 가입이 완료된 링크" in again.get_data(as_text=True)
    assert _user_count(db) == 1


def test_login_message_is_the_same_for_unknown_email_and_wrong_password(client, company_user):
    unknown = client.post("/auth/login", data={"email": "nobody@example.kr", "password": "x" * 10})
    wrong = client.post("/auth/login", data={"email": company_user.email, "password": "x" * 10})
    assert unknown.status_code == wrong.status_code == 400
    message = "이메일 또는 비밀번호가 올바르지 않습니다"
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_login_redirects_to_a_safe_next_only(app, company_user):
    client = app.test_client()
    data = {"email": company_user.email, "password": factories.PASSWORD}
    response = client.post("/auth/login?next=/solutions", data=data)
    assert response.headers["Location"] == "/solutions"
    client.post("/auth/logout")
    for evil in ("https://evil.example/x", "//evil.example", "/\\evil.example"):
        response = client.post(f"/auth/login?next={evil}", data=data)
        assert "evil" not in response.headers["Location"]
        client.post("/auth/logout")


def test_suspended_account_cannot_sign_in(client, db, company_user):
    from app.models import AccountStatus

    company_user.account_status = AccountStatus.SUSPENDED
    db.session.commit()
    response = client.post("/auth/login", data={"email": company_user.email,
                                                "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "정지된 계정" in response.get_data(as_text=True)


def test_logout_requires_post_and_signs_out(company_client):
    assert company_client.get("/auth/logout").status_code == 405
    company_client.post("/auth/logout")
    response = company_client.get("/my/solutions/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_forged_post_without_csrf_token_is_refused(csrf_app):
    with csrf_app.app_context():
        from app.extensions import db

        db.create_all()
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"email": "a@b.kr", "password": "whatever1"})
    assert response.status_code == 400
    assert "보안 토큰" in response.get_data(as_text=True)
