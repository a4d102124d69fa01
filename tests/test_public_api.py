"""The public JSON API (/api/v1/): collections, filters, pagination, errors, limits, downloads,
statistics, the OpenAPI document, and that nothing beyond the public catalogue leaks."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest
from openapi_spec_validator import validate

from app.models import (
    Maturity,
    MembershipStatus,
    ModerationStatus,
    NeedStatus,
    OfficialStatus,
    Role,
    SizeClass,
    SolutionStatus,
)
from app.services import unit_of_work, workflow
from tests import factories

API = "/api/v1"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["data"]]


@pytest.fixture()
def catalogue(db):
    """Two approved companies with solutions, an official with needs in 종로구."""
    startup = factories.make_company(name="알파스타트업", size_class=SizeClass.STARTUP)
    large = factories.make_company(name="베타대기업", size_class=SizeClass.LARGE, hq="부산광역시")
    official = factories.make_user(role=Role.MUNICIPALITY)
    busan = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    made = {
        "drt": factories.make_solution(startup, title="농어촌 DRT 배차", price=(10_000_000, 50_000_000),
                                       maturity=Maturity.COMMERCIAL),
        "cctv": factories.make_solution(large, title="지능형 CCTV 관제", category_code="safety",
                                        price=(200_000_000, 900_000_000), maturity=Maturity.PILOT,
                                        regions=["부산광역시"]),
        "bus": factories.make_need(official, title="수요응답형 버스 도입", budget=(20_000_000, 80_000_000)),
        "fire": factories.make_need(busan, title="산불 감시 드론", category_code="safety",
                                    budget=(500_000_000, 1_000_000_000)),
        "closed": factories.make_need(official, title="종료된 교통 사업", status=NeedStatus.CLOSED),
        "startup": startup, "large": large,
    }
    factories.make_reference(made["drt"])
    unit_of_work.commit()
    return made


def test_index_lists_the_collections_and_docs(client, db):
    body = client.get(f"{API}/").get_json()
    assert body["collections"]["solutions"].endswith("/api/v1/solutions")
    assert body["docs"].endswith("/api/v1/docs")


def test_solutions_list_filters(client, catalogue):
    drt, cctv = catalogue["drt"].id, catalogue["cctv"].id
    assert set(_ids(client.get(f"{API}/solutions"))) == {drt, cctv}
    assert _ids(client.get(f"{API}/solutions?category=safety")) == [cctv]
    assert _ids(client.get(f"{API}/solutions?maturity=pilot")) == [cctv]
    assert _ids(client.get(f"{API}/solutions?size_class=startup")) == [drt]
    assert _ids(client.get(f"{API}/solutions?budget_max=100000000")) == [drt]
    assert _ids(client.get(f"{API}/solutions?budget_min=100000000")) == [cctv]
    assert _ids(client.get(f"{API}/solutions?q=CCTV 관제")) == [cctv]
    busan = factories.province("부산광역시").id
    haeundae = factories.municipality("부산광역시 해운대구").id
    assert _ids(client.get(f"{API}/solutions?region={busan}")) == [cctv]
    assert _ids(client.get(f"{API}/solutions?region={haeundae}")) == [cctv]  # the province serves it
    record = client.get(f"{API}/solutions/{drt}").get_json()
    assert record["company"] == {"id": catalogue["startup"].id, "name": "알파스타트업",
                                 "size_class": "startup"}
    assert record["references"][0]["municipality"]["full_name"] == "서울특별시 종로구"
    assert record["url"] == f"http://localhost/solutions/{drt}"


def test_updated_since_filters_by_last_change(client, catalogue, db):
    catalogue["cctv"].updated_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    catalogue["fire"].updated_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    db.session.commit()
    assert _ids(client.get(f"{API}/solutions?updated_since=2024-01-01")) == [catalogue["drt"].id]
    assert _ids(client.get(f"{API}/needs?updated_since=2024-01-01T00:00:00%2B09:00")) == [
        catalogue["bus"].id]
    assert len(_ids(client.get(f"{API}/solutions?updated_since=2019-12-31"))) == 2


def test_needs_list_filters_and_status(client, catalogue):
    bus, fire, closed = catalogue["bus"].id, catalogue["fire"].id, catalogue["closed"].id
    assert set(_ids(client.get(f"{API}/needs"))) == {bus, fire}  # open ones by default
    assert closed in _ids(client.get(f"{API}/needs?status=all"))
    assert _ids(client.get(f"{API}/needs?status=closed")) == [closed]
    assert _ids(client.get(f"{API}/needs?category=safety")) == [fire]
    assert _ids(client.get(f"{API}/needs?budget_min=300000000")) == [fire]
    assert _ids(client.get(f"{API}/needs?budget_max=100000000")) == [bus]
    seoul = factories.province("서울특별시").id
    assert _ids(client.get(f"{API}/needs?region={seoul}")) == [bus]
    assert _ids(client.get(f"{API}/needs?q=드론")) == [fire]
    record = client.get(f"{API}/needs/{bus}").get_json()
    assert record["municipality"]["full_name"] == "서울특별시 종로구"
    assert record["application_deadline"] and "created_by" not in record


def test_companies_and_municipalities(client, catalogue):
    startup, large = catalogue["startup"].id, catalogue["large"].id
    assert _ids(client.get(f"{API}/companies")) == [large, startup]  # by name: 베타, 알파
    assert _ids(client.get(f"{API}/companies?size_class=large")) == [large]
    assert _ids(client.get(f"{API}/companies?category=safety")) == [large]
    busan = factories.province("부산광역시").id
    assert _ids(client.get(f"{API}/companies?region={busan}")) == [large]
    record = client.get(f"{API}/companies/{startup}").get_json()
    assert record["public_solution_count"] == 1
    assert record["business_number"] == catalogue["startup"].formatted_business_number
    seoul = factories.province("서울특별시")
    body = client.get(f"{API}/municipalities?region={seoul.id}&per_page=100").get_json()
    assert body["meta"]["total"] == 26  # 서울특별시 and its 25 gu
    jongno = client.get(f"{API}/municipalities?q=종로구").get_json()["data"][0]
    assert jongno["open_need_count"] == 1 and jongno["parent_id"] == seoul.id
    assert client.get(f"{API}/municipalities?level=province").get_json()["meta"]["total"] == 17
    assert client.get(f"{API}/municipalities/{seoul.id}").get_json()["name"] == "서울특별시"


def test_pagination_meta_links_and_link_header(client, db):
    company = factories.make_company()
    for n in range(5):
        factories.make_solution(company, title=f"페이지 솔루션 {n}")
    unit_of_work.commit()
    response = client.get(f"{API}/solutions?per_page=2&page=2&category=transport")
    body = response.get_json()
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}
    assert len(body["data"]) == 2
    assert "page=3" in body["links"]["next"] and "category=transport" in body["links"]["next"]
    assert "page=1" in body["links"]["prev"]
    link = response.headers["Link"]
    assert 'rel="next"' in link and 'rel="last"' in link and 'rel="first"' in link
    seen = [i for page in (1, 2, 3) for i in _ids(client.get(f"{API}/solutions?per_page=2&page={page}"))]
    assert len(seen) == len(set(seen)) == 5
    last = client.get(f"{API}/solutions?per_page=2&page=3").get_json()
    assert last["links"]["next"] is None
    assert _ids(client.get(f"{API}/solutions?per_page=2&page=9")) == []


@pytest.mark.parametrize("query", [
    "page=0", "page=abc", "page=10001", "per_page=101", "per_page=0", "per_page=1.5",
    "category=nope", "region=999999", "region=x", "maturity=alpha", "size_class=huge",
    "budget_min=-1", "budget_max=" + "9" * 30, "updated_since=yesterday", "sort=random",
    "q=" + "가" * 101, "unknown_param=1", "page=²",
])
def test_bad_parameters_are_a_json_400(client, db, query):
    response = client.get(f"{API}/solutions?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == 400 and body["errors"]


def test_errors_are_localised(client, db):
    korean = client.get(f"{API}/solutions?per_page=500").get_json()
    english = client.get(f"{API}/solutions?per_page=500",
                         headers={"Accept-Language": "en"}).get_json()
    assert korean["message"] == "잘못된 요청입니다."
    assert "1 이상 100 이하" in korean["errors"]["per_page"][0]
    assert english["message"] == "Bad request."
    assert english["errors"]["per_page"][0] == "Enter a whole number from 1 to 100."
    unknown = client.get(f"{API}/needs?colour=red", headers={"Accept-Language": "en"}).get_json()
    assert unknown["errors"]["colour"] == ["Unknown parameter."]
    status = client.get(f"{API}/needs?status=gone", headers={"Accept-Language": "en"}).get_json()
    assert status["errors"]["status"][0].startswith("Not an allowed value. Allowed: open, ")


def test_missing_records_and_routes_are_json_404(client, catalogue):
    for url in (f"{API}/solutions/999999", f"{API}/needs/999999", f"{API}/companies/999999",
                f"{API}/municipalities/999999", f"{API}/no-such-thing", f"{API}/solutions/abc"):
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 404, url
        assert response.get_json()["message"] == "The page you requested was not found."
    posted = client.post(f"{API}/solutions")
    assert posted.status_code == 405 and posted.get_json()["code"] == 405
    nul = client.get(f"{API}/solutions?q=a%00b")
    assert nul.status_code == 400 and nul.get_json()["code"] == 400


def test_site_errors_stay_html(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.fixture()
def api_limits(app, db):
    """The API's limits on, with small numbers, reset around the test."""
    from app.extensions import limiter

    settings = {"RATE_LIMITS_ENABLED": True, "RATE_LIMIT_API_PER_IP": "5 per minute",
                "RATE_LIMIT_API_BULK_PER_IP": "2 per minute"}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()


