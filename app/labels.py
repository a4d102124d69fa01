"""Display labels for enum values: Korean msgids, translated lazily into the request locale."""
from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.models import (
    AccountStatus,
    AuditAction,
    BusinessStatus,
    ConfirmationStatus,
    ConsortiumStatus,
    DataHubStandard,
    DeclineKind,
    DigestFrequency,
    GovernmentLevel,
    InvitationStatus,
    MatchStatus,
    Maturity,
    MeetingStatus,
    MembershipStatus,
    ModerationStatus,
    NeedStatus,
    OfficialStatus,
    OrganisationKind,
    OutcomeStage,
    PolicyArea,
    PolicyTagStatus,
    ProcurementRoute,
    StepStatus,
    Role,
    SandboxKind,
    SandboxProgress,
    SearchTarget,
    Side,
    SizeClass,
    SolutionStatus,
)

LABELS: dict[type, dict[object, LazyString]] = {
    OrganisationKind: {
        OrganisationKind.CITY_GOVERNMENT: _l("도시 정부"),
        OrganisationKind.AGENCY: _l("공공기관"),
        OrganisationKind.DEVELOPMENT_BANK: _l("개발은행"),
    },
    SizeClass: {
        SizeClass.LARGE: _l("대기업"),
        SizeClass.MID: _l("중견기업"),
        SizeClass.SME: _l("중소기업"),
        SizeClass.STARTUP: _l("스타트업"),
    },
    MembershipStatus: {
        MembershipStatus.NONE: _l("미신청"),
        MembershipStatus.PENDING: _l("승인 대기"),
        MembershipStatus.APPROVED: _l("승인됨"),
        MembershipStatus.REJECTED: _l("반려됨"),
        MembershipStatus.SUSPENDED: _l("정지됨"),
    },
    Maturity: {
        Maturity.RND: _l("연구개발"),
        Maturity.PILOT: _l("실증"),
        Maturity.COMMERCIAL: _l("상용화"),
    },
    DataHubStandard: {
        DataHubStandard.NGSI_LD: _l("스마트시티 데이터허브 표준 API (NGSI-LD)"),
        DataHubStandard.ONEM2M: _l("oneM2M"),
        DataHubStandard.FIWARE: _l("FIWARE Context Broker"),
        DataHubStandard.SENSORTHINGS: _l("OGC SensorThings API"),
        DataHubStandard.DATA_GO_KR: _l("공공데이터포털 Open API"),
        DataHubStandard.ITS: _l("국가교통정보 표준 (ITS)"),
        DataHubStandard.VWORLD: _l("공간정보 오픈플랫폼 (브이월드) API"),
    },
    SolutionStatus: {
        SolutionStatus.DRAFT: _l("초안"),
        SolutionStatus.PUBLISHED: _l("게시됨"),
        SolutionStatus.ARCHIVED: _l("보관됨"),
    },
    DeclineKind: {
        DeclineKind.DECLINE: _l("인구감소지역"),
        DeclineKind.INTEREST: _l("인구감소 관심지역"),
    },
    NeedStatus: {
        NeedStatus.OPEN: _l("모집 중"),
        NeedStatus.IN_REVIEW: _l("검토 중"),
        NeedStatus.MATCHED: _l("매칭 완료"),
        NeedStatus.CLOSED: _l("종료"),
    },
    OfficialStatus: {
        OfficialStatus.PENDING: _l("인증 대기"),
        OfficialStatus.VERIFIED: _l("인증됨"),
        OfficialStatus.REJECTED: _l("반려됨"),
        OfficialStatus.SUSPENDED: _l("정지됨"),
    },
    Role: {
        Role.COMPANY: _l("기업 회원"),
        Role.MUNICIPALITY: _l("지자체 공무원"),
        Role.ADMIN: _l("관리자"),
    },
    BusinessStatus: {
        BusinessStatus.ACTIVE: _l("계속사업자"),
        BusinessStatus.SUSPENDED: _l("휴업자"),
        BusinessStatus.CLOSED: _l("폐업자"),
        BusinessStatus.UNREGISTERED: _l("국세청에 등록되지 않은 번호"),
        BusinessStatus.UNAVAILABLE: _l("확인하지 못함 (국세청 응답 없음)"),
    },
    AccountStatus: {
        AccountStatus.ACTIVE: _l("활성"),
        AccountStatus.SUSPENDED: _l("정지됨"),
    },
    ModerationStatus: {
        ModerationStatus.ACTIVE: _l("노출"),
        ModerationStatus.SUSPENDED: _l("게시 중단"),
    },
    GovernmentLevel: {
        GovernmentLevel.PROVINCE: _l("광역자치단체"),
        GovernmentLevel.BASIC: _l("기초자치단체"),
    },
    Side: {
        Side.MUNICIPALITY: _l("지자체"),
        Side.COMPANY: _l("기업"),
    },
    MatchStatus: {
        MatchStatus.PENDING: _l("응답 대기"),
        MatchStatus.DECLINED: _l("거절됨"),
        MatchStatus.EXPIRED: _l("기한 만료"),
        MatchStatus.WITHDRAWN: _l("철회됨"),
        MatchStatus.MUTUAL: _l("상호 수락 · 관리자 검토 중"),
        MatchStatus.APPROVED: _l("승인됨"),
        MatchStatus.REJECTED: _l("반려됨"),
    },
    ConsortiumStatus: {
        ConsortiumStatus.AWAITING_PARTNERS: _l("참여사 확인 대기"),
        ConsortiumStatus.SUBMITTED: _l("지자체 응답 대기"),
        ConsortiumStatus.PARTNER_DECLINED: _l("참여사 불참"),
        ConsortiumStatus.WITHDRAWN: _l("철회됨"),
        ConsortiumStatus.DECLINED: _l("거절됨"),
        ConsortiumStatus.EXPIRED: _l("기한 만료"),
        ConsortiumStatus.MUTUAL: _l("상호 수락 · 관리자 검토 중"),
        ConsortiumStatus.APPROVED: _l("승인됨"),
        ConsortiumStatus.REJECTED: _l("반려됨"),
    },
    ConfirmationStatus: {
        ConfirmationStatus.PENDING: _l("확인 대기"),
        ConfirmationStatus.CONFIRMED: _l("참여 확인"),
        ConfirmationStatus.DECLINED: _l("불참"),
    },
    OutcomeStage: {
        OutcomeStage.NEGOTIATING: _l("협의 중"),
        OutcomeStage.POC: _l("실증(PoC)"),
        OutcomeStage.CONTRACTED: _l("계약·도입"),
        OutcomeStage.OPERATING: _l("운영"),
        OutcomeStage.STOPPED: _l("중단"),
    },
    ProcurementRoute: {
        ProcurementRoute.INNOVATION_PRODUCT: _l("혁신제품 지정·시범구매"),
        ProcurementRoute.COMPETITIVE_DIALOGUE: _l("경쟁적 대화"),
        ProcurementRoute.SMART_CHALLENGE: _l("스마트챌린지"),
        ProcurementRoute.PRIVATE_CONTRACT: _l("수의계약"),
        ProcurementRoute.OPEN_TENDER: _l("일반 입찰"),
        ProcurementRoute.OTHER: _l("기타"),
    },
    StepStatus: {
        StepStatus.PROPOSED: _l("상대방 확인 대기"),
        StepStatus.CONFIRMED: _l("양측 확인"),
        StepStatus.REJECTED: _l("상대방이 거절"),
    },
    SandboxKind: {
        SandboxKind.DEMONSTRATION: _l("실증특례"),
        SandboxKind.TEMPORARY_PERMIT: _l("임시허가"),
    },
    SandboxProgress: {
        SandboxProgress.NEEDED: _l("신청 필요"),
        SandboxProgress.APPLIED: _l("신청함"),
        SandboxProgress.UNDER_REVIEW: _l("심사 중"),
        SandboxProgress.GRANTED: _l("특례 승인"),
        SandboxProgress.REFUSED: _l("불승인"),
        SandboxProgress.WITHDRAWN: _l("신청 철회"),
    },
    InvitationStatus: {
        InvitationStatus.PENDING: _l("응답 대기"),
        InvitationStatus.ACCEPTED: _l("참여 확정"),
        InvitationStatus.DECLINED: _l("초대 거절"),
    },
    SearchTarget: {
        SearchTarget.NEED: _l("수요"),
        SearchTarget.SOLUTION: _l("솔루션"),
    },
    DigestFrequency: {
        DigestFrequency.OFF: _l("받지 않음"),
        DigestFrequency.DAILY: _l("매일"),
        DigestFrequency.WEEKLY: _l("매주"),
    },
    PolicyArea: {
        PolicyArea.CLIMATE: _l("기후위기 대응"),
        PolicyArea.INCLUSION: _l("디지털 포용"),
    },
    PolicyTagStatus: {
        PolicyTagStatus.CLAIMED: _l("관리자 확인 대기"),
        PolicyTagStatus.CONFIRMED: _l("관리자 확인"),
        PolicyTagStatus.REJECTED: _l("관리자 반려"),
    },
    MeetingStatus: {
        MeetingStatus.PROPOSED: _l("응답 대기"),
        MeetingStatus.ACCEPTED: _l("확정"),
        MeetingStatus.DECLINED: _l("거절됨"),
    },
    AuditAction: {
        AuditAction.COMPANY_CREATE: _l("기업 등록"),
        AuditAction.COMPANY_UPDATE: _l("기업 정보 수정"),
        AuditAction.COMPANY_APPLY_MEMBERSHIP: _l("융합 얼라이언스 회원 신청"),
        AuditAction.COMPANY_IMPORT: _l("기업 CSV 가져오기"),
        AuditAction.COMPANY_APPROVE: _l("기업 승인"),
        AuditAction.COMPANY_REJECT: _l("기업 반려"),
        AuditAction.COMPANY_SUSPEND: _l("기업 정지"),
        AuditAction.COMPANY_REINSTATE: _l("기업 정지 해제"),
        AuditAction.COMPANY_BUSINESS_STATUS: _l("국세청 사업자 상태조회"),
        AuditAction.OFFICIAL_VERIFY: _l("공무원 인증"),
        AuditAction.OFFICIAL_REJECT: _l("공무원 반려"),
        AuditAction.OFFICIAL_SUSPEND: _l("공무원 정지"),
        AuditAction.OFFICIAL_REINSTATE: _l("공무원 정지 해제"),
        AuditAction.OFFICIAL_EVIDENCE_ADDED: _l("공무원 인증 증빙 제출"),
        AuditAction.MUNICIPALITY_EMAIL_DOMAINS: _l("지자체 공식 이메일 도메인 변경"),
        AuditAction.SOLUTION_SUSPEND: _l("솔루션 게시 중단"),
        AuditAction.SOLUTION_REINSTATE: _l("솔루션 게시 재개"),
        AuditAction.NEED_SUSPEND: _l("수요 게시 중단"),
        AuditAction.NEED_REINSTATE: _l("수요 게시 재개"),
        AuditAction.POLICY_TAG_CONFIRM: _l("정책 분야 태그 확인"),
        AuditAction.POLICY_TAG_REJECT: _l("정책 분야 태그 반려"),
        AuditAction.MATCH_APPROVE: _l("매칭 승인"),
        AuditAction.MATCH_REJECT: _l("매칭 반려"),
        AuditAction.CONSORTIUM_APPROVE: _l("컨소시엄 승인"),
        AuditAction.CONSORTIUM_REJECT: _l("컨소시엄 반려"),
        AuditAction.USER_SUSPEND: _l("계정 정지"),
        AuditAction.USER_REACTIVATE: _l("계정 복구"),
        AuditAction.USER_CREATE_ADMIN: _l("관리자 계정 생성"),
        AuditAction.USER_LOGIN_FAILED: _l("로그인 실패"),
        AuditAction.USER_LOCKED: _l("로그인 일시 잠금"),
        AuditAction.USER_PASSWORD_RESET: _l("비밀번호 재설정"),
        AuditAction.USER_PASSWORD_CHANGED: _l("비밀번호 변경"),
        AuditAction.USER_SESSIONS_REVOKED: _l("모든 기기에서 로그아웃"),
        AuditAction.USER_LOGOUT: _l("로그아웃"),
        AuditAction.USER_DELETED: _l("회원 탈퇴"),
    },
}


