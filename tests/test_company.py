"""The company area: creating and editing a company, its dashboard and alliance membership."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.models import AuditLog, Company, MembershipStatus, Role, SizeClass, User
from app.services import companies
from tests import factories


def company_form(**overrides) -> dict:
    """Valid form data for a new company (a fresh name and business number each call)."""
    n = factories.next_number() + 50_000
    data = {
        "name": f"스마트시티랩{n}",
        "business_number": factories.valid_business_number(n),
        "size_class": SizeClass.SME.value,
        "hq_region_id": str(factories.province("부산광역시").id),
        "region_ids": [str(factories.province("부산광역시").id),
                       str(factories.province("경상남도").id)],
        "website": "https://smartcitylab.example.kr",
        "description": "교통 데이터 분석 솔루션을 만드는 기업입니다.",
    }
    data.update(overrides)
    return data


def with_hyphens(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def company_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Company))


@pytest.fixture()
def loner(db):
    """A company user who has not created or joined a company yet."""
    user = factories.make_user(role=Role.COMPANY)
    db.session.commit()
    return user


@pytest.fixture()
def loner_client(login, loner):
    return login(loner)


# --- creating a company -----------------------------------------------------------------


def test_new_company_user_is_sent_to_create_company_after_confirming(client, outbox, db):
    response = client.post("/auth/register", data={
        "role": "company", "email": "founder@example.kr", "name": "김창업",
        "password": "long-enough-1", "password_confirm": "long-enough-1", "privacy_consent": "y",
    })
    assert response.status_code == 302
    link = re.search(r"http://localhost(/auth/confirm/\S+)", outbox[-1].body).group(1)
    response = client.post(link)
    assert response.headers["Location"].endswith("/my/company/new")
    page = client.get("/my/company/new").get_data(as_text=True)
    assert "기업 등록" in page and "사업자등록번호" in page


def test_dashboard_redirects_user_without_company_to_create(loner_client):
    response = loner_client.get("/my/company/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/company/new")


def test_create_company_with_hyphenated_business_number(loner_client, loner, db):
    data = company_form()
    digits = data["business_number"]
    data["business_number"] = with_hyphens(digits)
    response = loner_client.post("/my/company/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/company/")

    db.session.expire_all()
    company = db.session.scalar(select(Company).where(Company.name == data["name"]))
    assert company.business_number == digits
    assert company.size_class == SizeClass.SME
    assert company.hq_region.name == "부산광역시"
    assert [r.name for r in company.regions_served] == ["부산광역시", "경상남도"]
    assert company.membership_status == MembershipStatus.NONE
    assert company.website == "https://smartcitylab.example.kr"
    assert db.session.get(User, loner.id).company_id == company.id

    page = loner_client.get("/my/company/").get_data(as_text=True)
    assert with_hyphens(digits) in page
    assert data["name"] in page
    assert "미신청" in page


def test_create_company_with_plain_digits_and_no_website(loner_client, db):
    data = company_form(website="")
    response = loner_client.post("/my/company/new", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    company = db.session.scalar(select(Company).where(Company.name == data["name"]))
    assert company.business_number == data["business_number"]
    assert company.website is None


def test_create_company_requires_login(client):
    response = client.get("/my/company/new")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["official_client", "admin_client"])
def test_create_company_refuses_other_roles(request, who, db):
    user_client = request.getfixturevalue(who)
    assert user_client.get("/my/company/new").status_code == 403
    assert user_client.post("/my/company/new", data=company_form()).status_code == 403
    assert company_count(db) == 0


def test_user_with_company_cannot_create_another(company_client, company, db):
    before = company_count(db)
    response = company_client.get("/my/company/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/company/")
    response = company_client.post("/my/company/new", data=company_form())
    assert response.status_code == 302
    assert company_count(db) == before


@pytest.mark.parametrize("overrides, message", [
    ({"business_number": "123-45-67890"}, "유효하지 않은 사업자등록번호"),
    ({"business_number": "12345"}, "숫자 10자리"),
    ({"business_number": "abc-de-fghij"}, "숫자 10자리"),
    ({"business_number": ""}, "사업자등록번호를 입력하세요"),
    ({"name": ""}, "기업명을 입력하세요"),
    ({"name": "가" * 101}, "100자 이하"),
    ({"size_class": "giant"}, "기업 규모를 목록에서 선택하세요"),
    ({"hq_region_id": ""}, "본사 소재지"),
    ({"hq_region_id": "abc"}, "본사 소재지"),
    ({"region_ids": []}, "사업 지역을 한 곳 이상"),
    ({"region_ids": ["999999"]}, "광역자치단체 중에서"),
    ({"website": "javascript:alert(1)"}, "http:// 또는 https://"),
    ({"website": "ftp://files.example.kr"}, "http:// 또는 https://"),
    ({"website": "example.kr"}, "http:// 또는 https://"),
    ({"description": "   "}, "기업 소개를 입력하세요"),
])
def test_create_company_rejects_bad_input(loner_client, loner, db, overrides, message):
    response = loner_client.post("/my/company/new", data=company_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert company_count(db) == 0
    assert db.session.get(User, loner.id).company_id is None


def test_create_company_rejects_basic_municipality_as_region(loner_client, db):
    basic = factories.municipality("부산광역시 해운대구")
    response = loner_client.post("/my/company/new",
                                 data=company_form(hq_region_id=str(basic.id)))
    assert response.status_code == 400
    assert "본사 소재지" in response.get_data(as_text=True)
    assert company_count(db) == 0


def test_create_company_rejects_duplicate_name(loner_client, company, db):
    response = loner_client.post("/my/company/new", data=company_form(name=company.name))
    assert response.status_code == 400
    assert "이미 등록된 기업명" in response.get_data(as_text=True)
    assert company_count(db) == 1


def test_create_company_rejects_duplicate_business_number_in_other_format(loner_client, company,
                                                                          db):
    data = company_form(business_number=with_hyphens(company.business_number))
    response = loner_client.post("/my/company/new", data=data)
    assert response.status_code == 400
    assert "이미 등록된 사업자등록번호" in response.get_data(as_text=True)
    assert company_count(db) == 1


@pytest.mark.parametrize("check, field, message", [
    ("_name_taken", "name", "이미 등록된 기업명"),
    ("_business_number_taken", "business_number", "이미 등록된 사업자등록번호"),
])
def test_database_unique_constraint_is_a_friendly_error(loner_client, loner, company, db,
                                                        monkeypatch, check, field, message):
    """A duplicate the pre-check misses (a race) still gets a friendly message from the DB."""
    monkeypatch.setattr(companies, check, lambda *args: False)
    value = company.name if field == "name" else company.business_number
    response = loner_client.post("/my/company/new", data=company_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert company_count(db) == 1
    assert db.session.get(User, loner.id).company_id is None


# --- dashboard and editing ------------------------------------------------------------------


def test_dashboard_shows_profile_colleagues_solutions_and_visibility_rule(company_client, company,
                                                                         company_user, db):
    colleague = factories.make_user(role=Role.COMPANY, company=company)
    factories.make_solution(company, title="스마트 횡단보도")
    db.session.commit()
    page = company_client.get("/my/company/").get_data(as_text=True)
    assert company.name in page
    assert company.formatted_business_number in page
    assert "스타트업" in page and "승인됨" in page
    assert colleague.email in page and company_user.email in page
    assert "스마트 횡단보도" in page
    assert "승인된 회원 기업의 게시된 솔루션만 공개" in page
    assert f'href="/companies/{company.id}"' in page


def test_dashboard_shows_rejection_reason_and_reapply_button(company_client, company, db):
    company.membership_status = MembershipStatus.REJECTED
    company.membership_reason = "사업자 정보가 확인되지 않습니다."
    db.session.commit()
    page = company_client.get("/my/company/").get_data(as_text=True)
    assert "반려" in page
    assert "사업자 정보가 확인되지 않습니다." in page
    assert "다시 가입 신청" in page


def test_dashboard_requires_login(client):
    response = client.get("/my/company/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_dashboard_refuses_officials(official_client):
    assert official_client.get("/my/company/").status_code == 403


def test_edit_company_profile(company_client, company, db):
    page = company_client.get("/my/company/edit").get_data(as_text=True)
    assert company.name in page and company.formatted_business_number in page
    data = company_form(name=company.name, business_number=company.formatted_business_number,
                        size_class=company.size_class.value, description="새 소개")
    response = company_client.post("/my/company/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Company, company.id)
    assert changed.description == "새 소개"
    assert [r.name for r in changed.regions_served] == ["부산광역시", "경상남도"]
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "company.update")) \
        is not None


def test_approved_company_cannot_change_its_verified_business_number_or_size(
        company_client, company, db):
    other_number = factories.valid_business_number(factories.next_number() + 70_000)
    for change, message in (({"business_number": other_number}, "사업자등록번호는 변경할 수 없습니다"),
                            ({"size_class": SizeClass.LARGE.value}, "기업 규모는 변경할 수 없습니다")):
        data = company_form(name=company.name, business_number=company.business_number,
                            size_class=company.size_class.value)
        data.update(change)
        response = company_client.post("/my/company/edit", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    unchanged = db.session.get(Company, company.id)
    assert unchanged.business_number == company.business_number
    assert unchanged.size_class == company.size_class


def test_company_not_yet_approved_may_correct_its_business_number_and_size(login, db):
    pending = factories.make_company(membership=MembershipStatus.PENDING,
                                     size_class=SizeClass.SME)
    member = factories.make_user(role=Role.COMPANY, company=pending)
    db.session.commit()
    new_number = factories.valid_business_number(factories.next_number() + 80_000)
    data = company_form(name=pending.name, business_number=new_number,
                        size_class=SizeClass.MID.value)
    response = login(member).post("/my/company/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Company, pending.id)
    assert changed.business_number == new_number and changed.size_class == SizeClass.MID


def test_edit_company_rejects_another_companys_business_number(company_client, company, db):
    other = factories.make_company()
    db.session.commit()
    data = company_form(name=company.name, business_number=other.business_number)
    response = company_client.post("/my/company/edit", data=data)
    assert response.status_code == 400
    assert "이미 등록된 사업자등록번호" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, company.id).business_number != other.business_number


def test_edit_company_bad_input_changes_nothing(company_client, company, db):
    old_name = company.name
    response = company_client.post("/my/company/edit",
                                   data=company_form(name="새이름", region_ids=[]))
    assert response.status_code == 400
    assert "사업 지역을 한 곳 이상" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, company.id).name == old_name


def test_edit_company_access(client, official_client, loner_client):
    assert "/auth/login" in client.get("/my/company/edit").headers["Location"]
    assert official_client.get("/my/company/edit").status_code == 403
    assert loner_client.get("/my/company/edit").headers["Location"].endswith("/my/company/new")


# --- alliance membership ----------------------------------------------------------------


@pytest.mark.parametrize("start", [MembershipStatus.NONE, MembershipStatus.REJECTED])
def test_apply_for_membership(company_client, company, db, start):
    company.membership_status = start
    company.membership_reason = "이전 반려 사유" if start == MembershipStatus.REJECTED else None
    db.session.commit()
    response = company_client.post("/my/company/apply")
    assert response.status_code == 302
    db.session.expire_all()
    applied = db.session.get(Company, company.id)
    assert applied.membership_status == MembershipStatus.PENDING
    assert applied.membership_applied_at is not None
    assert applied.membership_reason is None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "company.apply_membership"))
    assert entry.target_id == company.id and entry.after["membership_status"] == "pending"
    page = company_client.get("/my/company/").get_data(as_text=True)
    assert "회원 가입을 신청했습니다" in page and "승인 대기" in page


@pytest.mark.parametrize("start, message", [
    (MembershipStatus.PENDING, "이미 회원 가입을 신청했습니다"),
    (MembershipStatus.APPROVED, "이미 승인된 융합 얼라이언스 회원"),
    (MembershipStatus.SUSPENDED, "정지된 상태에서는 다시 신청할 수 없습니다"),
])
def test_apply_refused_when_not_allowed(company_client, company, db, start, message):
    company.membership_status = start
    db.session.commit()
    response = company_client.post("/my/company/apply", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, company.id).membership_status == start
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_apply_access(client, official_client, loner_client, db):
    assert "/auth/login" in client.post("/my/company/apply").headers["Location"]
    assert official_client.post("/my/company/apply").status_code == 403
    assert loner_client.post("/my/company/apply").headers["Location"].endswith("/my/company/new")
    assert client.get("/my/company/apply").status_code == 405


def test_apply_requires_csrf_token(csrf_app):
    response = csrf_app.test_client().post("/my/company/apply")
    assert response.status_code == 400


def test_create_company_reports_several_missing_fields_at_once(loner_client, db):
    response = loner_client.post("/my/company/new", data=company_form(
        name="", hq_region_id="", region_ids=[], description=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ["기업명을 입력하세요", "본사 소재지(광역자치단체)를 선택하세요",
                    "사업 지역을 한 곳 이상", "기업 소개를 입력하세요"]:
        assert message in page
    assert company_count(db) == 0