def test_api_is_rate_limited_per_ip_with_json_429(client, api_limits):
    statuses = [client.get(f"{API}/solutions").status_code for _ in range(3)]
    statuses += [client.get(f"{API}/needs").status_code for _ in range(2)]
    assert statuses == [200] * 5  # one budget shared by every API route
    limited = client.get(f"{API}/companies", headers={"Accept-Language": "en"})
    assert limited.status_code == 429 and limited.mimetype == "application/json"
    assert limited.get_json()["message"].startswith("Too many requests")
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    other = client.get(f"{API}/solutions", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another address has its own budget
    assert client.get("/solutions").status_code == 200  # the site is not counted


def test_bulk_downloads_have_a_tighter_limit(client, api_limits):
    assert client.get(f"{API}/bulk/needs.csv").status_code == 200
    assert client.get(f"{API}/bulk/solutions.json").status_code == 200
    limited = client.get(f"{API}/bulk/companies.csv")
    assert limited.status_code == 429 and limited.get_json()["code"] == 429
    assert limited.headers["Retry-After"]


def test_bulk_csv_has_bom_korean_and_every_row(client, catalogue):
    response = client.get(f"{API}/bulk/solutions.csv")
    assert response.status_code == 200 and "Content-Length" not in response.headers  # streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == {"농어촌 DRT 배차", "지능형 CCTV 관제"}
    needs = list(csv.DictReader(io.StringIO(
        client.get(f"{API}/bulk/needs.csv?status=all").get_data().decode("utf-8-sig"))))
    assert len(needs) == 3
    municipalities = client.get(f"{API}/bulk/municipalities.csv").get_data().decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(municipalities)))) == 243


