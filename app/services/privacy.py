"""The privacy consent notice shown at sign-up (PIPA art. 15(2) and 22) and its records."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import PrivacyConsent, User
from app.models.base import utcnow
from app.services.errors import ServiceError


@dataclass(frozen=True)
class ConsentDocument:
    """One version of the notice: the four items PIPA art. 15(2) requires."""

    version: str
    effective_date: str
    purpose: object
    items: object
    retention: object
    refusal: object

    def korean_text(self) -> str:
        """The Korean original, which the version identifies (needs an app context)."""
        with force_locale("ko"):
            return "\n".join(str(part) for part in
                             (self.purpose, self.items, self.retention, self.refusal))

    def digest(self) -> str:
        """SHA-256 of the Korean text: a changed text must come with a new version."""
        return hashlib.sha256(self.korean_text().encode("utf-8")).hexdigest()


CURRENT = ConsentDocument(
    version="v1",
    effective_date="2026-12-02",
    purpose=_l("회원 가입과 본인 확인, 지자체 공무원 인증, 수요·솔루션 등록과 매칭, 관심 표명의 "
               "처리, 쌍방 동의와 관리자 승인 뒤 상대 기관 담당자에게 연락처 공유, 서비스 알림 "
               "메일 발송, 부정 이용 방지를 위한 보안 기록."),
    items=_l("필수: 이메일, 이름, 비밀번호(암호화하여 저장), 회원 유형, 소속 지자체(공무원). "
             "선택: 부서, 연락처. 서비스 이용 중 생성: 로그인 시각, 보안 기록(로그인 실패, "
             "비밀번호 변경, 세션 종료 등)."),
    retention=_l("회원 탈퇴 시까지. 탈퇴하면 이름·이메일·연락처·부서를 지체 없이 지우고, 기관의 "
                 "기록(수요·솔루션·매칭)은 '탈퇴한 사용자'로 남으며, 보안 감사 기록은 개인정보 "
                 "없이 남습니다. 가입 확인을 마치지 않은 신청은 확인 링크가 24시간 뒤 만료됩니다."),
    refusal=_l("개인정보 수집·이용에 동의하지 않을 권리가 있습니다. 다만 필수 항목에 동의하지 "
               "않으면 회원 가입을 할 수 없습니다. 선택 항목은 입력하지 않아도 가입할 수 있습니다."),
)

# The digest of every published version's Korean text (tests/test_privacy.py checks CURRENT's).
PUBLISHED_DIGESTS = {
    "v1": "6b1d5a11725ed4357adfc78e5d72c78ea7a630864df3c2a277416bdae433c20b",
}


def record_consent(user: User, version: str, accepted_at=None) -> PrivacyConsent:
    """Record that `user` accepted notice `version` (flushed, not committed)."""
    consent = PrivacyConsent(user_id=user.id, document_version=version,
                             accepted_at=accepted_at or utcnow())
    db.session.add(consent)
    db.session.flush()
    return consent


def consents_of(user: User) -> list[PrivacyConsent]:
    """The user's consent records, oldest first."""
    return list(db.session.scalars(select(PrivacyConsent)
                                   .where(PrivacyConsent.user_id == user.id)
                                   .order_by(PrivacyConsent.accepted_at, PrivacyConsent.id)))


def has_accepted(user: User, version: str) -> bool:
    """True when the user accepted this version of the notice."""
    return db.session.scalar(select(PrivacyConsent.id).where(
        PrivacyConsent.user_id == user.id, PrivacyConsent.document_version == version)
        .limit(1)) is not None


def accept_current(user: User, version: str) -> PrivacyConsent:
    """Record a renewed consent to the notice the user was shown (refused if it changed since)."""
    if version != CURRENT.version:
        raise ServiceError(_("동의 안내가 바뀌었습니다. 새 안내를 읽고 다시 동의하세요."))
    if has_accepted(user, version):
        return db.session.scalar(select(PrivacyConsent).where(
            PrivacyConsent.user_id == user.id, PrivacyConsent.document_version == version))
    return record_consent(user, version)


def record_missing_consents(users: list[User]) -> int:
    """Give each user without a record for the current notice one (demo seed); returns how many."""
    ids = [user.id for user in users]
    accepted = set(db.session.scalars(select(PrivacyConsent.user_id).where(
        PrivacyConsent.user_id.in_(ids), PrivacyConsent.document_version == CURRENT.version)))
    missing = [user_id for user_id in ids if user_id not in accepted]
    db.session.add_all(PrivacyConsent(user_id=user_id, document_version=CURRENT.version,
                                      accepted_at=utcnow()) for user_id in missing)
    db.session.flush()
    return len(missing)
