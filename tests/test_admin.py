"""The administrators' console: access, membership and official decisions, moderation, users."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.models import (
    AccountStatus,
    AuditLog,
    Company,
    MembershipStatus,
    ModerationStatus,
    Need,
    OfficialStatus,
    Role,
    Solution,
    SolutionStatus,
    User,
)
from app.services.visibility import public_solutions
from tests import factories

REASON_REQUIRED = "사유를 입력하세요"


def audit_count(db, action: str | None = None) -> int:
    """How many audit entries exist (optionally with this action)."""
    query = select(func.count(AuditLog.id))
    if action:
        query = query.where(AuditLog.action == action)
    return db.session.scalar(query)


def reload(db, model, object_id):
    """The object as stored now."""
    db.session.expire_all()
    return db.session.get(model, object_id)


def page_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def pending_company(db):
    """A company that applied for alliance membership, with one member and a published solution."""
    company = factories.make_company(name="신청기업", membership=MembershipStatus.PENDING)
    factories.make_user(role=Role.COMPANY, company=company, email="member@pending.kr")
    factories.make_solution(company, title="대기 솔루션")
    db.session.commit()
    return company


@pytest.fixture()
def pending_official(db):
    """An official of 부산광역시 해운대구 waiting for verification, with one need."""
    user = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구",
                               official_status=OfficialStatus.PENDING, email="wait@busan.go.kr")
    factories.make_need(user, title="해운대 주차 수요")
    db.session.commit()
    return user


@pytest.fixture()
def objects(db, pending_company, pending_official, company_user):
    """One of each kind of object an admin acts on, as URL arguments."""
    solution = factories.make_solution(company_user.company, title="승인기업 솔루션")
    need = factories.make_need(pending_official)
    db.session.commit()
    return {
        "company_id": pending_company.id,
        "user_id": pending_official.id,
        "solution_id": solution.id,
        "need_id": need.id,
    }


GET_PAGES = [
    "/admin/",
    "/admin/companies",
    "/admin/companies/{company_id}",
    "/admin/officials",
    "/admin/officials/{user_id}",
    "/admin/solutions",
    "/admin/solutions/{solution_id}",
    "/admin/needs",
    "/admin/needs/{need_id}",
    "/admin/users",
    "/admin/users/{user_id}",
    "/admin/audit",
]

POST_ACTIONS = [
    ("/admin/companies/{company_id}/decision", "approve", Company, "company_id",
     "membership_status", MembershipStatus.PENDING),
    ("/admin/officials/{user_id}/decision", "verify", User, "user_id",
     "official_status", OfficialStatus.PENDING),
    ("/admin/solutions/{solution_id}/moderation", "suspend", Solution, "solution_id",
     "moderation_status", ModerationStatus.ACTIVE),
    ("/admin/needs/{need_id}/moderation", "suspend", Need, "need_id",
     "moderation_status", ModerationStatus.ACTIVE),
    ("/admin/users/{user_id}/account", "suspend", User, "user_id",
     "account_status", AccountStatus.ACTIVE),
]


# --- access ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", GET_PAGES)
def test_every_page_renders_for_an_admin(admin_client, objects, path):
    response = admin_client.get(path.format(**objects))
    assert response.status_code == 200
    assert "관리자 메뉴" in page_text(response)


@pytest.mark.parametrize("path", GET_PAGES)
def test_pages_send_anonymous_visitors_to_login(client, objects, path):
    response = client.get(path.format(**objects))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", GET_PAGES)
def test_pages_are_forbidden_to_company_users_and_officials(company_client, official_client,
                                                            objects, path):
    assert company_client.get(path.format(**objects)).status_code == 403
    assert official_client.get(path.format(**objects)).status_code == 403


@pytest.mark.parametrize("path, action, model, key, attribute, unchanged", POST_ACTIONS)
def test_actions_refuse_anonymous_and_non_admins(db, client, company_client, official_client,
                                                 objects, path, action, model, key, attribute,
                                                 unchanged):
    url = path.format(**objects)
    data = {"action": action, "reason": "사유"}
    anonymous = client.post(url, data=data)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert company_client.post(url, data=data).status_code == 403
    assert official_client.post(url, data=data).status_code == 403
    assert getattr(reload(db, model, objects[key]), attribute) == unchanged
    assert audit_count(db) == 0


@pytest.mark.parametrize("path", [
    "/admin/companies/999999", "/admin/officials/999999", "/admin/solutions/999999",
    "/admin/needs/999999", "/admin/users/999999",
])
def test_missing_objects_are_404(admin_client, path):
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize("path, action", [
    ("/admin/companies/999999/decision", "approve"),
    ("/admin/officials/999999/decision", "verify"),
    ("/admin/solutions/999999/moderation", "suspend"),
    ("/admin/needs/999999/moderation", "suspend"),
    ("/admin/users/999999/account", "suspend"),
])
def test_actions_on_missing_objects_are_404(db, admin_client, path, action):
    assert admin_client.post(path, data={"action": action, "reason": "x"}).status_code == 404
    assert audit_count(db) == 0


def test_actions_require_post(admin_client, objects):
    response = admin_client.get(f"/admin/companies/{objects['company_id']}/decision")
    assert response.status_code == 405


def test_actions_require_a_csrf_token(csrf_app):
    response = csrf_app.test_client().post("/admin/companies/1/decision",
                                           data={"action": "approve"})
    assert response.status_code == 400
    assert "보안 토큰" in page_text(response)


def test_decision_forms_carry_a_csrf_token(admin_client, pending_company):
    html = page_text(admin_client.get(f"/admin/companies/{pending_company.id}"))
    assert 'name="csrf_token"' in html
    assert 'method="post"' in html


# --- console home ---------------------------------------------------------------------------

def dashboard_number(html: str, key: str) -> int:
    match = re.search(rf'id="count-{key}">\s*(?:<div class="card-body">\s*<div class="display-6">)?'
                      rf'(?:[^<]*<span class="badge[^"]*">)?(\d+)', html)
    assert match, f"count {key} not on the page"
    return int(match.group(1))


def test_home_counts_what_awaits_a_decision(db, admin_client, pending_company, pending_official,
                                            company):
    factories.make_company(membership=MembershipStatus.SUSPENDED)
    suspended = factories.make_solution(company)
    suspended.moderation_status = ModerationStatus.SUSPENDED
    factories.make_solution(pending_company, status=SolutionStatus.DRAFT)
    db.session.commit()

    html = page_text(admin_client.get("/admin/"))
    assert dashboard_number(html, "companies-pending") == 1
    assert dashboard_number(html, "officials-pending") == 1
    # the published solution of the pending company; its draft is not counted
    assert dashboard_number(html, "solutions-pending") == 1
    assert dashboard_number(html, "needs-pending") == 1
    assert dashboard_number(html, "companies-suspended") == 1
    assert dashboard_number(html, "solutions-suspended") == 1
    assert dashboard_number(html, "users-suspended") == 0
    assert "/admin/companies?status=pending" in html


def test_home_lists_recent_audit_entries(db, admin_client, pending_company):
    admin_client.post(f"/admin/companies/{pending_company.id}/decision",
                      data={"action": "approve"})
    html = page_text(admin_client.get("/admin/"))
    assert "최근 감사 기록" in html
    assert "기업 승인" in html and "신청기업" in html
    assert dashboard_number(html, "companies-pending") == 0


# --- companies ------------------------------------------------------------------------------

def test_company_list_filters_by_status_and_searches(admin_client, pending_company, company):
    pending = page_text(admin_client.get("/admin/companies?status=pending"))
    assert "신청기업" in pending and company.name not in pending

    by_name = page_text(admin_client.get("/admin/companies?q=신청"))
    assert "신청기업" in by_name and company.name not in by_name

    number = pending_company.formatted_business_number
    by_number = page_text(admin_client.get(f"/admin/companies?q={number}"))
    assert "신청기업" in by_number and company.name not in by_number


@pytest.mark.parametrize("query", ["?page=abc", "?page=-3", "?status=bogus", "?q=%25_", "?page=999"])
def test_company_list_survives_malformed_query_strings(admin_client, pending_company, query):
    assert admin_client.get("/admin/companies" + query).status_code == 200


def test_company_list_paginates(app, db, admin_client, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    for index in range(3):
        factories.make_company(name=f"페이지기업{index}", membership=MembershipStatus.PENDING)
    db.session.commit()
    first = page_text(admin_client.get("/admin/companies?q=페이지기업"))
    second = page_text(admin_client.get("/admin/companies?q=페이지기업&page=2"))
    assert len(re.findall(r">페이지기업\d<", first)) == 2 and "page=2" in first
    assert len(re.findall(r">페이지기업\d<", second)) == 1


def test_company_detail_shows_members_and_solutions(admin_client, pending_company):
    html = page_text(admin_client.get(f"/admin/companies/{pending_company.id}"))
    assert "member@pending.kr" in html
    assert "대기 솔루션" in html
    assert 'value="approve"' in html and 'value="reject"' in html
    assert 'value="suspend"' not in html


def test_approving_a_pending_company(db, admin_client, admin_user, pending_company):
    response = admin_client.post(f"/admin/companies/{pending_company.id}/decision",
                                 data={"action": "approve"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/companies/{pending_company.id}")
    company = reload(db, Company, pending_company.id)
    assert company.membership_status == MembershipStatus.APPROVED
    assert company.membership_decided_at is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "company.approve"))
    assert entry.actor_id == admin_user.id
    assert entry.target_type == "Company" and entry.target_id == company.id
    assert entry.before["membership_status"] == "pending"
    assert entry.after["membership_status"] == "approved"
    # the company's published solution is public now
    assert company.solutions[0].id in {s.id for s in db.session.scalars(public_solutions())}


def test_rejecting_requires_a_reason(db, admin_client, pending_company):
    response = admin_client.post(f"/admin/companies/{pending_company.id}/decision",
                                 data={"action": "reject", "reason": "   "})
    assert response.status_code == 400
    html = page_text(response)
    assert REASON_REQUIRED in html and 'id="reason-errors"' in html
    company = reload(db, Company, pending_company.id)
    assert company.membership_status == MembershipStatus.PENDING
    assert company.membership_decided_at is None
    assert audit_count(db) == 0


def test_reason_longer_than_500_characters_is_refused(db, admin_client, pending_company):
    response = admin_client.post(f"/admin/companies/{pending_company.id}/decision",
                                 data={"action": "reject", "reason": "가" * 501})
    assert response.status_code == 400
    assert "500자 이하" in page_text(response)
    assert reload(db, Company, pending_company.id).membership_status == MembershipStatus.PENDING
    assert audit_count(db) == 0


def test_rejecting_with_a_reason(db, admin_client, pending_company):
    response = admin_client.post(f"/admin/companies/{pending_company.id}/decision",
                                 data={"action": "reject", "reason": "사업자 정보 불일치"})
    assert response.status_code == 302
    company = reload(db, Company, pending_company.id)
    assert company.membership_status == MembershipStatus.REJECTED
    assert company.membership_reason == "사업자 정보 불일치"
    assert company.membership_decided_at is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "company.reject"))
    assert entry.reason == "사업자 정보 불일치"


def test_suspending_a_member_hides_its_solutions_and_reinstating_restores_them(
        db, admin_client, company):
    solution = factories.make_solution(company, title="정지될 솔루션")
    db.session.commit()
    assert "정지될 솔루션" in page_text(admin_client.get("/admin/solutions?state=public"))

    missing_reason = admin_client.post(f"/admin/companies/{company.id}/decision",
                                       data={"action": "suspend"})
    assert missing_reason.status_code == 400
    assert reload(db, Company, company.id).membership_status == MembershipStatus.APPROVED

    response = admin_client.post(f"/admin/companies/{company.id}/decision",
                                 data={"action": "suspend", "reason": "허위 실적 등록"})
    assert response.status_code == 302
    assert reload(db, Company, company.id).membership_status == MembershipStatus.SUSPENDED
    assert solution.id not in {s.id for s in db.session.scalars(public_solutions())}
    assert "정지될 솔루션" not in page_text(admin_client.get("/admin/solutions?state=public"))

    admin_client.post(f"/admin/companies/{company.id}/decision", data={"action": "reinstate"})
    restored = reload(db, Company, company.id)
    assert restored.membership_status == MembershipStatus.APPROVED
    assert restored.membership_reason is None
    assert solution.id in {s.id for s in db.session.scalars(public_solutions())}
    assert audit_count(db, "company.suspend") == 1 and audit_count(db, "company.reinstate") == 1


@pytest.mark.parametrize("membership, action", [
    (MembershipStatus.APPROVED, "approve"),
    (MembershipStatus.NONE, "approve"),
    (MembershipStatus.PENDING, "suspend"),
    (MembershipStatus.REJECTED, "reinstate"),
    (MembershipStatus.APPROVED, "delete"),
])
def test_transitions_outside_the_table_are_refused(db, admin_client, membership, action):
    company = factories.make_company(membership=membership)
    db.session.commit()
    response = admin_client.post(f"/admin/companies/{company.id}/decision",
                                 data={"action": action, "reason": "사유"})
    assert response.status_code == 400
    html = page_text(response)
    assert "처리를 할 수 없습니다" in html or "알 수 없는 작업" in html
    assert reload(db, Company, company.id).membership_status == membership
    assert audit_count(db) == 0


def test_missing_action_is_refused(db, admin_client, pending_company):
    response = admin_client.post(f"/admin/companies/{pending_company.id}/decision", data={})
    assert response.status_code == 400
    assert "처리할 작업을 선택하세요" in page_text(response)
    assert audit_count(db) == 0


def test_quick_approval_returns_to_the_list_but_never_off_site(db, admin_client, pending_company):
    back = "/admin/companies?status=pending"
    response = admin_client.post(f"/admin/companies/{pending_company.id}/decision",
                                 data={"action": "approve", "next": back})
    assert response.headers["Location"].endswith(back)

    other = factories.make_company(membership=MembershipStatus.PENDING)
    db.session.commit()
    response = admin_client.post(f"/admin/companies/{other.id}/decision",
                                 data={"action": "approve", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/admin/companies/{other.id}")


def test_suspended_company_disappears_from_the_public_catalogue(app, db, client, admin_client,
                                                                company):
    if "catalogue.solution_detail" not in app.view_functions:
        pytest.skip("the public catalogue is not installed")
    solution = factories.make_solution(company, title="카탈로그 솔루션")
    db.session.commit()
    assert client.get(f"/solutions/{solution.id}").status_code == 200

    admin_client.post(f"/admin/companies/{company.id}/decision",
                      data={"action": "suspend", "reason": "회비 미납"})
    assert client.get(f"/solutions/{solution.id}").status_code == 404
    assert "카탈로그 솔루션" not in page_text(client.get("/solutions"))
    admin_page = page_text(admin_client.get(f"/admin/solutions/{solution.id}"))
    assert f'href="/solutions/{solution.id}"' in admin_page


def test_suspended_need_disappears_from_the_public_catalogue(app, db, client, admin_client,
                                                             official):
    if "catalogue.need_detail" not in app.view_functions:
        pytest.skip("the public catalogue is not installed")
    need = factories.make_need(official, title="카탈로그 수요")
    db.session.commit()
    assert client.get(f"/needs/{need.id}").status_code == 200

    admin_client.post(f"/admin/needs/{need.id}/moderation",
                      data={"action": "suspend", "reason": "중복 등록"})
    assert client.get(f"/needs/{need.id}").status_code == 404
    admin_page = page_text(admin_client.get(f"/admin/needs/{need.id}"))
    assert f'href="/needs/{need.id}"' in admin_page


# --- officials ------------------------------------------------------------------------------

def test_official_list_shows_municipality_and_filters(admin_client, pending_official, official):
    html = page_text(admin_client.get("/admin/officials?status=pending"))
    assert "wait@busan.go.kr" in html and "부산광역시 해운대구" in html
    assert official.email not in html
    everyone = page_text(admin_client.get("/admin/officials"))
    assert official.email in everyone and "서울특별시 종로구" in everyone
    assert page_text(admin_client.get("/admin/officials?q=해운대")).count("wait@busan.go.kr") == 1


def test_verifying_an_official_publishes_their_needs(db, admin_client, pending_official):
    assert "해운대 주차 수요" not in page_text(admin_client.get("/admin/needs?state=public"))
    assert "해운대 주차 수요" in page_text(admin_client.get("/admin/needs?state=pending"))
    response = admin_client.post(f"/admin/officials/{pending_official.id}/decision",
                                 data={"action": "verify"})
    assert response.status_code == 302
    assert reload(db, User, pending_official.id).official_status == OfficialStatus.VERIFIED
    assert "해운대 주차 수요" in page_text(admin_client.get("/admin/needs?state=public"))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "official.verify"))
    assert entry.target_type == "User" and entry.target_id == pending_official.id
    assert entry.after == {"official_status": "verified", "official_status_reason": None}


def test_rejecting_an_official_needs_a_reason(db, admin_client, pending_official):
    url = f"/admin/officials/{pending_official.id}/decision"
    response = admin_client.post(url, data={"action": "reject"})
    assert response.status_code == 400 and REASON_REQUIRED in page_text(response)
    assert reload(db, User, pending_official.id).official_status == OfficialStatus.PENDING

    admin_client.post(url, data={"action": "reject", "reason": "소속 확인 불가"})
    rejected = reload(db, User, pending_official.id)
    assert rejected.official_status == OfficialStatus.REJECTED
    assert rejected.official_status_reason == "소속 확인 불가"


def test_suspending_and_reinstating_an_official(db, admin_client, official):
    url = f"/admin/officials/{official.id}/decision"
    assert admin_client.post(url, data={"action": "suspend"}).status_code == 400
    admin_client.post(url, data={"action": "suspend", "reason": "부적절한 수요 반복 등록"})
    assert reload(db, User, official.id).official_status == OfficialStatus.SUSPENDED
    admin_client.post(url, data={"action": "reinstate"})
    assert reload(db, User, official.id).official_status == OfficialStatus.VERIFIED
    assert audit_count(db, "official.suspend") == 1 and audit_count(db, "official.reinstate") == 1


def test_verifying_an_already_verified_official_is_refused(db, admin_client, official):
    response = admin_client.post(f"/admin/officials/{official.id}/decision",
                                 data={"action": "verify"})
    assert response.status_code == 400
    assert "처리를 할 수 없습니다" in page_text(response)
    assert audit_count(db) == 0


def test_official_actions_on_a_company_user_are_404(db, admin_client, company_user):
    assert admin_client.get(f"/admin/officials/{company_user.id}").status_code == 404
    response = admin_client.post(f"/admin/officials/{company_user.id}/decision",
                                 data={"action": "verify"})
    assert response.status_code == 404
    assert reload(db, User, company_user.id).official_status is None


# --- solutions and needs --------------------------------------------------------------------

def test_solution_list_filters(db, admin_client, pending_company, company):
    public = factories.make_solution(company, title="공개 솔루션")
    hidden = factories.make_solution(company, title="중단 솔루션")
    hidden.moderation_status = ModerationStatus.SUSPENDED
    db.session.commit()
    pending_html = page_text(admin_client.get("/admin/solutions?state=pending"))
    assert "대기 솔루션" in pending_html and public.title not in pending_html
    public_html = page_text(admin_client.get("/admin/solutions?state=public"))
    assert public.title in public_html and "대기 솔루션" not in public_html
    assert hidden.title not in public_html
    suspended_html = page_text(admin_client.get("/admin/solutions?state=suspended"))
    assert hidden.title in suspended_html and public.title not in suspended_html
    everything = page_text(admin_client.get("/admin/solutions?state=nonsense&page=x"))
    assert all(title in everything for title in ("대기 솔루션", "공개 솔루션", "중단 솔루션"))


def test_suspending_and_reinstating_a_solution(db, admin_client, company):
    solution = factories.make_solution(company)
    db.session.commit()
    url = f"/admin/solutions/{solution.id}/moderation"

    response = admin_client.post(url, data={"action": "suspend", "reason": ""})
    assert response.status_code == 400 and REASON_REQUIRED in page_text(response)
    assert reload(db, Solution, solution.id).moderation_status == ModerationStatus.ACTIVE

    assert admin_client.post(url, data={"action": "suspend", "reason": "과장 광고"}).status_code == 302
    suspended = reload(db, Solution, solution.id)
    assert suspended.moderation_status == ModerationStatus.SUSPENDED
    assert suspended.moderation_reason == "과장 광고"
    assert solution.id not in {s.id for s in db.session.scalars(public_solutions())}
    assert "과장 광고" in page_text(admin_client.get(f"/admin/solutions/{solution.id}"))

    assert admin_client.post(url, data={"action": "suspend", "reason": "again"}).status_code == 400

    admin_client.post(url, data={"action": "reinstate"})
    restored = reload(db, Solution, solution.id)
    assert restored.moderation_status == ModerationStatus.ACTIVE
    assert restored.moderation_reason is None
    assert audit_count(db, "solution.suspend") == 1 and audit_count(db, "solution.reinstate") == 1


def test_suspending_and_reinstating_a_need(db, admin_client, official):
    need = factories.make_need(official, title="단속 대상 수요")
    db.session.commit()
    url = f"/admin/needs/{need.id}/moderation"
    assert "단속 대상 수요" in page_text(admin_client.get("/admin/needs?state=public"))

    assert admin_client.post(url, data={"action": "suspend"}).status_code == 400
    assert reload(db, Need, need.id).moderation_status == ModerationStatus.ACTIVE

    done = admin_client.post(url, data={"action": "suspend", "reason": "개인정보 포함"},
                             follow_redirects=True)
    assert "수요 게시 중단" in page_text(done)
    suspended = reload(db, Need, need.id)
    assert suspended.moderation_status == ModerationStatus.SUSPENDED
    assert suspended.moderation_reason == "개인정보 포함"
    assert "단속 대상 수요" not in page_text(admin_client.get("/admin/needs?state=public"))
    assert "단속 대상 수요" in page_text(admin_client.get("/admin/needs?state=suspended"))

    admin_client.post(url, data={"action": "reinstate"})
    assert reload(db, Need, need.id).moderation_status == ModerationStatus.ACTIVE
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "need.suspend"))
    assert entry.reason == "개인정보 포함" and entry.target_id == need.id


# --- users ----------------------------------------------------------------------------------

def test_user_list_searches_filters_and_paginates(app, db, admin_client, company_user, official,
                                                  monkeypatch):
    html = page_text(admin_client.get(f"/admin/users?q={company_user.email}"))
    assert company_user.email in html and official.email not in html
    by_name = page_text(admin_client.get(f"/admin/users?q={official.name}"))
    assert official.email in by_name and company_user.email not in by_name
    officials = page_text(admin_client.get("/admin/users?role=municipality"))
    assert official.email in officials and company_user.email not in officials
    assert admin_client.get("/admin/users?role=king&status=zzz&page=abc").status_code == 200

    company_user.account_status = AccountStatus.SUSPENDED
    db.session.commit()
    suspended = page_text(admin_client.get("/admin/users?status=suspended"))
    assert company_user.email in suspended and official.email not in suspended

    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    first = page_text(admin_client.get("/admin/users"))
    third = page_text(admin_client.get("/admin/users?page=2"))
    assert "총 3건" in first and "page=2" in first
    assert third.count("@example.kr</td>") == 1


def test_suspended_user_cannot_sign_in_until_reactivated(db, app, admin_client, company_user):
    url = f"/admin/users/{company_user.id}/account"
    response = admin_client.post(url, data={"action": "suspend"})
    assert response.status_code == 400 and REASON_REQUIRED in page_text(response)
    assert reload(db, User, company_user.id).account_status == AccountStatus.ACTIVE

    admin_client.post(url, data={"action": "suspend", "reason": "스팸 메시지 발송"})
    assert reload(db, User, company_user.id).account_status == AccountStatus.SUSPENDED
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.suspend"))
    assert entry.reason == "스팸 메시지 발송"
    assert "스팸 메시지 발송" in page_text(admin_client.get(f"/admin/users/{company_user.id}"))

    login = app.test_client().post("/auth/login", data={"email": company_user.email,
                                                         "password": factories.PASSWORD})
    assert login.status_code == 400 and "정지된 계정" in page_text(login)

    admin_client.post(url, data={"action": "reactivate"})
    assert reload(db, User, company_user.id).account_status == AccountStatus.ACTIVE
    login = app.test_client().post("/auth/login", data={"email": company_user.email,
                                                         "password": factories.PASSWORD})
    assert login.status_code == 302


def test_signed_in_user_is_signed_out_on_the_next_request_after_suspension(db, login,
                                                                             admin_client):
    colleague = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    colleague_client = login(colleague)
    assert colleague_client.get("/admin/").status_code == 200

    admin_client.post(f"/admin/users/{colleague.id}/account",
                      data={"action": "suspend", "reason": "퇴사"})

    response = colleague_client.get("/admin/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    with colleague_client.session_transaction() as session:
        assert "_user_id" not in session
    assert "로그아웃되었습니다" in page_text(colleague_client.get("/auth/login"))

    # reactivating does not silently sign the old session back in
    admin_client.post(f"/admin/users/{colleague.id}/account", data={"action": "reactivate"})
    assert colleague_client.get("/admin/").status_code == 302


def test_admin_cannot_suspend_themself(db, admin_client, admin_user):
    html = page_text(admin_client.get(f"/admin/users/{admin_user.id}"))
    assert 'value="suspend"' not in html
    response = admin_client.post(f"/admin/users/{admin_user.id}/account",
                                 data={"action": "suspend", "reason": "실수"})
    assert response.status_code == 400
    assert "자기 자신의 계정은 정지할 수 없습니다" in page_text(response)
    assert reload(db, User, admin_user.id).account_status == AccountStatus.ACTIVE
    assert audit_count(db) == 0


def test_reactivating_an_active_account_is_refused(db, admin_client, official):
    response = admin_client.post(f"/admin/users/{official.id}/account",
                                 data={"action": "reactivate"})
    assert response.status_code == 400
    assert "처리를 할 수 없습니다" in page_text(response)
    assert audit_count(db) == 0