def test_bulk_json_streams_every_record_in_batches(client, db, monkeypatch):
    from app.services import public_api

    monkeypatch.setattr(public_api, "BATCH_SIZE", 2)
    company = factories.make_company(name="=수식기업")
    for n in range(5):
        factories.make_solution(company, title=f"벌크 {n}")
    unit_of_work.commit()
    response = client.get(f"{API}/bulk/solutions.json")
    assert "Content-Length" not in response.headers
    items = json.loads(response.get_data(as_text=True))
    assert [item["title"] for item in items] == [f"벌크 {n}" for n in range(5)]
    assert client.get(f"{API}/bulk/companies.json?size_class=large").get_json() == []
    text = client.get(f"{API}/bulk/companies.csv").get_data().decode("utf-8-sig")
    assert "'=수식기업" in text  # no formula for Excel to run


def test_bulk_download_refuses_bad_filters(client, db):
    response = client.get(f"{API}/bulk/needs.csv?budget_min=lots")
    assert response.status_code == 400 and response.get_json()["errors"]["budget_min"]


def test_statistics_suppress_cells_from_few_organisations(client, db, app):
    companies = [factories.make_company(size_class=SizeClass.SME) for _ in range(3)]
    for company in companies:
        factories.make_solution(company)  # transport: three companies
    lonely = factories.make_company(size_class=SizeClass.LARGE, hq="부산광역시")
    for _ in range(4):
        factories.make_solution(lonely, category_code="safety")  # safety: one company
    unit_of_work.commit()
    stats = client.get(f"{API}/statistics").get_json()
    assert stats["min_organisations"] == app.config["API_STATS_MIN_ORGANISATIONS"] == 3
    cells = {c["key"]: c for c in stats["solutions"]["by_category"]["cells"]}
    assert cells["safety"] == {"key": "safety", "label": "방범·방재", "count": None,
                               "suppressed": True}
    # the only other non-empty cell goes too, or the total would give the safety count away
    assert cells["transport"]["suppressed"] and cells["transport"]["count"] is None
    assert stats["solutions"]["by_category"]["total"] == 7
    assert cells["health_welfare"] == {"key": "health_welfare", "label": "보건·의료·복지",
                                       "count": 0, "suppressed": False}
    sizes = {c["key"]: c for c in stats["companies"]["by_size_class"]["cells"]}
    assert sizes["large"]["count"] is None and sizes["sme"]["suppressed"]
    # fewer than three organisations in all: the breakdown is hidden, total included
    assert stats["open_needs"]["by_category"]["total"] == 0
    factories.make_solution(factories.make_company(size_class=SizeClass.SME), category_code="safety")
    factories.make_solution(factories.make_company(size_class=SizeClass.MID), category_code="safety")
    unit_of_work.commit()
    cells = {c["key"]: c for c in
             client.get(f"{API}/statistics").get_json()["solutions"]["by_category"]["cells"]}
    assert cells["safety"]["count"] == 6 and cells["transport"]["count"] == 3
    english = client.get(f"{API}/statistics", headers={"Accept-Language": "en"}).get_json()
    labels = {c["key"]: c["label"] for c in english["solutions"]["by_size_class"]["cells"]}
    assert labels["sme"] == "SME"


