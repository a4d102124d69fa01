"""Accounts (issue 8, findings 3, 7, 8): tokens, password policy, reset/change, lockout, limits."""
from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app.models import AccountExistsNotice, AuditLog, PendingRegistration, User
from app.models.base import utcnow
from tests import factories

STRONG = "violet-harbour-71"


def _register(client, email="new.user@example.kr", password=STRONG, **overrides):
    data = {"role": "company", "email": email, "name": "김신규", "password": password,
            "password_confirm": password, "privacy_consent": "y"}
    data.update(overrides)
    return client.post("/auth/register", data=data)


def _path(mail, prefix: str) -> str:
    match = re.search(rf"http://localhost({prefix}\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _audit_actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


# Finding 8: the confirmation link carries an id and a nonce, never the password hash.

def test_confirmation_token_carries_only_an_id_and_a_nonce(client, db, outbox):
    assert _register(client).status_code == 302
    token = _path(outbox[-1], "/auth/confirm/").rsplit("/", 1)[1]
    _, payload = URLSafeTimedSerializer("any-key").loads_unsafe(token)
    assert set(payload) == {"id", "nonce"}
    pending = db.session.get(PendingRegistration, payload["id"])
    raw = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode("utf-8", "replace")
    for secret in (pending.password_hash, pending.password_hash.split("$")[-1], "scrypt", STRONG):
        assert secret not in raw and secret not in token


def test_confirmation_link_works_once(client, db, outbox):
    _register(client)
    link = _path(outbox[-1], "/auth/confirm/")
    assert client.post(link).status_code == 302
    assert db.session.scalar(select(func.count(User.id))) == 1
    db.session.expire_all()
    assert db.session.scalar(select(PendingRegistration.password_hash)) == ""
    client.post("/auth/logout")
    again = client.post(link, follow_redirects=True)
    assert "이미 가입이 완료된 링크입니다" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_a_forged_nonce_is_refused(app, client, db, outbox):
    _register(client)
    token = _path(outbox[-1], "/auth/confirm/").rsplit("/", 1)[1]
    _, payload = URLSafeTimedSerializer("x").loads_unsafe(token)
    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="citymatch-registration-v2") \
        .dumps({"id": payload["id"], "nonce": "guessed"})
    page = client.post(f"/auth/confirm/{forged}", follow_redirects=True).get_data(as_text=True)
    assert "가입 확인 링크가 올바르지 않습니다" in page
    assert db.session.scalar(select(func.count(User.id))) == 0


# Finding 7: a taken and a new e-mail get the same answer; one "account exists" mail an hour.

def test_taken_and_new_email_get_identical_answers(client, db, outbox, company_user):
    taken = _register(client, email=company_user.email)
    taken_page = client.get(taken.headers["Location"]).get_data(as_text=True)
    new = _register(client, email="fresh@example.kr")
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    # Only the per-request values differ: the request id and the time-stamped CSRF token.
    normalised = lambda page: re.sub(r'request-id">[^<]*<|name="csrf_token" value="[^"]*"',  # noqa: E731
                                     "", page)
    assert normalised(taken_page) == normalised(new_page)
    assert "안내 메일을 보냈습니다" in taken_page
    assert [m.to for m in outbox] == [company_user.email, "fresh@example.kr"]


def test_at_most_one_account_exists_mail_per_hour(client, db, outbox, company_user):
    for _ in range(3):
        assert _register(client, email=company_user.email).status_code == 302
    notices = [m for m in outbox if m.to == company_user.email]
    assert len(notices) == 1 and "이미 CityMatch 계정이 있습니다" in notices[0].body
    notice = db.session.get(AccountExistsNotice, company_user.email)
    notice.sent_at = utcnow() - timedelta(hours=1, minutes=1)
    db.session.commit()
    _register(client, email=company_user.email)
    assert len([m for m in outbox if m.to == company_user.email]) == 2


# Finding 3: password policy.

