"""Sessions and secrets: no usable built-in key, server-side revocation, lifetimes, trusted hosts."""
from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from app import create_app
from app.config import DevelopmentConfig, ProductionConfig, TestingConfig
from app.extensions import db as _db
from app.models import AccountStatus, Role, User
from app.services import sessions
from tests import factories

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The constant every development instance used before keys were generated per instance.
FORMER_DEVELOPMENT_KEY = "dev-only-insecure-key"
SECRET_LITERALS = [
    re.compile(r"""SECRET_KEY\w*["']?\s*[,=:]\s*\(?\s*["']([^"'\s$]{3,})["']"""),
    re.compile(r"""SECRET_KEY:-([^}\s]+)\}"""),
    re.compile(r"""SECRET_KEY["']?\s*,\s*["']([^"'\s]{3,})["']"""),
]


def secret_like_literals() -> set[str]:
    """Every string literal assigned to a SECRET_KEY-like name anywhere in the repository."""
    found = {FORMER_DEVELOPMENT_KEY}
    for path in PROJECT_ROOT.rglob("*"):
        if not path.is_file() or path.suffix not in {".py", ".sh", ".md", ".cfg", ".ini", ".toml",
                                                     ".yml", ".yaml", ".env", ""}:
            continue
        if {".venv", ".git", "instance", "node_modules"} & set(path.relative_to(PROJECT_ROOT).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for pattern in SECRET_LITERALS:
            found.update(pattern.findall(text))
    return found


def forged_cookie(key: str, payload: dict) -> str:
    """A session cookie signed with `key` the way Flask signs its own."""
    signer = Flask("forger")
    signer.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(signer).dumps(payload)


@pytest.fixture()
def development_app(tmp_path):
    """A development-config app (no SECRET_KEY) on its own in-memory database with one admin."""
    class LocalDevelopment(DevelopmentConfig):
        SECRET_KEY = None
        SECRET_KEY_FILE = tmp_path / "instance" / "secret_key"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        REQUEST_LOG_TO_STDERR = False

    application = create_app(LocalDevelopment)
    with application.app_context():
        _db.create_all()
        admin = User(email="root@example.kr", name="관리자", role=Role.ADMIN)
        admin.set_password(factories.PASSWORD)
        _db.session.add(admin)
        _db.session.commit()
        application.config["ADMIN_ID"] = admin.id
        application.config["ADMIN_TOKEN"] = admin.session_token
        yield application
        _db.session.remove()
        _db.drop_all()


def test_development_generates_a_private_key_per_instance(tmp_path, development_app):
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert development_app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(development_app.config["SECRET_KEY"]) >= 64
    assert development_app.config["SECRET_KEY"] not in secret_like_literals()

    class OtherInstance(DevelopmentConfig):
        SECRET_KEY = None
        SECRET_KEY_FILE = tmp_path / "other" / "secret_key"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert create_app(OtherInstance).config["SECRET_KEY"] != development_app.config["SECRET_KEY"]


def test_the_instance_key_is_not_committed():
    ignored = (PROJECT_ROOT / ".gitignore").read_text().split()
    assert "instance/" in ignored


def test_a_cookie_forged_with_any_key_in_the_repository_gets_no_admin_page(development_app):
    keys = secret_like_literals()
    assert {FORMER_DEVELOPMENT_KEY, "test-secret-key", "live-server-tests-only"} <= keys
    admin_id = development_app.config["ADMIN_ID"]
    now = sessions.now()
    for key in sorted(keys):
        for user_id in (str(admin_id), f"{admin_id}:", f"{admin_id}:0"):
            client = development_app.test_client()
            client.set_cookie("session", forged_cookie(key, {
                "_user_id": user_id, "_fresh": True,
                sessions.SIGNED_IN_AT: now, sessions.LAST_SEEN_AT: now}))
            response = client.get("/admin/users")
            assert response.status_code in (302, 403), (key, user_id)
            if response.status_code == 302:
                assert "/auth/login" in response.headers["Location"]


def test_a_cookie_with_the_instance_key_and_token_is_accepted(development_app):
    """The forging test above would notice a working forgery: the real key does work."""
    config = development_app.config
    now = sessions.now()
    client = development_app.test_client()
    client.set_cookie("session", forged_cookie(config["SECRET_KEY"], {
        "_user_id": f"{config['ADMIN_ID']}:{config['ADMIN_TOKEN']}", "_fresh": True,
        sessions.SIGNED_IN_AT: now, sessions.LAST_SEEN_AT: now}))
    assert client.get("/admin/users").status_code == 200


def test_production_has_no_generated_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class NoKey(ProductionConfig):
        SECRET_KEY = None

        @classmethod
        def validate(cls) -> None:
            """Skip the environment check to reach the factory's own refusal."""

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoKey)


# --- revocation --------------------------------------------------------------------------------

def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _client_with(app, cookie: str):
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    return copy


def _signed_in(response) -> bool:
    return response.status_code == 200