def test_suppression_rule_on_its_own():
    from app.services.public_api import _Cell, suppressed_breakdown

    cells = [_Cell("a", "A", 10, frozenset({1, 2, 3})), _Cell("b", "B", 4, frozenset({4, 5, 6})),
             _Cell("c", "C", 2, frozenset({7})), _Cell("d", "D", 0)]
    result = suppressed_breakdown(cells, 3)
    shown = {c["key"]: c["count"] for c in result["cells"]}
    assert shown == {"a": 10, "b": None, "c": None, "d": 0}  # b joins c: together 4 organisations
    assert result["total"] == 16
    hidden = suppressed_breakdown([_Cell("a", "A", 5, frozenset({1, 2}))], 3)
    assert hidden == {"total": None, "cells": [{"key": "a", "label": "A", "count": None,
                                                 "suppressed": True}]}


def test_openapi_document_is_valid_and_documents_every_route(client, app, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    paths = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API):
            assert re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule) in paths, rule.rule
    parameters = {p["name"] for p in spec["paths"]["/api/v1/solutions"]["get"]["parameters"]}
    assert {"page", "per_page", "category", "region", "maturity", "size_class", "budget_min",
            "budget_max", "updated_since", "q"} <= parameters
    assert "400" in spec["paths"]["/api/v1/needs"]["get"]["responses"]


