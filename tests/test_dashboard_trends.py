"""Dashboard trends per month/week with a validated period, and raw CSV exports (admins only)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from app.services import unit_of_work, workflow
from tests import factories


def page_text(response) -> str:
    return response.get_data(as_text=True)


def trend_rows(html: str) -> dict[str, list[str]]:
    """Period → counts of the trend table."""
    import re
    body = html.split('id="table-trends"', 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        rows[cells[0]] = cells[1:]
    return rows


@pytest.fixture()
def activity(db, admin_user, official, company_user, need, solution):
    """A need, a published solution and a match approved in November 2026 (Seoul time)."""
    moment = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)
    match = workflow.express_interest(official, need, solution, "메시지")
    workflow.accept(company_user, match)
    workflow.approve(admin_user, match)
    for item in (need, solution, match):
        item.created_at = moment
    solution.published_at = moment
    match.responded_at = moment + timedelta(days=1)
    match.reviewed_at = moment + timedelta(days=2)
    unit_of_work.commit()
    return match


def test_monthly_and_weekly_trends_count_each_step(admin_client, activity):
    html = page_text(admin_client.get("/admin/dashboard/?date_from=2026-10-01&date_to=2026-12-31"))
    rows = trend_rows(html)
    assert rows["2026-10"] == ["0", "0", "0", "0", "0"]
    assert rows["2026-11"] == ["1", "1", "1", "1", "1"]
    assert list(rows) == ["2026-10", "2026-11", "2026-12"]
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 5 + 6

    weekly = trend_rows(page_text(admin_client.get(
        "/admin/dashboard/?date_from=2026-11-09&date_to=2026-11-22&granularity=week")))
    assert weekly == {"2026-11-09 주": ["1", "1", "1", "1", "1"],
                      "2026-11-16 주": ["0", "0", "0", "0", "0"]}


@pytest.mark.parametrize("query, message", [
    ("date_from=2026-12-01&date_to=2026-11-01", "종료일은 시작일과 같거나 이후여야 합니다."),
    ("date_from=2026-13-01", "날짜는 YYYY-MM-DD 형식으로 입력하세요."),
    ("date_from=2020-01-01&date_to=2026-01-01", "기간은 3년 이내로 지정하세요."),
    ("granularity=year", "단위는 월별 또는 주별 중에서 고르세요."),
])
def test_bad_periods_get_a_localised_error_and_the_default_period(admin_client, query, message):
    response = admin_client.get(f"/admin/dashboard/?{query}")
    assert response.status_code == 400
    html = page_text(response)
    assert message in html and 'id="table-trends"' in html


def test_english_error(admin_client):
    response = admin_client.get("/admin/dashboard/?date_from=2026-12-01&date_to=2026-11-01",
                                headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in page_text(response)


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_raw_exports_have_one_row_per_record(admin_client, activity, need, solution):
    response = admin_client.get("/admin/dashboard/data/matches.csv", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed  # row by row, not built in memory
    assert response.mimetype == "text/csv"
    assert "attachment; filename=citymatch-matches-" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:3] == ["번호", "수요 번호", "수요"] and len(rows) == 1
    assert rows[0][2] == need.title and rows[0][5] == solution.title
    assert rows[0][8] == "승인됨" and rows[0][9] == "2026-11-10 12:00"

    header, *rows = read_csv(admin_client.get("/admin/dashboard/data/needs.csv"))
    assert header[1] == "제목" and [row[1] for row in rows] == [need.title]
    assert rows[0][2] == "서울특별시 종로구" and rows[0][4] == "모집 중"
    header, *rows = read_csv(admin_client.get("/admin/dashboard/data/solutions.csv"))
    assert [row[1] for row in rows] == [solution.title] and rows[0][5] == "게시됨"
    assert admin_client.get("/admin/dashboard/data/passwords.csv").status_code == 404


def test_raw_exports_are_for_admins_only(company_client, official_client, client):
    for visitor in (company_client, official_client):
        assert visitor.get("/admin/dashboard/data/needs.csv").status_code == 403
    assert client.get("/admin/dashboard/data/needs.csv").status_code in (302, 401)


def test_raw_export_reads_in_batches(admin_client, official, monkeypatch):
    from app.services import data_export

    titles = [factories.make_need(official, title=f"배치 수요 {n}").title for n in range(5)]
    unit_of_work.commit()
    monkeypatch.setattr(data_export, "BATCH", 2)
    _header, *rows = read_csv(admin_client.get("/admin/dashboard/data/needs.csv"))
    assert [row[1] for row in rows] == titles
