"""Korean amounts (app/amounts.py, app/amount_field.py): what is read, what is refused, and the
forms and filters that take them."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from app.amounts import AmountError, describe_amount, parse_amount
from app.models import Need, Solution
from tests import factories
from tests.test_needs import valid_form
from tests.test_solutions import solution_form

ACCEPTED = [
    ("5억", 500_000_000),
    ("5000만", 50_000_000),
    ("1억 2천만", 120_000_000),
    ("1억2천만원", 120_000_000),
    ("3,000,000원", 3_000_000),
    ("1.5억", 150_000_000),
    ("0.5억", 50_000_000),
    ("5천만원", 50_000_000),
    ("5천만 원", 50_000_000),
    ("천만", 10_000_000),
    ("120,000,000", 120_000_000),
    ("１２０，０００，０００", 120_000_000),   # full-width digits and comma
    ("１억　２천만", 120_000_000),            # full-width digit and space
    ("  7 억  ", 700_000_000),
    ("₩5,000", 5_000),
    ("3조 5억", 3_000_500_000_000),
    ("1억 5천", 100_005_000),
    ("2천5백만", 25_000_000),
    ("0", 0),
    ("1000조", 10**15),
]

REFUSED = [
    ("", "읽을 수 없습니다"),
    ("원", "읽을 수 없습니다"),
    ("만", "읽을 수 없습니다"),
    ("억만", "읽을 수 없습니다"),
    ("5억억", "읽을 수 없습니다"),
    ("5만 3억", "읽을 수 없습니다"),       # units out of order
    ("5천천", "읽을 수 없습니다"),
    ("abc", "읽을 수 없습니다"),
    ("1e5", "읽을 수 없습니다"),
    ("30,00", "읽을 수 없습니다"),          # not a thousands grouping
    ("5 5", "읽을 수 없습니다"),            # two numbers
    ("1.2.3", "읽을 수 없습니다"),
    ("5억원원", "읽을 수 없습니다"),
    ("-5억", "0 이상"),
    ("－3,000", "0 이상"),                   # full-width minus
    ("1.5", "소수"),
    ("1.5원", "소수"),
    ("1001조", "너무 큰 값"),
    ("9" * 30, "너무 큰 값"),
    ("1" * 61, "너무 큰 값"),
]


@pytest.mark.parametrize("text, expected", ACCEPTED)
def test_accepted_amounts(app, text, expected):
    with app.test_request_context():
        assert parse_amount(text) == expected


@pytest.mark.parametrize("text, message", REFUSED)
def test_refused_amounts_say_why(app, text, message):
    with app.test_request_context():
        with pytest.raises(AmountError) as refused:
            parse_amount(text)
        assert isinstance(refused.value, ValueError)
        assert message in str(refused.value.message)


def test_another_unit_and_a_lower_maximum(app):
    with app.test_request_context():
        assert parse_amount("5만 명", unit="명") == 50_000
        with pytest.raises(AmountError):
            parse_amount("5만 원", unit="명")
        with pytest.raises(AmountError):
            parse_amount("2억", maximum=10**8)


@pytest.mark.parametrize("value, korean, english", [
    (120_000_000, "1억 2,000만 원 (120,000,000원)", "KRW 120,000,000"),
    (50_000, "5만 원 (50,000원)", "KRW 50,000"),
    (9_000, "9,000원", "KRW 9,000"),
    (3_000_500_000_000, "3조 5억 원 (3,000,500,000,000원)", "KRW 3,000,500,000,000"),
])
def test_what_was_understood(value, korean, english):
    assert describe_amount(value) == korean
    assert describe_amount(value, locale="en") == english


# --- forms and filters --------------------------------------------------------------------------

def test_need_form_takes_korean_amounts_and_stores_won(db, official_client, official):
    response = official_client.post("/my/needs/new", data=valid_form(
        title="한국식 예산 수요", budget_min="5천만원", budget_max="１억 2천만", target_population="1.2만"))
    assert response.status_code == 302
    need = db.session.scalar(select(Need).where(Need.title == "한국식 예산 수요"))
    assert (need.budget_min, need.budget_max, need.target_population) \
        == (50_000_000, 120_000_000, 12_000)


def test_need_form_shows_what_it_understood_and_why_it_refused(db, official_client, official):
    response = official_client.post("/my/needs/new", data=valid_form(
        budget_min="1억 2천만", budget_max="5억억", title=""))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "1억 2,000만 원 (120,000,000원)" in page      # the readable one, read back
    assert "금액을 읽을 수 없습니다" in page               # the unreadable one, explained
    assert 'value="1억 2천만"' in page                   # as typed, to correct
    assert 'src="/static/js/amounts.js"' in page


def test_solution_price_takes_korean_amounts(db, company_client, company):
    response = company_client.post("/my/solutions/new", data=solution_form(
        title="억 단위 가격 솔루션", price_min="1,500만", price_max="1.2억"))
    assert response.status_code == 302
    solution = db.session.scalar(select(Solution).where(Solution.title == "억 단위 가격 솔루션"))
    assert (solution.price_min, solution.price_max) == (15_000_000, 120_000_000)


def test_budget_filter_takes_korean_amounts(db, client, official):
    factories.make_need(official, title="작은 예산 수요", budget=(10_000_000, 30_000_000))
    factories.make_need(official, title="큰 예산 수요", budget=(200_000_000, 500_000_000))
    db.session.commit()
    page = html.unescape(client.get("/needs", query_string={"budget_min": "1억"})
                         .get_data(as_text=True))
    assert "큰 예산 수요" in page and "작은 예산 수요" not in page
    assert "1억 원 (100,000,000원)" in page
    refused = html.unescape(client.get("/needs", query_string={"budget_min": "만"})
                            .get_data(as_text=True))
    assert "금액을 읽을 수 없습니다" in refused and "작은 예산 수요" in refused
