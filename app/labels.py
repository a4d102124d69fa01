"""Korean display labels for enum values (English alongside for later localisation)."""
from __future__ import annotations

from app.models import (
    AccountStatus,
    Maturity,
    MembershipStatus,
    ModerationStatus,
    NeedStatus,
    OfficialStatus,
    Role,
    SizeClass,
    SolutionStatus,
)

LABELS: dict[type, dict[object, str]] = {
    SizeClass: {
        SizeClass.LARGE: "대기업",
        SizeClass.MID: "중견기업",
        SizeClass.SME: "중소기업",
        SizeClass.STARTUP: "스타트업",
    },
    MembershipStatus: {
        MembershipStatus.NONE: "미신청",
        MembershipStatus.PENDING: "승인 대기",
        MembershipStatus.APPROVED: "승인됨",
        MembershipStatus.REJECTED: "반려됨",
        MembershipStatus.SUSPENDED: "정지됨",
    },
    Maturity: {
        Maturity.RND: "연구개발",
        Maturity.PILOT: "실증",
        Maturity.COMMERCIAL: "상용화",
    },
    SolutionStatus: {
        SolutionStatus.DRAFT: "초안",
        SolutionStatus.PUBLISHED: "게시됨",
        SolutionStatus.ARCHIVED: "보관됨",
    },
    NeedStatus: {
        NeedStatus.OPEN: "모집 중",
        NeedStatus.IN_REVIEW: "검토 중",
        NeedStatus.MATCHED: "매칭 완료",
        NeedStatus.CLOSED: "종료",
    },
    OfficialStatus: {
        OfficialStatus.PENDING: "인증 대기",
        OfficialStatus.VERIFIED: "인증됨",
        OfficialStatus.REJECTED: "반려됨",
        OfficialStatus.SUSPENDED: "정지됨",
    },
    Role: {
        Role.COMPANY: "기업 회원",
        Role.MUNICIPALITY: "지자체 공무원",
        Role.ADMIN: "관리자",
    },
    AccountStatus: {
        AccountStatus.ACTIVE: "활성",
        AccountStatus.SUSPENDED: "정지됨",
    },
    ModerationStatus: {
        ModerationStatus.ACTIVE: "노출",
        ModerationStatus.SUSPENDED: "게시 중단",
    },
}


def label(value: object) -> str:
    """The Korean label of an enum member (or the value itself when unknown)."""
    if value is None:
        return ""
    return LABELS.get(type(value), {}).get(value, str(getattr(value, "value", value)))


def choices(enum_cls: type) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, in declaration order."""
    return [(member.value, label(member)) for member in enum_cls]
