"""Evidence for an official's verification: an official-domain e-mail confirmed by the sign-up
link, or an uploaded document only admins can download; the admin's queue shows both."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db as database
from app.models import AuditLog, EvidenceKind, OfficialEvidence, OfficialStatus, Role, User
from app.services import unit_of_work
from tests import factories
from tests.test_auth import _link_from, _register

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<html><script>alert(document.cookie)</script></html>"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def jongno(db):
    """서울특별시 종로구, its official domains restored after the test (reference data)."""
    place = factories.municipality("서울특별시 종로구")
    saved = place.email_domains
    yield place
    database.session.rollback()
    place = factories.municipality("서울특별시 종로구")
    place.email_domains = saved
    database.session.commit()


def sign_up_official(client, outbox, email: str, municipality) -> User:
    assert _register(client, role="municipality", municipality_id=str(municipality.id),
                     email=email).status_code == 302
    assert client.post(_link_from(outbox[-1])).status_code == 302
    return database.session.scalar(select(User).where(User.email == email))


@pytest.fixture()
def pending_official(db, jongno):
    user = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING,
                               email="applicant@example.kr")
    unit_of_work.commit()
    return user


def upload(client, data: bytes, filename: str):
    return client.post("/verification/documents",
                       data={"document": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def documents(user) -> list[OfficialEvidence]:
    database.session.expire_all()
    return list(database.session.scalars(select(OfficialEvidence).where(
        OfficialEvidence.user_id == user.id, OfficialEvidence.kind == EvidenceKind.DOCUMENT)))


def test_confirmed_official_domain_email_is_recorded_and_shown_in_the_queue(
        client, db, outbox, jongno, admin_client):
    on_domain = sign_up_official(client, outbox, "kim@jongno.go.kr", jongno)
    other_client = client.application.test_client()
    off_domain = sign_up_official(other_client, outbox, "lee@gmail.com", jongno)
    for user in (on_domain, off_domain):
        evidence = database.session.scalars(select(OfficialEvidence).where(
            OfficialEvidence.user_id == user.id)).one()
        assert evidence.kind == EvidenceKind.EMAIL and evidence.email == user.email
    queue = text(admin_client.get("/admin/officials?status=pending"))
    on_cell = queue.split(f'data-testid="evidence-{on_domain.id}"')[1].split("</td>")[0]
    off_cell = queue.split(f'data-testid="evidence-{off_domain.id}"')[1].split("</td>")[0]
    assert "공식 도메인 이메일 확인" in on_cell
    assert "공식 도메인 아님" in off_cell
    detail = text(admin_client.get(f"/admin/officials/{on_domain.id}"))
    assert "공식 도메인 일치: 예" in detail and "kim@jongno.go.kr" in detail
    assert "lee@gmail.com" in text(other_client.get("/verification/"))


def test_municipality_domains_replace_the_go_kr_default_and_are_audited(
        client, db, outbox, jongno, admin_client, admin_user):
    official = sign_up_official(client, outbox, "park@seoul.go.kr", jongno)
    detail = f"/admin/officials/{official.id}"
    assert "공식 도메인 일치: 예" in text(admin_client.get(detail))  # default: any *.go.kr
    response = admin_client.post(f"{detail}/domains", data={"email_domains": "jongno.go.kr"})
    assert response.status_code == 302
    assert "공식 도메인 일치: 아니오" in text(admin_client.get(detail))
    entry = database.session.scalar(select(AuditLog).where(
        AuditLog.action == "municipality.email_domains"))
    assert entry.actor_id == admin_user.id and entry.after == {"email_domains": "jongno.go.kr"}

    refused = admin_client.post(f"{detail}/domains", data={"email_domains": "not a domain!"})
    assert refused.status_code == 400 and "올바른 도메인이 아닙니다" in text(refused)
    database.session.expire_all()
    assert factories.municipality("서울특별시 종로구").email_domains == "jongno.go.kr"


def test_official_uploads_a_document_typed_by_its_content(db, login, pending_official):
    client = login(pending_official)
    assert upload(client, PDF, "재직증명서.pdf").status_code == 302
    assert upload(client, PNG, "scan.txt").status_code == 302  # the name does not decide
    stored = documents(pending_official)
    assert [(d.content_type, d.filename) for d in stored] == [
        ("application/pdf", "재직증명서.pdf"), ("image/png", "scan.txt")]
    assert stored[0].content == PDF
    page = text(client.get("/verification/"))
    assert "재직증명서.pdf" in page and "/admin/officials" not in page
    assert database.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "official.evidence_added", AuditLog.actor_id == pending_official.id)) \
        == 2


@pytest.mark.parametrize("data, filename, message", [
    (HTML, "evidence.pdf", "PDF, PNG, JPEG 파일만"),
    (b"", "empty.pdf", "파일을 선택하세요"),
    (b"%PDF-" + b"0" * (4 * 1024 * 1024), "huge.pdf", "MB 이하만"),
])
def test_bad_documents_are_refused_and_nothing_is_stored(db, login, pending_official, data,
                                                         filename, message):
    response = upload(login(pending_official), data, filename)
    assert response.status_code == 400 and message in text(response)
    assert documents(pending_official) == []


def test_number_of_documents_is_limited(app, db, login, pending_official):
    client = login(pending_official)
    for _ in range(app.config["VERIFICATION_DOCUMENTS_PER_USER"]):
        assert upload(client, PDF, "a.pdf").status_code == 302
    response = upload(client, PDF, "one-too-many.pdf")
    assert response.status_code == 400 and "개까지" in text(response)


def test_only_unverified_officials_upload(db, official_client, company_client, client):
    assert official_client.post("/verification/documents",
                                data={"document": (io.BytesIO(PDF), "a.pdf")}).status_code == 403
    assert company_client.get("/verification/").status_code == 403
    assert client.get("/verification/").status_code == 302  # to the sign-in page


def test_only_admins_download_documents_as_attachments(db, login, pending_official, admin_client,
                                                        official_client, company_client):
    assert upload(login(pending_official), PDF, "x.html").status_code == 302
    document = documents(pending_official)[0]
    url = f"/admin/officials/{pending_official.id}/documents/{document.id}"
    response = admin_client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"citymatch-evidence-{document.id}.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert f'href="{url}"' in text(admin_client.get(f"/admin/officials/{pending_official.id}"))
    for other in (official_client, company_client, login(pending_official)):
        assert other.get(url).status_code == 403
    other_official = factories.make_user(role=Role.MUNICIPALITY)
    unit_of_work.commit()
    assert admin_client.get(
        f"/admin/officials/{other_official.id}/documents/{document.id}").status_code == 404


def test_verification_decision_is_audited(db, admin_client, admin_user, pending_official):
    response = admin_client.post(f"/admin/officials/{pending_official.id}/decision",
                                 data={"action": "verify"})
    assert response.status_code == 302
    entry = database.session.scalar(select(AuditLog).where(AuditLog.action == "official.verify"))
    assert entry.actor_id == admin_user.id and entry.target_id == pending_official.id
    database.session.expire_all()
    assert database.session.get(User, pending_official.id).acts_for_organisation