def test_a_cookie_copied_before_logout_no_longer_works(app, login, company_user):
    client = login(company_user)
    copied = _client_with(app, _session_cookie(client))
    assert _signed_in(copied.get("/account/"))

    assert client.post("/auth/logout").status_code == 302

    response = copied.get("/account/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_suspension_ends_copied_sessions_even_after_reactivation(app, db, login, admin_client,
                                                                 company_user):
    copied = _client_with(app, _session_cookie(login(company_user)))
    assert _signed_in(copied.get("/account/"))

    admin_client.post(f"/admin/users/{company_user.id}/account",
                      data={"action": "suspend", "reason": "조사 중"})
    assert not _signed_in(copied.get("/account/"))
    admin_client.post(f"/admin/users/{company_user.id}/account", data={"action": "reactivate"})
    assert db.session.get(User, company_user.id).account_status == AccountStatus.ACTIVE
    assert not _signed_in(_client_with(app, _session_cookie(copied)).get("/account/"))


@pytest.mark.parametrize("change", ["password", "role"])
def test_password_or_role_change_ends_existing_sessions(app, db, login, company_user, change):
    client = login(company_user)
    assert _signed_in(client.get("/account/"))
    user = db.session.get(User, company_user.id)
    if change == "password":
        user.set_password("another-long-passphrase-42")
    else:
        user.role = Role.ADMIN
    db.session.commit()
    assert not _signed_in(client.get("/account/"))


def test_unchanged_values_keep_the_session(app, db, login, company_user):
    client = login(company_user)
    user = db.session.get(User, company_user.id)
    user.role = Role.COMPANY
    user.name = "새 이름"
    db.session.commit()
    assert _signed_in(client.get("/account/"))


def test_sign_out_everywhere_ends_another_clients_session(app, db, login, company_user):
    laptop, phone = login(company_user), login(company_user)
    assert _signed_in(phone.get("/account/"))
    page = laptop.get("/account/").get_data(as_text=True)
    assert "로그아웃: 모든 기기" in page

    response = laptop.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert not _signed_in(phone.get("/account/"))
    assert not _signed_in(laptop.get("/account/"))
    from app.models import AuditLog
    assert db.session.scalar(
        _db.select(AuditLog.action).where(AuditLog.target_id == company_user.id,
                                          AuditLog.action == "user.sessions_revoked"))


def test_the_account_page_is_linked_for_signed_in_users(client, company_client):
    assert 'href="/account/"' in company_client.get("/notifications/").get_data(as_text=True)
    assert client.get("/account/").status_code == 302


# --- lifetimes ---------------------------------------------------------------------------------

class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: float) -> None:
        self.moment = start

    def __call__(self) -> float:
        return self.moment

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.moment += minutes * 60 + hours * 3600


@pytest.fixture()
def clock(monkeypatch):
    controlled = Clock(1_800_000_000.0)
    monkeypatch.setattr(sessions, "now", controlled)
    return controlled


def test_an_idle_session_expires(app, login, company_user, clock):
    client = login(company_user)
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    assert _signed_in(client.get("/account/")), "activity within the idle limit keeps it"
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    response = client.get("/account/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert "다시 로그인하세요" in client.get("/auth/login").get_data(as_text=True)


def test_an_active_session_still_ends_at_its_absolute_lifetime(app, login, company_user, clock):
    client = login(company_user)
    step = app.config["SESSION_IDLE_MINUTES"] / 2
    elapsed = 0.0
    while elapsed + step < app.config["SESSION_MAX_HOURS"] * 60:
        assert _signed_in(client.get("/account/"))
        clock.advance(minutes=step)
        elapsed += step
    clock.advance(minutes=step + 1)  # still within the idle limit, past the absolute one
    assert not _signed_in(client.get("/account/"))


# --- links and hosts ---------------------------------------------------------------------------

def test_mailed_links_use_public_base_url_not_the_host_header(app, db, outbox):
    client = app.test_client()
    response = client.post("/auth/register", headers={"Host": "evil.example"}, data={
        "role": "company", "email": "host.test@example.kr", "name": "김호스트",
        "department": "개발팀", "phone": "010-1234-5678",
        "password": "river-lantern-quartz-77", "password_confirm": "river-lantern-quartz-77",
        "privacy_consent": "y"})
    assert response.status_code == 302
    assert len(outbox) == 1
    assert "evil.example" not in outbox[0].body
    assert re.search(re.escape(app.config["PUBLIC_BASE_URL"]) + r"/auth/confirm/\S+", outbox[0].body)


def _production_app(monkeypatch, **settings):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test")

    class Production(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        PUBLIC_BASE_URL = "https://citymatch.example.kr"
        TRUSTED_HOSTS = None
        REQUEST_LOG_TO_STDERR = False

    for name, value in settings.items():
        setattr(Production, name, value)
    return create_app(Production)


def test_production_refuses_a_forged_host(monkeypatch):
    application = _production_app(monkeypatch)
    assert application.config["TRUSTED_HOSTS"] == ["citymatch.example.kr"]
    client = application.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "citymatch.example.kr"}).status_code == 200


def test_trusted_hosts_can_be_listed(monkeypatch):
    application = _production_app(monkeypatch, TRUSTED_HOSTS=["a.example", "b.example"])
    client = application.test_client()
    assert client.get("/healthz", headers={"Host": "b.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "citymatch.example.kr"}).status_code == 400


def test_development_trusts_only_loopback_names(development_app):
    client = development_app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 200


def test_testing_config_is_unchanged():
    assert TestingConfig.SECRET_KEY == "test-secret-key"