def test_docs_page_uses_vendored_swagger_ui(client, db):
    response = client.get(f"{API}/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/js/api-docs.js" in page and "<script>" not in page  # CSP: no inline script
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui/LICENSE").status_code == 200


# --- the leak test ---------------------------------------------------------------------------


def _private_world(db):
    """Public objects beside drafts, suspended, pending, unverified and matched ones."""
    public_company = factories.make_company(name="공개기업")
    pending = factories.make_company(name="SECRET-PENDING-COMPANY",
                                     membership=MembershipStatus.PENDING)
    suspended_member = factories.make_company(name="SECRET-SUSPENDED-COMPANY",
                                              membership=MembershipStatus.SUSPENDED)
    staff = factories.make_user(role=Role.COMPANY, company=public_company,
                                email="secret-staff@example.kr")
    staff.phone = "SECRET-PHONE-STAFF"
    official = factories.make_user(role=Role.MUNICIPALITY, email="secret-official@example.kr")
    official.phone = "SECRET-PHONE-OFFICIAL"
    official.name = "SECRET-OFFICIAL-NAME"
    unverified = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING,
                                     email="secret-unverified@example.kr")
    public_solution = factories.make_solution(public_company, title="공개 솔루션")
    public_need = factories.make_need(official, title="공개 수요")
    hidden = {
        "solution": [
            factories.make_solution(public_company, title="SECRET-DRAFT-SOLUTION",
                                    status=SolutionStatus.DRAFT),
            factories.make_solution(public_company, title="SECRET-ARCHIVED-SOLUTION",
                                    status=SolutionStatus.ARCHIVED),
            factories.make_solution(pending, title="SECRET-PENDING-SOLUTION"),
            factories.make_solution(suspended_member, title="SECRET-SUSPENDED-MEMBER-SOLUTION"),
        ],
        "need": [factories.make_need(unverified, title="SECRET-UNVERIFIED-NEED")],
        "company": [pending, suspended_member],
    }
    moderated = factories.make_solution(public_company, title="SECRET-MODERATED-SOLUTION")
    moderated.moderation_status = ModerationStatus.SUSPENDED
    moderated.moderation_reason = "SECRET-MODERATION-REASON"
    hidden["solution"].append(moderated)
    suspended_need = factories.make_need(official, title="SECRET-SUSPENDED-NEED")
    suspended_need.moderation_status = ModerationStatus.SUSPENDED
    suspended_need.moderation_reason = "SECRET-NEED-MODERATION-REASON"
    hidden["need"].append(suspended_need)
    unit_of_work.commit()
    workflow.express_interest(official, public_need, public_solution, "SECRET-MATCH-MESSAGE")
    unit_of_work.commit()
    secrets = ["SECRET-", "secret-staff@", "secret-official@", "secret-unverified@",
               "02-123-4567", "스마트도시과", staff.name, unverified.name,
               pending.formatted_business_number, suspended_member.formatted_business_number,
               pending.business_number, "moderation", "membership", "email", "phone"]
    return public_solution, public_need, public_company, hidden, secrets


def _every_api_url(app, public_solution, public_need, public_company, hidden) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or rule.endpoint == "api.docs":
            continue
        if not rule.arguments:
            urls.append(rule.rule)
            if "needs" in rule.rule:
                urls.append(rule.rule + "?status=all")
            continue
        (argument,) = rule.arguments
        kind = argument.removesuffix("_id")
        objects = {"solution": [public_solution, *hidden["solution"]],
                   "need": [public_need, *hidden["need"]],
                   "company": [public_company, *hidden["company"]],
                   "municipality": [public_need.municipality]}[kind]
        urls += [rule.rule.replace(f"<int:{argument}>", str(obj.id)) for obj in objects]
    return urls


def test_no_private_object_or_field_appears_in_any_api_response(app, client, db, login,
                                                                  admin_user):
    public_solution, public_need, public_company, hidden, secrets = _private_world(db)
    urls = _every_api_url(app, public_solution, public_need, public_company, hidden)
    assert len(urls) > 25
    hidden_paths = {f"/{kind}s/{obj.id}" for kind, objs in
                    (("solution", hidden["solution"]), ("need", hidden["need"]),
                     ("companie", hidden["company"])) for obj in objs}
    # the API shows only what the public catalogue shows, whoever asks (even an admin)
    for who in (client, login(admin_user)):
        for url in urls:
            response = who.get(url)
            body = response.get_data(as_text=True)
            decoded = json.dumps(response.get_json(), ensure_ascii=False) if response.is_json \
                else body
            if any(url.endswith(path) for path in hidden_paths):
                assert response.status_code == 404, url
                continue
            assert response.status_code == 200, (url, body[:300])
            for secret in secrets:
                assert secret not in decoded and secret not in body, (url, secret)
            for path in hidden_paths:
                assert not re.search(re.escape(path) + r"(?![0-9])", body), (url, path)
    listed = client.get(f"{API}/solutions?per_page=100").get_json()["data"]
    assert [item["id"] for item in listed] == [public_solution.id]
    needs = client.get(f"{API}/needs?status=all&per_page=100").get_json()["data"]
    assert [item["id"] for item in needs] == [public_need.id]
    companies = client.get(f"{API}/companies?per_page=100").get_json()["data"]
    assert [item["id"] for item in companies] == [public_company.id]
