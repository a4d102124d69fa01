"""Two separate gunicorn servers on one PostgreSQL database serve the same pages at once.

Sign in through one server, post and edit a need there, and the other server (its own process,
its own matching engine) shows the same need, the same edit and the same recommendations on
its very next request: no state lives in a worker that the database does not also hold.
"""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from app.models import Role, SizeClass
from tests import factories
from tests.live_server import Browser, GunicornServer

pytestmark = pytest.mark.postgres

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture()
def two_servers(db, tmp_path):
    """Two gunicorn servers (one worker each) on the test database, stopped afterwards."""
    if not TEST_DATABASE_URL.startswith("postgres"):
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL")
    servers = [GunicornServer(TEST_DATABASE_URL, tmp_path / f"server-{name}.log").start()
               for name in ("a", "b")]
    try:
        for server in servers:
            server.wait_until_up()
        yield servers
    finally:
        for server in servers:
            server.stop()


def recommended_solution_ids(page: str) -> list[int]:
    """Ids of the solutions in a need page's "recommended solutions" section, in order."""
    section = page.split('id="recommended-solutions-heading"', 1)[1].split("</section>", 1)[0]
    return [int(found) for found in re.findall(r'href="/solutions/(\d+)"', section)]


def need_form(title: str, transport_id: int, **extra: str) -> dict[str, str]:
    return {
        "title": title,
        "description": "농촌 지역 어르신들이 병원과 시장에 갈 수요응답형 버스 교통편이 부족합니다.",
        "primary_category_id": str(transport_id),
        "budget_min": "20,000,000",
        "budget_max": "80,000,000",
        "application_deadline": (date.today() + timedelta(days=30)).isoformat(),
        **extra,
    }


def test_a_need_posted_and_edited_on_one_server_shows_at_once_on_the_other(db, two_servers):
    a, b = two_servers
    official = factories.make_user(role=Role.MUNICIPALITY)
    company = factories.make_company(size_class=SizeClass.STARTUP)
    solution = factories.make_solution(company, title="농촌 수요응답형 버스 배차 플랫폼")
    transport_id = factories.category("transport").id
    db.session.commit()
    browser = Browser()
    browser.sign_in(a.base_url, official.email, factories.PASSWORD)

    created = browser.submit(a.base_url + "/my/needs/new",
                             need_form("어르신 병원 가는 길 수요응답형 버스", transport_id))
    assert created.status == 302, created.body[:500]
    need_path = urlsplit(created.headers["Location"]).path

    on_a, on_b = browser.get(a.base_url + need_path), browser.get(b.base_url + need_path)
    assert on_a.status == on_b.status == 200
    assert "어르신 병원 가는 길 수요응답형 버스" in on_b.body
    assert recommended_solution_ids(on_b.body) == recommended_solution_ids(on_a.body)
    assert solution.id in recommended_solution_ids(on_b.body)
    catalogue = browser.get(b.base_url + "/needs")
    assert "어르신 병원 가는 길 수요응답형 버스" in catalogue.body

    edited = browser.submit(a.base_url + need_path + "/edit",
                            need_form("어르신 통원 수요응답형 버스 (수정)", transport_id,
                                      status="open"))
    assert edited.status == 302, edited.body[:500]

    after_a, after_b = browser.get(a.base_url + need_path), browser.get(b.base_url + need_path)
    assert "어르신 통원 수요응답형 버스 (수정)" in after_b.body
    assert "어르신 병원 가는 길" not in after_b.body
    assert recommended_solution_ids(after_b.body) == recommended_solution_ids(after_a.body)
    assert a.is_running() and b.is_running()
