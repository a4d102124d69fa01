"""The optional National Tax Service status check, against a stub API server on 127.0.0.1."""
from __future__ import annotations

import io
import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.models import AuditLog, BusinessStatus, BusinessStatusCheck, Company, Role, SizeClass
from app.services import unit_of_work
from tests import factories

SERVICE_KEY = "stub-service-key"
UNKNOWN = {"b_stt": "", "b_stt_cd": "", "tax_type": "국세청에 등록되지 않은 사업자등록번호입니다.",
           "tax_type_cd": "", "end_dt": "", "utcc_yn": "", "tax_type_change_dt": "",
           "invoice_apply_dt": "", "rbf_tax_type": "", "rbf_tax_type_cd": ""}
ACTIVE = {**UNKNOWN, "b_stt": "계속사업자", "b_stt_cd": "01", "tax_type": "부가가치세 일반과세자",
          "tax_type_cd": "01", "utcc_yn": "N", "rbf_tax_type": "해당없음", "rbf_tax_type_cd": "99"}
SUSPENDED = {**ACTIVE, "b_stt": "휴업자", "b_stt_cd": "02"}
CLOSED = {**ACTIVE, "b_stt": "폐업자", "b_stt_cd": "03", "end_dt": "20250131"}


class StubNts:
    """A stand-in for api.odcloud.kr: answers per number, or fails as told."""

    def __init__(self) -> None:
        self.answers: dict[str, dict] = {}
        self.failure: str | None = None  # "500", "slow" or "garbage"
        self.requests: list[dict] = []

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        body = json.loads(handler.rfile.read(length) or b"{}")
        self.requests.append({"path": urlsplit(handler.path).path,
                              "query": parse_qs(urlsplit(handler.path).query), "body": body})
        if self.failure == "slow":
            time.sleep(1.5)
        if self.failure == "500":
            handler.send_response(500)
            handler.end_headers()
            return
        if self.failure == "garbage":
            payload = b"<html>maintenance</html>"
        else:
            data = [{"b_no": number, **self.answers.get(number, UNKNOWN)}
                    for number in body.get("b_no", [])]
            payload = json.dumps({"request_cnt": len(data), "match_cnt": len(data),
                                  "status_code": "OK", "data": data}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


@pytest.fixture()
def nts(app):
    """A stub NTS API on a real loopback socket, configured as the app's status API."""
    stub = StubNts()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            stub.respond(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {key: app.config[key] for key in
             ("NTS_STATUS_API_URL", "NTS_SERVICE_KEY", "NTS_TIMEOUT_SECONDS")}
    app.config.update(NTS_STATUS_API_URL=f"http://127.0.0.1:{server.server_port}/api/nts-businessman/v1/status",
                      NTS_SERVICE_KEY=SERVICE_KEY, NTS_TIMEOUT_SECONDS=0.3)
    yield stub
    app.config.update(saved)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture()
def loner(db):
    user = factories.make_user(role=Role.COMPANY)
    db.session.commit()
    return user


def register(client, number: str):
    province = str(factories.province("서울특별시").id)
    return client.post("/my/company/new", data={
        "name": "상태조회기업", "business_number": number, "size_class": SizeClass.SME.value,
        "hq_region_id": province, "region_ids": [province], "website": "",
        "description": "상태 조회 시험용 기업입니다."})


def checks(db) -> list[BusinessStatusCheck]:
    db.session.expire_all()
    return list(db.session.scalars(select(BusinessStatusCheck).order_by(BusinessStatusCheck.id)))


def admin_page(admin_client, db) -> str:
    company = db.session.scalars(select(Company)).one()
    response = admin_client.get(f"/admin/companies/{company.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("answer, status, shown", [
    (ACTIVE, BusinessStatus.ACTIVE, "계속사업자"),
    (SUSPENDED, BusinessStatus.SUSPENDED, "휴업자"),
    (CLOSED, BusinessStatus.CLOSED, "폐업자"),
    (None, BusinessStatus.UNREGISTERED, "국세청에 등록되지 않은 번호"),
])
def test_registration_records_the_status_the_admin_then_sees(
        db, nts, login, loner, admin_client, answer, status, shown):
    number = factories.valid_business_number(400_001)
    if answer is not None:
        nts.answers[number] = answer
    assert register(login(loner), number).status_code == 302
    [request] = nts.requests
    assert request["path"] == "/api/nts-businessman/v1/status"
    assert request["query"]["serviceKey"] == [SERVICE_KEY]
    assert request["body"] == {"b_no": [number]}
    [check] = checks(db)
    assert check.status == status and check.business_number == number
    assert check.closed_on == (date(2025, 1, 31) if status == BusinessStatus.CLOSED else None)
    page = admin_page(admin_client, db)
    assert shown in page
    if status == BusinessStatus.CLOSED:
        assert "2025-01-31" in page


@pytest.mark.parametrize("failure", ["500", "slow", "garbage"])
def test_an_unavailable_api_never_blocks_registration(db, nts, login, loner, admin_client,
                                                      caplog, failure):
    nts.failure = failure
    number = factories.valid_business_number(400_002)
    assert register(login(loner), number).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Company.business_number)) == number
    [check] = checks(db)
    assert check.status == BusinessStatus.UNAVAILABLE
    assert "확인하지 못함" in admin_page(admin_client, db)
    assert SERVICE_KEY not in caplog.text  # request errors quote the URL, key included


