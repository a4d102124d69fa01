"""Personal information (PIPA): consent at sign-up, the privacy page, data download, deletion."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditLog,
    Company,
    Need,
    Notification,
    OfficialStatus,
    OutgoingEmail,
    PendingRegistration,
    PrivacyConsent,
    Role,
    Solution,
    User,
)
from app.services import accounts, audit, privacy, unit_of_work, workflow
from app.services.errors import ServiceError
from tests import factories
from tests.test_reference_data import categories_restored, taxonomy_markdown

STRONG = "violet-harbour-71"
ENGLISH = {"Accept-Language": "en"}


def _sign_up(client, **overrides):
    data = {"role": "company", "email": "new.user@example.kr", "name": "김신규",
            "phone": "010-9876-5432", "password": STRONG, "password_confirm": STRONG,
            "privacy_consent": "y"}
    data.update(overrides)
    return client.post("/auth/register", data={k: v for k, v in data.items() if v is not None})


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- consent at sign-up ---------------------------------------------------------------------

def test_the_sign_up_form_states_purpose_items_retention_and_the_right_to_refuse(client, db):
    page = client.get("/auth/register").get_data(as_text=True)
    for heading in ("수집·이용 목적", "수집 항목", "보유·이용 기간", "동의를 거부할 권리 및 불이익"):
        assert heading in page
    assert "회원 탈퇴 시까지" in page and f"버전 {privacy.CURRENT.version}" in page
    assert 'name="privacy_consent"' in page
    english = client.get("/auth/register", headers=ENGLISH).get_data(as_text=True)
    assert "Right to refuse consent and its consequences" in english
    assert "Until you delete your account" in english


def test_sign_up_without_consent_is_refused_and_writes_nothing(client, db, outbox):
    response = _sign_up(client, privacy_consent=None)
    assert response.status_code == 400
    assert "개인정보 수집·이용에 동의해야 가입할 수 있습니다." in response.get_data(as_text=True)
    assert _count(db, PendingRegistration) == 0 and _count(db, OutgoingEmail) == 0
    assert outbox == []
    english = client.post("/auth/register", headers=ENGLISH, data={
        "role": "company", "email": "en@example.kr", "name": "Kim", "password": STRONG,
        "password_confirm": STRONG}).get_data(as_text=True)
    assert "You must agree to the collection and use of personal information to sign up." in english


def test_the_service_refuses_a_missing_or_outdated_consent_version(app, db):
    for version in (None, "v0", ""):
        with app.test_request_context(), pytest.raises(ServiceError) as refused:
            accounts.request_registration(email="x@example.kr", password=STRONG, name="김신규",
                                          role=Role.COMPANY, consent_version=version)
        assert refused.value.field == "privacy_consent"
    assert _count(db, PendingRegistration) == 0


def test_confirmed_sign_up_records_the_consent_version_and_time(client, db, outbox):
    assert _sign_up(client).status_code == 302
    pending = db.session.scalar(select(PendingRegistration))
    assert pending.consent_version == privacy.CURRENT.version
    link = re.search(r"http://localhost(/auth/confirm/\S+)", outbox[-1].body).group(1)
    assert _count(db, PrivacyConsent) == 0, "no consent record before the account exists"
    assert client.post(link).status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "new.user@example.kr"))
    consents = db.session.scalars(select(PrivacyConsent)).all()
    assert [(c.user_id, c.document_version) for c in consents] == [(user.id, "v1")]
    assert consents[0].accepted_at is not None
    page = client.get("/account/").get_data(as_text=True)
    assert "동의 기록" in page and "버전 v1" in page


def test_the_privacy_page_is_public_and_shows_the_current_notice(client, db):
    response = client.get("/privacy")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "개인정보 처리방침" in page and str(privacy.CURRENT.retention) in page
    assert f"버전 {privacy.CURRENT.version}" in page
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True), "linked from every page"


def test_a_changed_consent_text_needs_a_new_version(app):
    with app.app_context():
        assert privacy.PUBLISHED_DIGESTS.get(privacy.CURRENT.version) == privacy.CURRENT.digest(), (
            "the consent text changed: give it a new version (and add its digest) so that "
            "earlier consent records keep pointing at the text their users accepted")


# --- download my data -----------------------------------------------------------------------

@pytest.fixture()
def deal(db, company, company_user, official):
    """An official's need, a company's solution, an interest request and its notification."""
    solution = factories.make_solution(company, title="DRT 배차 플랫폼")
    need = factories.make_need(official, title="읍면 수요응답형 교통")
    unit_of_work.commit()
    audit.record(None, "official.verify", official, after={"official_status": "verified"})
    workflow.express_interest(official, need, solution, "함께 검토하고 싶습니다.")
    unit_of_work.commit()
    return {"need": need, "solution": solution}


def test_download_my_data_has_everything_about_me_and_nothing_about_others(
        official_client, official, company_user, deal, db):
    response = official_client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == official.email and data["profile"]["phone"] == "02-123-4567"
    assert [c["document_version"] for c in data["privacy_consents"]] == ["v1"]
    assert data["organisation"]["municipality"]["full_name"] == "서울특별시 종로구"
    assert [n["title"] for n in data["needs_authored"]] == ["읍면 수요응답형 교통"]
    assert [m["message"] for m in data["interest_requests"]] == ["함께 검토하고 싶습니다."]
    assert "official.verify" in [e["action"] for e in data["audit_events_about_you"]]
    text = response.get_data(as_text=True)
    assert company_user.email not in text and company_user.name not in text
    assert "password_hash" not in text and official.password_hash not in text


def test_a_company_member_gets_their_notifications_and_company(company_client, company_user,
                                                               company, deal):
    data = json.loads(company_client.get("/account/data.json").get_data(as_text=True))
    assert data["organisation"]["company"]["name"] == company.name
    assert [s["title"] for s in data["company_solutions"]] == ["DRT 배차 플랫폼"]
    assert len(data["notifications"]) >= 1
    assert any(mail["subject"] for mail in data["emails_to_you"])


def test_download_needs_a_signed_in_user(client, db):
    response = client.get("/account/data.json")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- delete my account ----------------------------------------------------------------------

def _audit_text(db) -> str:
    return json.dumps([[e.action, e.target_label, e.before, e.after, e.reason]
                       for e in db.session.scalars(select(AuditLog))], ensure_ascii=False)


def test_the_delete_page_explains_what_happens(company_client, db):
    page = company_client.get("/account/delete").get_data(as_text=True)
    assert "탈퇴한 사용자" in page and "되돌릴 수 없습니다" in page
    assert 'name="password"' in page
    assert "이 기업의 마지막 회원입니다" in page


def test_a_wrong_password_deletes_nothing(company_client, company_user, db):
    before = (company_user.email, company_user.name, company_user.phone)
    response = company_client.post("/account/delete", data={"password": "not-my-password"})
    assert response.status_code == 400
    assert "비밀번호가 올바르지 않습니다." in response.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, company_user.id)
    assert (user.email, user.name, user.phone) == before and user.deleted_at is None
    assert company_client.get("/account/").status_code == 200, "still signed in"


def test_deleting_erases_personal_data_and_keeps_the_organisations_records(
        app, company_client, company_user, company, official_client, official, deal, db):
    old_email, old_name, user_id = company_user.email, company_user.name, company_user.id
    assert _count(db, Notification) >= 1
    assert db.session.scalar(select(func.count(OutgoingEmail.id))
                             .where(OutgoingEmail.to_address == old_email)) >= 1
    copied = app.test_client()
    copied.set_cookie(**{"key": "session", "value": company_client.get_cookie("session").value})

    response = company_client.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.deleted_at is not None and user.email == f"deleted-{user_id}@deleted.invalid"
    assert user.name == "탈퇴한 사용자"
    assert (user.phone, user.department, user.company_id) == (None, None, None)
    assert not user.check_password(factories.PASSWORD)
    # The organisation's records stay.
    assert db.session.get(Company, company.id) is not None
    assert db.session.get(Solution, deal["solution"].id) is not None
    # Personal rows are gone or redacted.
    assert db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user_id)) == 0
    assert db.session.scalar(select(func.count(OutgoingEmail.id))
                             .where(OutgoingEmail.to_address == old_email)) == 0
    audit_text = _audit_text(db)
    assert old_email not in audit_text and old_name not in audit_text
    deletion = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.deleted"))
    assert deletion.target_id == user_id and deletion.target_label == f"탈퇴한 사용자 #{user_id}"
    assert deletion.after["company_left_without_members"] is True
    # Sessions ended, the old credentials no longer sign in, the address is free again.
    assert company_client.get("/account/").status_code == 302
    assert copied.get("/account/").status_code == 302
    login = app.test_client().post("/auth/login", data={"email": old_email,
                                                        "password": factories.PASSWORD})
    assert login.status_code == 400
    assert _sign_up(app.test_client(), email=old_email).status_code == 302
    # The other side still sees the need's match, now from a "deleted user".
    assert official_client.get("/matches/history").status_code == 200


def test_a_deleted_officials_need_stays_with_the_municipality(official_client, official, deal, db):
    need_id = deal["need"].id
    assert official_client.post("/account/delete",
                                data={"password": factories.PASSWORD}).status_code == 302
    db.session.expire_all()
    need = db.session.get(Need, need_id)
    assert need is not None and need.created_by_id == official.id
    assert need.created_by.name == "탈퇴한 사용자" and need.created_by.municipality_id is not None


def test_the_last_admin_cannot_delete_their_account(admin_client, admin_user, db, login):
    page = admin_client.get("/account/delete").get_data(as_text=True)
    assert "마지막 관리자는 탈퇴할 수 없습니다" in page
    response = admin_client.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, admin_user.id).deleted_at is None
    second = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    assert admin_client.post("/account/delete",
                             data={"password": factories.PASSWORD}).status_code == 302
    assert login(second).get("/admin/users").status_code == 200


def test_a_colleague_keeps_the_company_going(company_client, company_user, company, db):
    colleague = factories.make_user(role=Role.COMPANY, company=company)
    db.session.commit()
    page = company_client.get("/account/delete").get_data(as_text=True)
    assert "이 기업의 마지막 회원입니다" not in page
    assert company_client.post("/account/delete",
                               data={"password": factories.PASSWORD}).status_code == 302
    db.session.expire_all()
    members = db.session.scalars(select(User).where(User.company_id == company.id)).all()
    assert [m.id for m in members] == [colleague.id]
    deletion = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.deleted"))
    assert deletion.after["company_left_without_members"] is False


def test_deletion_needs_a_post_with_the_password(company_client, company_user, db):
    assert company_client.post("/account/delete", data={}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, company_user.id).deleted_at is None


# --- a new version of the notice -------------------------------------------------------------

@pytest.fixture()
def new_notice(monkeypatch):
    """Publish a version 2 of the consent notice for the duration of the test."""
    version_2 = dataclasses.replace(privacy.CURRENT, version="v2", effective_date="2027-01-01")
    monkeypatch.setattr(privacy, "CURRENT", version_2)
    return version_2


def test_a_new_notice_version_asks_signed_in_users_to_consent_again(
        official_client, official, new_notice, db):
    response = official_client.get("/my/needs/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/consent?next=/my/needs/"
    page = official_client.get("/account/consent").get_data(as_text=True)
    assert "버전 v2" in page and "동의를 거부할 권리 및 불이익" in page
    # Refusing is possible: the data download and deletion stay reachable.
    assert official_client.get("/account/data.json").status_code == 200
    assert official_client.get("/account/delete").status_code == 200
    refused = official_client.post("/account/consent?next=/my/needs/", data={"version": "v2"})
    assert refused.status_code == 400
    assert "동의해야 서비스를 계속 이용할 수 있습니다" in refused.get_data(as_text=True)
    stale = official_client.post("/account/consent", data={"version": "v1",
                                                           "privacy_consent": "y"})
    assert stale.status_code == 400 and "안내가 바뀌었습니다" in stale.get_data(as_text=True)
    assert not privacy.has_accepted(official, "v2")

    accepted = official_client.post("/account/consent?next=/my/needs/",
                                    data={"version": "v2", "privacy_consent": "y"})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/my/needs/"
    assert official_client.get("/my/needs/").status_code == 200
    versions = db.session.scalars(select(PrivacyConsent.document_version)
                                  .where(PrivacyConsent.user_id == official.id)
                                  .order_by(PrivacyConsent.id)).all()
    assert versions == ["v1", "v2"]


def test_a_user_without_any_consent_record_is_asked_once(login, db):
    user = factories.make_user(role=Role.COMPANY, consented=False)
    db.session.commit()
    client = login(user)
    assert client.get("/account/").headers["Location"].startswith("/account/consent")
    client.post("/account/consent", data={"version": privacy.CURRENT.version,
                                          "privacy_consent": "y"})
    assert client.get("/account/").status_code == 200
    assert client.get("/privacy").status_code == 200


def test_demo_seed_gives_every_demo_user_the_current_consent(app, runner, db, tmp_path):
    taxonomy = tmp_path / "taxonomy.md"
    taxonomy.write_text(taxonomy_markdown(), encoding="utf-8")
    with categories_restored(app):  # the seed loads every category; later tests expect four
        app.config["TAXONOMY_PATH"] = str(taxonomy)
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        users = db.session.scalar(select(func.count(User.id)))
        consented = db.session.scalar(
            select(func.count(func.distinct(PrivacyConsent.user_id)))
            .where(PrivacyConsent.document_version == privacy.CURRENT.version))
        assert users > 0 and consented == users
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        assert db.session.scalar(select(func.count(PrivacyConsent.id))) == users, "rerun adds none"


def test_a_deleted_official_gets_no_more_notifications_or_mail(
        official_client, official, company_client, deal, db):
    assert official_client.post("/account/delete",
                                data={"password": factories.PASSWORD}).status_code == 302
    other_need = factories.make_need(official, title="스마트 가로등")
    db.session.commit()
    response = company_client.post(f"/matches/new?need_id={other_need.id}", data={
        "need_id": other_need.id, "solution_id": deal["solution"].id,
        "message": "저희 솔루션을 제안합니다."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == official.id)) == 0
    assert db.session.scalar(select(func.count(OutgoingEmail.id)).where(
        OutgoingEmail.to_address.like("deleted-%"))) == 0


def test_deleted_officials_leave_the_admin_queue(admin_client, login, db):
    pending = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    db.session.commit()
    assert pending.email in admin_client.get("/admin/officials?status=pending").get_data(as_text=True)
    assert login(pending).post("/account/delete",
                               data={"password": factories.PASSWORD}).status_code == 302
    page = admin_client.get("/admin/officials?status=pending").get_data(as_text=True)
    assert f"deleted-{pending.id}@" not in page and "탈퇴한 사용자" not in page


def test_an_admin_cannot_reactivate_or_verify_a_deleted_account(admin_client, login, db):
    official = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    db.session.commit()
    assert login(official).post("/account/delete",
                                data={"password": factories.PASSWORD}).status_code == 302
    assert "탈퇴" in admin_client.get(f"/admin/users/{official.id}").get_data(as_text=True)
    for path, action in ((f"/admin/users/{official.id}/account", "suspend"),
                         (f"/admin/officials/{official.id}/decision", "verify")):
        admin_client.post(path, data={"action": action, "reason": "테스트 사유입니다."})
    db.session.expire_all()
    user = db.session.get(User, official.id)
    assert user.official_status == OfficialStatus.PENDING and user.account_status.value == "active"
    assert db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action.in_(("user.suspend", "official.verify")))) == 0
