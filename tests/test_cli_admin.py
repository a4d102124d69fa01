"""`flask create-admin`: creates a working administrator and refuses bad input."""
from __future__ import annotations

from sqlalchemy import func, select

from app.models import AccountStatus, AuditLog, Role, User

PASSWORD = "admin-pass-2024"


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_creates_an_admin_who_can_sign_in(app, db, runner):
    result = runner.invoke(args=["create-admin", "--email", "Root@CityMatch.kr",
                                 "--name", "운영자", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "관리자 계정을 만들었습니다: root@citymatch.kr" in result.output

    db.session.expire_all()
    admin = db.session.scalar(select(User).where(User.email == "root@citymatch.kr"))
    assert admin.role == Role.ADMIN and admin.name == "운영자"
    assert admin.account_status == AccountStatus.ACTIVE

    client = app.test_client()
    response = client.post("/auth/login", data={"email": "root@citymatch.kr", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200


def test_creation_is_recorded_in_the_audit_log(admin_client, db, runner):
    runner.invoke(args=["create-admin", "--email", "second@citymatch.kr", "--password", PASSWORD])
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create_admin"))
    assert entry is not None and entry.actor_id is None
    assert entry.after == {"email": "second@citymatch.kr", "name": "관리자", "role": "admin"}
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "관리자 계정 생성" in html and "시스템 (CLI)" in html


def test_prompts_for_missing_values(db, runner):
    result = runner.invoke(args=["create-admin"],
                           input=f"prompt@citymatch.kr\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "prompt@citymatch.kr")).is_admin


def test_duplicate_email_is_refused_without_a_second_user(db, runner):
    first = runner.invoke(args=["create-admin", "--email", "dup@citymatch.kr",
                                "--password", PASSWORD])
    assert first.exit_code == 0
    before = user_count(db)
    second = runner.invoke(args=["create-admin", "--email", "DUP@citymatch.kr",
                                 "--password", "another-pass-99"])
    assert second.exit_code != 0
    assert "이미 사용 중인 이메일입니다" in second.output
    db.session.expire_all()
    assert user_count(db) == before
    assert db.session.scalar(select(func.count(AuditLog.id))
                             .where(AuditLog.action == "user.create_admin")) == 1


def test_short_password_is_refused(db, runner):
    result = runner.invoke(args=["create-admin", "--email", "short@citymatch.kr",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "10자 이상" in result.output
    db.session.expire_all()
    assert user_count(db) == 0


def test_malformed_email_is_refused(db, runner):
    result = runner.invoke(args=["create-admin", "--email", "not-an-email",
                                 "--password", PASSWORD])
    assert result.exit_code != 0
    assert "올바른 이메일 주소가 아닙니다" in result.output
    db.session.expire_all()
    assert user_count(db) == 0


def test_common_password_is_refused(db, runner):
    result = runner.invoke(args=["create-admin", "--email", "common@citymatch.kr",
                                 "--password", "1234567890"])
    assert result.exit_code != 0
    assert "너무 흔하거나" in result.output
    db.session.expire_all()
    assert user_count(db) == 0
