"""Evidence for officials' verification: an official-domain e-mail confirmed by mail, or a
document (PDF or image) only admins can download."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.korean import particle_args
from app.models import EvidenceKind, Municipality, OfficialEvidence, OfficialStatus, User
from app.services import membership_notices
from app.services import file_types
from app.services.audit import record
from app.services.errors import NotFound, PermissionDenied, ServiceError

# The type is decided by the content, never by the name (app/services/file_types.py).
DOCUMENT_TYPES = file_types.DOCUMENTS_AND_IMAGES
EXTENSIONS = {kind.content_type: kind.extension for kind in DOCUMENT_TYPES}
# Officials may add documents while waiting for (or after a refusal of) their verification.
DOCUMENT_STATUSES = (OfficialStatus.PENDING, OfficialStatus.REJECTED)
DOMAIN_PATTERN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DOMAINS_MAX_LENGTH = 300
FILENAME_MAX = 200


@dataclass(frozen=True)
class EvidenceSummary:
    """What the admin's queue shows for one official."""

    email_confirmed: bool
    domain_matches: bool
    documents: int


def parse_domains(text: str | None) -> list[str]:
    """Domains from a space- or comma-separated list, lower-cased, without "@" or "*."."""
    domains = []
    for item in re.split(r"[\s,;]+", (text or "").strip().lower()):
        item = item.removeprefix("@").removeprefix("*.").strip(".")
        if item and item not in domains:
            domains.append(item)
    return domains


def official_domains(municipality: Municipality | None) -> list[str]:
    """The municipality's own domains, else the OFFICIAL_EMAIL_DOMAINS setting (go.kr)."""
    own = parse_domains(municipality.email_domains) if municipality is not None else []
    return own or parse_domains(current_app.config["OFFICIAL_EMAIL_DOMAINS"])


def email_on_domains(email: str, domains: list[str]) -> bool:
    """True when the address's host is one of the domains or a subdomain of one."""
    host = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def record_confirmed_email(user: User) -> OfficialEvidence | None:
    """Record an official's sign-up address as confirmed by the e-mailed link (flushed)."""
    if not user.is_official:
        return None
    evidence = OfficialEvidence(user=user, kind=EvidenceKind.EMAIL, email=user.email)
    db.session.add(evidence)
    db.session.flush()
    return evidence


def evidence_of(user: User) -> list[OfficialEvidence]:
    """The user's evidence, oldest first (documents' bytes not loaded)."""
    return list(db.session.scalars(select(OfficialEvidence).where(
        OfficialEvidence.user_id == user.id).order_by(OfficialEvidence.id)))


def evidence_domain_matches(evidence: OfficialEvidence) -> bool:
    """Whether a confirmed address is on its municipality's official domains (as set now)."""
    return bool(evidence.kind == EvidenceKind.EMAIL and evidence.email
                and email_on_domains(evidence.email, official_domains(evidence.user.municipality)))


def summaries(officials: list[User]) -> dict[int, EvidenceSummary]:
    """The evidence summary of each official on a page of the admin's queue (one query)."""
    by_user: dict[int, list[OfficialEvidence]] = {official.id: [] for official in officials}
    if by_user:
        for evidence in db.session.scalars(select(OfficialEvidence).where(
                OfficialEvidence.user_id.in_(by_user))):
            by_user[evidence.user_id].append(evidence)
    result = {}
    for official in officials:
        items = by_user[official.id]
        emails = [e for e in items if e.kind == EvidenceKind.EMAIL]
        result[official.id] = EvidenceSummary(
            email_confirmed=bool(emails),
            domain_matches=any(evidence_domain_matches(e) for e in emails),
            documents=sum(1 for e in items if e.kind == EvidenceKind.DOCUMENT))
    return result


def sniff_document(data: bytes) -> tuple[str, str] | None:
    """The (content type, extension) the file's leading bytes show, or None if not accepted."""
    kind = file_types.sniff(data, DOCUMENT_TYPES)
    return (kind.content_type, kind.extension) if kind is not None else None