def test_off_by_default_no_query_and_the_admin_sees_not_checked(db, app, login, loner,
                                                               admin_client):
    assert app.config["NTS_SERVICE_KEY"] is None
    assert register(login(loner), factories.valid_business_number(400_003)).status_code == 302
    assert checks(db) == []
    page = admin_page(admin_client, db)
    assert "확인하지 않음" in page and "국세청 상태조회가 꺼져 있습니다." in page
    company = db.session.scalars(select(Company)).one()
    response = admin_client.post(f"/admin/companies/{company.id}/business-status",
                                 follow_redirects=True)
    assert "국세청 사업자 상태조회가 설정되어 있지 않습니다" in response.get_data(as_text=True)
    assert checks(db) == []


def test_admin_recheck_records_and_audits_the_new_answer(db, nts, admin_client, admin_user):
    company = factories.make_company()
    unit_of_work.commit()
    nts.answers[company.business_number] = CLOSED
    response = admin_client.post(f"/admin/companies/{company.id}/business-status")
    assert response.status_code == 302
    [check] = checks(db)
    assert check.company_id == company.id and check.status == BusinessStatus.CLOSED
    entry = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "company.business_status")).one()
    assert entry.actor_id == admin_user.id and entry.after == {"business_status": "closed"}
    page = admin_client.get(f"/admin/companies/{company.id}").get_data(as_text=True)
    assert "폐업자" in page and "국세청 사업자 상태조회" in page


def test_recheck_is_for_admins_only(db, nts, company_client, company):
    response = company_client.post(f"/admin/companies/{company.id}/business-status")
    assert response.status_code == 403
    assert nts.requests == [] and checks(db) == []


def test_csv_import_asks_once_for_the_whole_file(db, nts, admin_client):
    first, second = (factories.valid_business_number(400_010 + i) for i in range(2))
    nts.answers[first] = ACTIVE
    content = "\n".join([
        "name,business_number,size_class,hq_region,regions_served,website,description,membership",
        f"첫째기업,{first},스타트업,서울특별시,,,,", f"둘째기업,{second},스타트업,서울특별시,,,,"])
    response = admin_client.post("/admin/dashboard/import",
                                 data={"file": (io.BytesIO(content.encode()), "members.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code == 302
    assert [r["body"] for r in nts.requests] == [{"b_no": [first, second]}]
    db.session.expire_all()
    status_by_number = {c.business_number: c.status for c in checks(db)}
    assert status_by_number == {first: BusinessStatus.ACTIVE, second: BusinessStatus.UNREGISTERED}
    assert db.session.scalar(select(func.count(Company.id))) == 2
