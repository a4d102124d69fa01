"""The audit log speaks the reader's language: every action, field and value has a label."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from app.labels import AUDIT_FIELD_LABELS, LABELS
from app.models import AuditAction, Role, SizeClass
from app.services import admin, audit, companies, unit_of_work, workflow
from tests import factories

# Every field list the services snapshot into audit entries, plus the status of matches/consortia.
SNAPSHOT_FIELDS = {*companies.AUDIT_FIELDS, *admin.COMPANY_FIELDS, *admin.OFFICIAL_FIELDS,
                   *admin.MODERATION_FIELDS, *admin.ACCOUNT_FIELDS, "status"}


def page_text(response) -> str:
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    """The page's text without tags and attributes (option values are codes by design)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_audit_action_has_a_korean_and_an_english_label(app):
    labels = LABELS[AuditAction]
    assert set(labels) == set(AuditAction)
    with app.test_request_context():
        for action in AuditAction:
            korean = str(labels[action])
            with force_locale("en"):
                english = str(labels[action])
            assert re.search(r"[가-힣]", korean), action
            assert english != korean and not re.search(r"[가-힣]", english), action


def test_every_audited_field_has_a_label_in_both_languages(app):
    assert SNAPSHOT_FIELDS <= set(AUDIT_FIELD_LABELS)
    with app.test_request_context():
        for name, text in AUDIT_FIELD_LABELS.items():
            with force_locale("en"):
                english = str(text)
            assert english != str(text) and not re.search(r"[가-힣]", english), name


def test_recording_refuses_unknown_actions_and_unlabelled_fields(db, company):
    with pytest.raises(ValueError):
        audit.record(None, "company.teleport", company)
    with pytest.raises(ValueError):
        audit.record(None, AuditAction.COMPANY_UPDATE, company, after={"secret_column": 1})
    entry = audit.record(None, "company.update", company, after={"name": "새 이름"})
    assert entry.action == AuditAction.COMPANY_UPDATE == "company.update"


@pytest.fixture()
def applied_company(db):
    """A startup seated in 서울특별시 whose member applied for alliance membership."""
    user = factories.make_user(role=Role.COMPANY)
    seat = factories.province("서울특별시")
    companies.create_company(user, companies.CompanyProfile(
        name="감사로그기업", business_number=factories.valid_business_number(factories.next_number()),
        size_class=SizeClass.STARTUP.value, hq_region_id=seat.id, region_ids=[seat.id],
        description="교통 데이터 분석 스타트업"))
    companies.apply_for_membership(user)
    unit_of_work.commit()
    return user.company


def test_audit_page_shows_labels_names_and_dates_not_codes(
        db, admin_client, admin_user, applied_company, official, company_user, need, solution):
    admin_client.post(f"/admin/companies/{applied_company.id}/decision", data={"action": "approve"})
    match = workflow.express_interest(official, need, solution, "메시지")
    workflow.accept(company_user, match)
    unit_of_work.commit()
    admin_client.post(f"/matches/{match.id}/approve", data={"reason": ""})
    html = page_text(admin_client.get("/admin/audit"))
    for korean in ("기업 등록", "융합 얼라이언스 회원 신청", "기업 승인", "매칭 승인",
                   "기업 규모", "스타트업", "본사 소재지", "서울특별시", "결정 일시",
                   "상호 수락 · 관리자 검토 중", "승인됨", "승인 대기"):
        assert korean in html, korean
    shown = visible_text(html)
    for code in ("company.apply_membership", "company.create", "match.approve", "size_class",
                 "startup", "hq_region_id", "membership_status", "mutual", " approved "):
        assert code not in shown, code
    assert re.search(r"결정 일시</span>:\s*<del[^>]*>—</del> → <ins[^>]*>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</ins>",
                     html)
    assert re.search(r"상태</span>:\s*<del[^>]*>상호 수락 · 관리자 검토 중</del> → <ins[^>]*>승인됨</ins>", html)

    english = page_text(admin_client.post("/locale", data={"locale": "en", "next": "/admin/audit"},
                                          follow_redirects=True))
    assert "Startup" in english and "Company size" in english and "Seoul" in english


def test_booleans_read_yes_or_no(db, admin_client, company_user):
    audit.record(None, "user.deleted", company_user,
                 after={"role": Role.COMPANY.value, "company_id": company_user.company_id,
                        "company_left_without_members": True})
    unit_of_work.commit()
    html = page_text(admin_client.get("/admin/audit"))
    assert re.search(r"기업에 남은 회원 없음</span>:\s*<del[^>]*>—</del> → <ins[^>]*>예</ins>", html)
    assert "기업 회원" in html and company_user.company.name in html and "True" not in html
