"""Business registration numbers: the published structure is enforced in the form and the CSV import."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.models import AuditLog, Company, Role, SizeClass, User
from app.services.bizno import NumberProblem, check_digit, is_valid_business_number, number_problem
from tests import factories

IMPORT_HEADER = "name,business_number,size_class,hq_region,regions_served,website,description,membership"


def with_check_digit(first_nine: str) -> str:
    """Ten digits whose last one is the correct check digit (so only the structure can be wrong)."""
    return first_nine + str(check_digit(first_nine))


def company_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Company))


@pytest.fixture()
def loner(db):
    user = factories.make_user(role=Role.COMPANY)
    db.session.commit()
    return user


def company_form(business_number: str) -> dict:
    province = str(factories.province("부산광역시").id)
    return {"name": "구조검사기업", "business_number": business_number,
            "size_class": SizeClass.SME.value, "hq_region_id": province, "region_ids": [province],
            "website": "", "description": "구조 검사용 기업입니다."}


@pytest.mark.parametrize("digits, problem", [
    ("0000000000", NumberProblem.OFFICE_CODE),
    (with_check_digit("000811234"), NumberProblem.OFFICE_CODE),
    (with_check_digit("100811234"), NumberProblem.OFFICE_CODE),
    (with_check_digit("220001234"), NumberProblem.TYPE_CODE),
    (with_check_digit("220810000"), NumberProblem.SERIAL),
    (with_check_digit("220811234")[:9] + str((check_digit("220811234") + 1) % 10),
     NumberProblem.CHECK_DIGIT),
])
def test_impossible_numbers_are_named_by_their_problem(digits, problem):
    assert number_problem(digits) is problem
    assert not is_valid_business_number(digits)


@pytest.mark.parametrize("type_code", [f"{code:02d}" for code in range(1, 100)])
def test_every_issued_type_code_is_accepted(type_code):
    assert is_valid_business_number(with_check_digit(f"101{type_code}0001"))
    assert is_valid_business_number(with_check_digit(f"999{type_code}9999"))


def test_non_ascii_digits_are_not_a_number():
    assert not is_valid_business_number("١٢٣٤٥٦٧٨٩٠")


@pytest.mark.parametrize("number, message", [
    ("000-00-00000", "앞 3자리(세무서 코드)는 101 이상"),
    ("0000000000", "앞 3자리(세무서 코드)는 101 이상"),
    (with_check_digit("220001234"), "가운데 2자리(개인·법인 구분 코드)는 00이 될 수 없습니다"),
    (with_check_digit("220810000"), "일련번호(6~9번째 자리)는 0000이 될 수 없습니다"),
])
def test_company_form_refuses_impossible_numbers(login, loner, db, number, message):
    response = login(loner).post("/my/company/new", data=company_form(number))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert company_count(db) == 0
    assert db.session.get(User, loner.id).company_id is None
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "company.create")) == 0


def test_company_form_accepts_a_possible_number(login, loner, db):
    number = with_check_digit("220811234")
    response = login(loner).post("/my/company/new", data=company_form(number))
    assert response.status_code == 302
    assert db.session.scalar(select(Company.business_number)) == number


def test_english_message_for_the_all_zero_number(login, loner, db):
    response = login(loner).post("/my/company/new", data=company_form("000-00-00000"),
                                 headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "tax-office code" in response.get_data(as_text=True)
    assert company_count(db) == 0


def upload(client, content: str):
    return client.post("/admin/dashboard/import",
                       data={"file": (io.BytesIO(content.encode()), "members.csv")},
                       content_type="multipart/form-data")


def test_csv_import_refuses_the_all_zero_number_and_saves_nothing(db, admin_client):
    good = factories.valid_business_number(300_001)
    content = "\n".join([
        IMPORT_HEADER,
        f"정상기업,{good},스타트업,서울특별시,,,,",
        "영번호기업,000-00-00000,스타트업,서울특별시,,,,",
        f"구분코드기업,{with_check_digit('220001234')},스타트업,서울특별시,,,,",
    ])
    response = upload(admin_client, content)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "앞 3자리(세무서 코드)는 101 이상" in page
    assert "가운데 2자리(개인·법인 구분 코드)는 00이 될 수 없습니다" in page
    assert company_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "company.import")) == 0


def test_factory_numbers_are_possible_and_distinct():
    numbers = [factories.valid_business_number(seed) for seed in range(0, 200_000, 37)]
    assert all(is_valid_business_number(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