@pytest.mark.parametrize("password, message", [
    ("12345678", "10자 이상"),
    ("1234567890", "너무 흔하거나 유출된"),
    ("Password123", "너무 흔하거나 유출된"),
    ("new.user-2026!", "이메일 주소나 이름"),
])
def test_weak_passwords_are_refused_at_sign_up(client, db, outbox, password, message):
    response = _register(client, password=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert outbox == [] and db.session.scalar(select(func.count(PendingRegistration.id))) == 0


def test_seed_and_factory_passwords_pass_the_policy(app):
    from app.services import demo_seed
    from app.services.passwords import password_problem

    with app.test_request_context():
        for password in (factories.PASSWORD, demo_seed.ADMIN_PASSWORD, demo_seed.DEMO_PASSWORD):
            assert password_problem(password) is None, password


# Finding 3: unconfirmed sign-in, resend.

def test_unconfirmed_login_says_confirm_only_with_the_right_password(client, db, outbox):
    _register(client)
    right = client.post("/auth/login", data={"email": "new.user@example.kr", "password": STRONG})
    wrong = client.post("/auth/login", data={"email": "new.user@example.kr", "password": "x" * 12})
    right_page, wrong_page = right.get_data(as_text=True), wrong.get_data(as_text=True)
    assert "아직 가입 확인을 마치지 않았습니다" in right_page
    assert 'href="/auth/confirm/resend"' in right_page
    assert "아직 가입 확인" not in wrong_page and "이메일 또는 비밀번호가 올바르지 않습니다" in wrong_page


def test_resend_confirmation_sends_a_new_link_and_kills_the_old(client, db, outbox):
    _register(client)
    old_link = _path(outbox[-1], "/auth/confirm/")
    response = client.post("/auth/confirm/resend", data={"email": "NEW.user@example.kr"})
    assert response.status_code == 302 and len(outbox) == 2
    new_link = _path(outbox[-1], "/auth/confirm/")
    assert new_link != old_link
    client.post(old_link)
    assert db.session.scalar(select(func.count(User.id))) == 0
    client.post(new_link)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_resend_for_an_unknown_address_answers_the_same_and_sends_nothing(client, db, outbox):
    response = client.post("/auth/confirm/resend", data={"email": "nobody@example.kr"},
                           follow_redirects=True)
    assert "확인 메일을 다시 보냈습니다" in response.get_data(as_text=True)
    assert outbox == []


# Finding 3: password reset and change.

def test_password_reset_by_mail_is_single_use(client, db, outbox, company_user):
    response = client.post("/auth/reset", data={"email": company_user.email.upper()},
                           follow_redirects=True)
    assert "비밀번호 재설정 링크를 보냈습니다" in response.get_data(as_text=True)
    link = _path(outbox[-1], "/auth/reset/")
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "12345678", "password_confirm": "12345678"})
    assert weak.status_code == 400 and "10자 이상" in weak.get_data(as_text=True)
    done = client.post(link, data={"password": STRONG, "password_confirm": STRONG})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, company_user.id).check_password(STRONG)
    assert "user.password_reset" in _audit_actions(db)
    reused = client.post(link, data={"password": "another-good-pass-9",
                                     "password_confirm": "another-good-pass-9"})
    assert reused.status_code == 400
    assert "이미 사용되었습니다" in reused.get_data(as_text=True)
    assert client.get(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, company_user.id).check_password(STRONG)


def test_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, db, outbox):
    response = client.post("/auth/reset", data={"email": "nobody@example.kr"},
                           follow_redirects=True)
    assert "비밀번호 재설정 링크를 보냈습니다" in response.get_data(as_text=True)
    assert outbox == []


def test_expired_reset_link_is_refused(app, client, db, outbox, company_user, monkeypatch):
    client.post("/auth/reset", data={"email": company_user.email})
    link = _path(outbox[-1], "/auth/reset/")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.post(link, data={"password": STRONG, "password_confirm": STRONG})
    assert response.status_code == 400 and "만료되었습니다" in response.get_data(as_text=True)


def test_change_password_asks_the_current_one(company_client, db, company_user):
    wrong = company_client.post("/auth/password", data={
        "current_password": "not-my-password", "password": STRONG, "password_confirm": STRONG})
    assert wrong.status_code == 400 and "현재 비밀번호가 올바르지 않습니다" in wrong.get_data(as_text=True)
    weak = company_client.post("/auth/password", data={
        "current_password": factories.PASSWORD, "password": "qwertyuiop",
        "password_confirm": "qwertyuiop"})
    assert weak.status_code == 400 and "너무 흔하거나" in weak.get_data(as_text=True)
    done = company_client.post("/auth/password", data={
        "current_password": factories.PASSWORD, "password": STRONG, "password_confirm": STRONG})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, company_user.id).check_password(STRONG)
    assert "user.password_changed" in _audit_actions(db)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, company_user, login):
    this_device, other_device = login(company_user), login(company_user)
    changed = this_device.post("/auth/password", data={
        "current_password": factories.PASSWORD, "password": STRONG, "password_confirm": STRONG})
    assert changed.status_code == 302
    assert this_device.get("/my/company/").status_code == 200
    assert other_device.get("/my/company/").status_code == 302  # sent to sign in


