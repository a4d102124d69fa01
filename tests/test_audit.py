"""The audit log: every admin action is recorded, and the log can be browsed and filtered."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db as database
from app.models import AuditLog, Company, MembershipStatus, Role
from tests import factories


def page_text(response) -> str:
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    """The table rows of the audit table body."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def make_entry(actor, action: str, when: datetime, label: str, target_type: str = "Company",
               reason: str | None = None) -> AuditLog:
    """An audit entry at a given moment (UTC)."""
    entry = AuditLog(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                     target_id=None, target_label=label, before={"membership_status": "pending"},
                     after={"membership_status": "approved"}, reason=reason, created_at=when)
    database.session.add(entry)
    database.session.flush()
    return entry


@pytest.fixture()
def decisions(db, admin_client, company):
    """An approval, a rejection with a reason and a solution suspension, in that order."""
    applicant = factories.make_company(name="승인받을기업", membership=MembershipStatus.PENDING)
    refused = factories.make_company(name="반려될기업", membership=MembershipStatus.PENDING)
    solution = factories.make_solution(company, title="중단될 솔루션")
    db.session.commit()
    admin_client.post(f"/admin/companies/{applicant.id}/decision", data={"action": "approve"})
    admin_client.post(f"/admin/companies/{refused.id}/decision",
                      data={"action": "reject", "reason": "증빙 서류 누락"})
    admin_client.post(f"/admin/solutions/{solution.id}/moderation",
                      data={"action": "suspend", "reason": "허위 정보"})
    return {"applicant": applicant.id, "refused": refused.id, "solution": solution.id}


def test_each_admin_action_writes_one_entry(db, decisions, admin_user):
    entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [entry.action for entry in entries] == ["company.approve", "company.reject",
                                                    "solution.suspend"]
    assert all(entry.actor_id == admin_user.id for entry in entries)
    assert entries[1].target_id == decisions["refused"]
    assert entries[1].target_label == "반려될기업"
    assert entries[1].before["membership_status"] == "pending"
    assert entries[1].after["membership_status"] == "rejected"
    assert entries[1].after["membership_reason"] == "증빙 서류 누락"
    assert entries[2].target_type == "Solution" and entries[2].reason == "허위 정보"


def test_log_is_newest_first_with_readable_changes_and_reasons(admin_client, decisions, admin_user):
    html = page_text(admin_client.get("/admin/audit"))
    table = rows(html)
    assert len(table) == 3
    assert "솔루션 게시 중단" in table[0] and "중단될 솔루션" in table[0]
    assert "기업 반려" in table[1] and "증빙 서류 누락" in table[1]
    assert "기업 승인" in table[2] and "승인받을기업" in table[2]
    # field: before → after, with Korean labels for fields and values
    assert re.search(r"회원 상태</span>:\s*<del[^>]*>승인 대기</del> → <ins[^>]*>반려됨</ins>",
                     table[1])
    assert re.search(r"게시 상태</span>:\s*<del[^>]*>노출</del> → <ins[^>]*>게시 중단</ins>", table[0])
    assert admin_user.name in table[0]
    assert f'href="/admin/companies/{decisions["refused"]}"' in table[1]


def test_filter_by_action_and_target_type(admin_client, decisions):
    rejected = rows(page_text(admin_client.get("/admin/audit?action=company.reject")))
    assert len(rejected) == 1 and "반려될기업" in rejected[0]
    solutions = rows(page_text(admin_client.get("/admin/audit?target_type=Solution")))
    assert len(solutions) == 1 and "중단될 솔루션" in solutions[0]
    companies = rows(page_text(admin_client.get("/admin/audit?target_type=Company")))
    assert len(companies) == 2
    html = page_text(admin_client.get("/admin/audit"))
    assert '<option value="company.reject">기업 반려</option>' in html
    assert '<option value="Solution">솔루션</option>' in html