def can_add_document(user: User) -> bool:
    """Officials waiting for verification, or refused, may add documents."""
    return bool(user.is_official and user.official_status in DOCUMENT_STATUSES)


def add_document(user: User, filename: str | None, data: bytes) -> OfficialEvidence:
    """Store an uploaded PDF or image as evidence (flushed, audited)."""
    if not can_add_document(user):
        raise PermissionDenied(_("인증을 기다리는 공무원만 증빙 문서를 올릴 수 있습니다."))
    if not data:
        raise ServiceError(_("올릴 파일을 선택하세요."), field="document")
    limit = current_app.config["VERIFICATION_DOCUMENT_MAX_BYTES"]
    if len(data) > limit:
        raise ServiceError(_("파일은 %(mb).1f MB 이하만 올릴 수 있습니다.", mb=limit / 1024 / 1024),
                           field="document")
    sniffed = sniff_document(data)
    if sniffed is None:
        raise ServiceError(_("PDF, PNG, JPEG 파일만 올릴 수 있습니다."), field="document")
    count = db.session.scalar(select(func.count(OfficialEvidence.id)).where(
        OfficialEvidence.user_id == user.id, OfficialEvidence.kind == EvidenceKind.DOCUMENT))
    most = current_app.config["VERIFICATION_DOCUMENTS_PER_USER"]
    if count >= most:
        raise ServiceError(_("증빙 문서는 %(n)d개까지 올릴 수 있습니다.", n=most), field="document")
    content_type, _extension = sniffed
    name = file_types.clean_filename(filename, FILENAME_MAX)
    evidence = OfficialEvidence(user=user, kind=EvidenceKind.DOCUMENT, filename=name,
                                content_type=content_type, size=len(data), content=data)
    db.session.add(evidence)
    db.session.flush()
    record(user, "official.evidence_added", user,
           after={"evidence_id": evidence.id, "filename": name, "content_type": content_type,
                  "size": len(data)},
           label=f"{user.name} <{user.email}>")
    membership_notices.verification_applied(user)
    return evidence


def document_for_admin(official: User, evidence_id: int) -> OfficialEvidence:
    """An official's uploaded document, for an admin's download (NotFound otherwise)."""
    evidence = db.session.get(OfficialEvidence, evidence_id)
    if evidence is None or evidence.user_id != official.id \
            or evidence.kind != EvidenceKind.DOCUMENT or evidence.content is None:
        raise NotFound()
    return evidence


def download_name(evidence: OfficialEvidence) -> str:
    """A safe file name for the download: the evidence id and the sniffed type's extension."""
    return f"citymatch-evidence-{evidence.id}.{EXTENSIONS.get(evidence.content_type, 'bin')}"


def set_email_domains(admin: User, municipality: Municipality, text: str | None) -> list[str]:
    """Set a municipality's official e-mail domains (empty: the default); audited."""
    if not (admin.is_authenticated and admin.is_admin and admin.is_active):
        raise PermissionDenied()
    domains = parse_domains(text)
    for domain in domains:
        if not DOMAIN_PATTERN.match(domain):
            raise ServiceError(_("'%(domain)s'%(domain_neun)s 올바른 도메인이 아닙니다. 예: jongno.go.kr",
                                 **particle_args("domain", domain[:80], "은")), field="email_domains")
    joined = " ".join(domains)
    if len(joined) > DOMAINS_MAX_LENGTH:
        raise ServiceError(_("도메인 목록은 %(n)d자 이하로 입력하세요.", n=DOMAINS_MAX_LENGTH),
                           field="email_domains")
    before = {"email_domains": municipality.email_domains}
    municipality.email_domains = joined or None
    db.session.flush()
    record(admin, "municipality.email_domains", municipality, before=before,
           after={"email_domains": municipality.email_domains}, label=municipality.full_name)
    return domains
