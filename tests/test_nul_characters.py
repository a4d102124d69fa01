"""A NUL character anywhere in a request is a localised 400 that changes nothing (PostgreSQL text
cannot hold one: it was a DataError, found by the deep fuzz run on PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.models import Need
from tests import factories
from tests.http_inputs import routes

MESSAGE = "입력에 허용되지 않는 문자(NUL)가 있습니다."


def test_a_nul_in_any_query_or_path_is_refused(app, admin_client):
    wrong = []
    for route in routes(app):
        for method in route.methods:
            for path in (route.path("1") + "?q=a%00b", route.path("1", other="a%00b")):
                if path == route.path("1"):
                    continue
                response = admin_client.open(path, method=method)
                if response.status_code not in (400, 404):
                    wrong.append((method, path, response.status_code))
                elif response.status_code == 400 and MESSAGE not in response.get_data(as_text=True):
                    wrong.append((method, path, "no message"))
    assert wrong == []


def test_a_nul_in_a_form_field_stores_nothing(official_client, db):
    response = official_client.post("/my/needs/new", data={
        "title": "수요\x00제목", "description": "농촌 지역 어르신의 이동권 보장을 위한 수요입니다.",
        "primary_category_id": str(factories.category().id)})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


def test_a_nul_in_a_field_name_is_refused_in_english_too(client):
    response = client.post("/auth/login", data={"email\x00": "x"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "not allowed (NUL)" in response.get_data(as_text=True)