# Finding 3: lockout (database) and rate limits (Flask-Limiter).

def test_lockout_refuses_the_right_password_and_reveals_nothing(app, client, db, company_user,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ATTEMPTS", 3)
    pages = {}
    for email in (company_user.email, "nobody@example.kr"):
        for _ in range(3):
            client.post("/auth/login", data={"email": email, "password": "wrong-password-1"})
        pages[email] = client.post("/auth/login",
                                   data={"email": email, "password": factories.PASSWORD})
    known, unknown = pages[company_user.email], pages["nobody@example.kr"]
    assert known.status_code == unknown.status_code == 400
    assert "로그인을 잠시 막았습니다" in known.get_data(as_text=True)
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    actions = _audit_actions(db)
    assert actions.count("user.login_failed") == 3 and "user.locked" in actions


def test_lockout_ends_after_its_time(app, client, db, company_user, monkeypatch):
    from app.models import LoginThrottle

    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ATTEMPTS", 2)
    for _ in range(2):
        client.post("/auth/login",
                    data={"email": company_user.email, "password": "wrong-password-1"})
    throttle = db.session.get(LoginThrottle, company_user.email)
    throttle.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    ok = client.post("/auth/login",
                     data={"email": company_user.email, "password": factories.PASSWORD})
    assert ok.status_code == 302


def test_login_is_rate_limited_per_account_with_a_localised_429(client, db, rate_limits,
                                                                  company_user):
    for _ in range(3):
        client.post("/auth/login", data={"email": company_user.email, "password": "wrong-pass-12"})
    limited = client.post("/auth/login", data={"email": company_user.email.upper(),
                                                "password": factories.PASSWORD})
    assert limited.status_code == 429
    assert "요청이 너무 많습니다" in limited.get_data(as_text=True)
    english = client.post("/auth/login", data={"email": company_user.email, "password": "x" * 10},
                          headers={"Accept-Language": "en"})
    assert english.status_code == 429 and "Too many requests" in english.get_data(as_text=True)
    other = client.post("/auth/login",
                        data={"email": "someone.else@example.kr", "password": "x" * 10})
    assert other.status_code == 400


def test_login_is_rate_limited_per_ip(client, db, rate_limits):
    statuses = [client.post("/auth/login", data={"email": f"u{n}@example.kr", "password": "x" * 10}
                            ).status_code for n in range(7)]
    assert statuses[:6] == [400] * 6 and statuses[6] == 429


@pytest.mark.parametrize("path, data", [
    ("/auth/register", {"role": "company", "email": "a@example.kr", "name": "김신규",
                        "password": STRONG, "password_confirm": STRONG, "privacy_consent": "y"}),
    ("/auth/reset", {"email": "a@example.kr"}),
    ("/auth/confirm/resend", {"email": "a@example.kr"}),
])
def test_account_forms_are_rate_limited(client, db, rate_limits, path, data):
    statuses = [client.post(path, data=data).status_code for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429


@pytest.mark.parametrize("path", ["/auth/password", "/account/delete"])
def test_password_checks_of_signed_in_users_are_rate_limited(company_client, db, rate_limits,
                                                             company_user, path):
    wrong = {"current_password": "not-my-password", "password": "not-my-password",
             "new_password": STRONG, "new_password_confirm": STRONG}
    statuses = [company_client.post(path, data=wrong).status_code for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429
    db.session.expire_all()
    assert db.session.get(User, company_user.id).deleted_at is None


def test_interest_requests_are_rate_limited(company_client, db, rate_limits):
    statuses = [company_client.post("/matches/new?need_id=0", data={}).status_code
                for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429


def test_limits_are_off_by_default_in_tests(client, db):
    statuses = {client.post("/auth/reset", data={"email": "a@example.kr"}).status_code
                for _ in range(12)}
    assert statuses == {302}