def label(value: object) -> str:
    """The label of an enum member in the current locale (or the value itself when unknown)."""
    if value is None:
        return ""
    text = LABELS.get(type(value), {}).get(value)
    return str(text) if text is not None else str(getattr(value, "value", value))


# Field names that audit entries record (before/after), shown in the audit log.
AUDIT_FIELD_LABELS: dict[str, LazyString] = {
    "name": _l("이름"),
    "email": _l("이메일"),
    "role": _l("역할"),
    "business_number": _l("사업자등록번호"),
    "size_class": _l("기업 규모"),
    "hq_region_id": _l("본사 소재지"),
    "website": _l("웹사이트"),
    "business_status": _l("국세청 사업자 상태"),
    "membership_status": _l("회원 상태"),
    "membership_reason": _l("회원 상태 사유"),
    "membership_decided_at": _l("결정 일시"),
    "official_status": _l("공무원 인증 상태"),
    "official_status_reason": _l("인증 상태 사유"),
    "moderation_status": _l("게시 상태"),
    "moderation_reason": _l("게시 중단 사유"),
    "account_status": _l("계정 상태"),
    "status": _l("상태"),
    "email_domains": _l("공식 이메일 도메인"),
    "evidence_id": _l("증빙 번호"),
    "filename": _l("파일 이름"),
    "content_type": _l("파일 형식"),
    "size": _l("크기(바이트)"),
    "failed_count": _l("연속 로그인 실패 횟수"),
    "locked_until": _l("잠금 해제 시각"),
    "company_id": _l("소속 기업"),
    "company_left_without_members": _l("기업에 남은 회원 없음"),
    "municipality_id": _l("지자체"),
    "category_id": _l("분야"),
    "policy_area": _l("정책 분야"),
    "policy_tag_status": _l("정책 분야 태그 상태"),
}

