"""Recommendation results with their explanations, and Korean labels for reason codes."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Hashable

#: Human-readable Korean text for each reason code the scorer can emit.
REASON_LABELS_KO: dict[str, str] = {
    "same_category": "같은 분야의 솔루션입니다",
    "related_category": "관련 분야(부분야)가 겹칩니다",
    "different_category": "분야가 다릅니다",
    "within_budget": "예산 범위 안의 가격입니다",
    "over_budget": "최저 가격이 예산을 넘습니다",
    "budget_unknown": "예산 또는 가격 정보가 없습니다",
    "budget_worthwhile": "예산 규모가 사업성 있는 수준입니다",
    "budget_below_price": "예산이 솔루션 최저가보다 작습니다",
    "reference_same_municipality": "같은 지자체에 도입한 실적이 있습니다",
    "reference_nearby": "같은 광역 지역에 도입한 실적이 있습니다",
    "reference_same_kind": "비슷한 유형(시·군·구)의 지자체에 도입한 실적이 있습니다",
    "reference_elsewhere": "다른 지역에 도입한 실적이 있습니다",
    "no_reference": "도입 실적이 없습니다",
    "maturity_commercial": "상용화된 솔루션입니다",
    "maturity_pilot": "실증 단계의 솔루션입니다",
    "maturity_rnd": "연구개발 단계의 솔루션입니다",
    "serves_region": "해당 지역에서 서비스합니다",
    "serves_nationwide": "전국에서 서비스합니다",
    "outside_region": "해당 지역은 서비스 지역이 아닙니다",
    "region_unknown": "지역 정보가 없습니다",
    "deadline_ok": "마감까지 준비 기간이 충분합니다",
    "deadline_tight": "마감이 촉박합니다",
    "deadline_too_close": "마감까지 준비 기간이 부족합니다",
    "deadline_passed": "마감이 지났습니다",
    "low_confidence": "관련도가 낮은 추천입니다",
}


def reason_label(code: str) -> str:
    """Korean text of a reason code (the code itself if unknown)."""
    return REASON_LABELS_KO.get(code, code)


@dataclass(frozen=True)
class Match:
    """One need–solution recommendation with every score component and its explanation.

    ``score`` is the reciprocal score; ``text_score`` the raw cosine; ``shared_terms`` the
    ``(term, contribution)`` pairs (product of the two TF-IDF weights) that drove it.
    """

    need_id: Hashable
    solution_id: Hashable
    company_id: Hashable
    score: float
    text_score: float
    text_relevance: float
    need_fit: float
    company_fit: float
    need_side: float
    company_side: float
    components: dict
    shared_terms: tuple
    reasons: tuple
    low_confidence: bool

    def to_dict(self) -> dict:
        """Plain JSON-ready dict, with Korean reason labels added."""
        data = asdict(self)
        data["shared_terms"] = [list(p) for p in self.shared_terms]
        data["reasons"] = list(self.reasons)
        data["reason_labels"] = [reason_label(r) for r in self.reasons]
        return data