def test_filter_by_actor(db, login, admin_client, admin_user, decisions):
    colleague = factories.make_user(role=Role.ADMIN)
    other = factories.make_company(name="동료가승인한기업", membership=MembershipStatus.PENDING)
    db.session.commit()
    login(colleague).post(f"/admin/companies/{other.id}/decision", data={"action": "approve"})

    mine = rows(page_text(admin_client.get(f"/admin/audit?actor={admin_user.id}")))
    theirs = rows(page_text(admin_client.get(f"/admin/audit?actor={colleague.id}")))
    assert len(mine) == 3 and all("동료가승인한기업" not in row for row in mine)
    assert len(theirs) == 1 and "동료가승인한기업" in theirs[0]


def test_filter_by_date_range_in_seoul_time(db, admin_client, admin_user):
    # 2024-03-01 23:30 in Seoul and 2024-03-02 00:30 in Seoul
    make_entry(admin_user, "company.approve", datetime(2024, 3, 1, 14, 30, tzinfo=timezone.utc),
               "삼월일일기업")
    make_entry(admin_user, "company.approve", datetime(2024, 3, 1, 15, 30, tzinfo=timezone.utc),
               "삼월이일기업")
    make_entry(admin_user, "company.approve", datetime(2024, 4, 10, 3, 0, tzinfo=timezone.utc),
               "사월기업")
    db.session.commit()

    second = rows(page_text(admin_client.get("/admin/audit?date_from=2024-03-02&date_to=2024-03-02")))
    assert len(second) == 1 and "삼월이일기업" in second[0]
    until_first = rows(page_text(admin_client.get("/admin/audit?date_to=2024-03-01")))
    assert len(until_first) == 1 and "삼월일일기업" in until_first[0]
    from_march = rows(page_text(admin_client.get("/admin/audit?date_from=2024-03-01")))
    assert len(from_march) == 3


@pytest.mark.parametrize("query, message", [
    ("date_from=2024-13-45", "YYYY-MM-DD 형식"),
    ("date_to=yesterday", "YYYY-MM-DD 형식"),
    ("date_from=2024-05-02&date_to=2024-05-01", "종료일은 시작일과 같거나 이후"),
])
def test_malformed_dates_are_reported_next_to_the_field(db, admin_client, decisions, query,
                                                        message):
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    html = page_text(response)
    assert message in html and "is-invalid" in html
    # the invalid filter is ignored rather than failing the page
    assert len(rows(html)) == 3


@pytest.mark.parametrize("query", ["actor=abc", "page=abc", "page=0", "action=unknown.action",
                                   "target_type=Nothing"])
def test_odd_query_strings_do_not_fail(admin_client, decisions, query):
    assert admin_client.get(f"/admin/audit?{query}").status_code == 200


def test_log_paginates(app, db, admin_client, admin_user, monkeypatch):
    for day in range(1, 6):
        make_entry(admin_user, "company.approve", datetime(2024, 1, day, 3, tzinfo=timezone.utc),
                   f"일월{day}일기업")
    db.session.commit()
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    first = page_text(admin_client.get("/admin/audit"))
    last = page_text(admin_client.get("/admin/audit?page=3"))
    assert len(rows(first)) == 2 and "일월5일기업" in first and "page=3" in first
    assert len(rows(last)) == 1 and "일월1일기업" in last


def test_object_pages_show_their_history(admin_client, decisions):
    html = page_text(admin_client.get(f"/admin/companies/{decisions['refused']}"))
    assert "처리 이력" in html and "증빙 서류 누락" in html and "기업 반려" in html
    html = page_text(admin_client.get(f"/admin/solutions/{decisions['solution']}"))
    assert "솔루션 게시 중단" in html and "허위 정보" in html


def test_audit_log_is_for_admins_only(client, company_client):
    assert "/auth/login" in client.get("/admin/audit").headers["Location"]
    assert company_client.get("/admin/audit").status_code == 403


def test_state_change_is_undone_when_the_audit_entry_cannot_be_written(app, db, admin_client,
                                                                       monkeypatch):
    applicant = factories.make_company(membership=MembershipStatus.PENDING)
    db.session.commit()

    def failing_record(*args, **kwargs):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr("app.services.admin.record", failing_record)
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    response = admin_client.post(f"/admin/companies/{applicant.id}/decision",
                                 data={"action": "approve"})
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(Company, applicant.id).membership_status == MembershipStatus.PENDING
    assert db.session.scalar(select(func.count(AuditLog.id))) == 0