# Names of the models an audit entry can be about.
AUDIT_TARGET_LABELS: dict[str, LazyString] = {
    "Company": _l("기업"),
    "User": _l("사용자"),
    "Solution": _l("솔루션"),
    "Need": _l("수요"),
    "Municipality": _l("지자체"),
    "Match": _l("매칭"),
    "ConsortiumProposal": _l("컨소시엄"),
}


# The languages a need may be written in (Need.language), named in their own language as
# language pickers do (so not translated). Officials normally post Korean.
NEED_LANGUAGES: tuple[tuple[str, str], ...] = (("ko", "한국어"), ("en", "English"))


def choices(enum_cls: type) -> list[tuple[str, LazyString | str]]:
    """(value, lazy label) pairs for a select field, in declaration order."""
    labels = LABELS.get(enum_cls, {})
    return [(member.value, labels.get(member, member.value)) for member in enum_cls]


# Score parts and reason codes of a recommendation's explanation (matching.scoring).
SCORE_COMPONENT_NAMES: dict[str, LazyString] = {
    "text": _l("텍스트 관련도"),
    "category": _l("분야 일치"),
    "budget": _l("예산 적합"),
    "reference": _l("도입 실적"),
    "maturity": _l("기술 성숙도"),
    "region": _l("서비스 지역"),
    "budget_worth": _l("사업 규모"),
    "deadline": _l("준비 기간"),
    "rating": _l("도입 지자체 평가"),
    "requirements": _l("수요 요구사항"),
}
REASON_TEXTS: dict[str, LazyString] = {
    "same_category": _l("같은 분야의 솔루션입니다"),
    "related_category": _l("관련 분야(부분야)가 겹칩니다"),
    "different_category": _l("분야가 다릅니다"),
    "within_budget": _l("예산 범위 안의 가격입니다"),
    "over_budget": _l("최저 가격이 예산을 넘습니다"),
    "budget_unknown": _l("예산 또는 가격 정보가 없습니다"),
    "budget_worthwhile": _l("예산 규모가 사업성 있는 수준입니다"),
    "budget_below_price": _l("예산이 솔루션 최저가보다 작습니다"),
    "reference_same_municipality": _l("같은 지자체에 도입한 실적이 있습니다"),
    "reference_nearby": _l("같은 광역 지역에 도입한 실적이 있습니다"),
    "reference_same_kind": _l("비슷한 유형(시·군·구)의 지자체에 도입한 실적이 있습니다"),
    "reference_elsewhere": _l("다른 지역에 도입한 실적이 있습니다"),
    "no_reference": _l("도입 실적이 없습니다"),
    "maturity_commercial": _l("상용화된 솔루션입니다"),
    "maturity_pilot": _l("실증 단계의 솔루션입니다"),
    "maturity_rnd": _l("연구개발 단계의 솔루션입니다"),
    "serves_region": _l("해당 지역에서 서비스합니다"),
    "serves_nationwide": _l("전국에서 서비스합니다"),
    "outside_region": _l("해당 지역은 서비스 지역이 아닙니다"),
    "region_unknown": _l("지역 정보가 없습니다"),
    "deadline_ok": _l("마감까지 준비 기간이 충분합니다"),
    "deadline_near": _l("마감이 임박했습니다"),
    "deadline_passed": _l("마감이 지났습니다"),
    "rated_well": _l("도입한 지자체들의 평가가 좋습니다"),
    "rated_poorly": _l("도입한 지자체들의 평가가 낮습니다"),
    "data_hub_met": _l("요구한 데이터허브 연계를 지원합니다"),
    "data_hub_missed": _l("요구한 데이터허브 연계를 지원하지 않습니다"),
    "data_hub_standard_met": _l("요구한 데이터허브 연계 표준을 지원합니다"),
    "data_hub_standard_missed": _l("요구한 데이터허브 연계 표준을 지원하지 않습니다"),
    "open_source_met": _l("요구한 오픈소스 솔루션입니다"),
    "open_source_missed": _l("오픈소스가 아닙니다 (수요가 오픈소스를 요구합니다)"),
    "low_confidence": _l("관련도가 낮은 추천입니다"),
}


def score_component_name(key: str) -> str:
    """The display name of a score component (the key itself if unknown)."""
    text = SCORE_COMPONENT_NAMES.get(key)
    return str(text) if text is not None else key


def reason_label(code: str, fallback: str | None = None) -> str:
    """The display text of a reason code; else the stored label, else the code."""
    text = REASON_TEXTS.get(code)
    return str(text) if text is not None else (fallback or code)
