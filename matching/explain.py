"""Recommendation results with their explanations (numbers and reason codes, no display text)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Hashable

from matching.scoring import SCORE_VERSION

#: Every code ``Match.reasons`` may hold (see ``matching.scoring``). The library returns codes
#: and numbers only; the application owns their wording and translation.
REASON_CODES: tuple[str, ...] = (
    "same_category", "related_category", "different_category",
    "within_budget", "over_budget", "budget_unknown", "budget_worthwhile", "budget_below_price",
    "reference_same_municipality", "reference_nearby", "reference_same_kind",
    "reference_elsewhere", "no_reference",
    "maturity_commercial", "maturity_pilot", "maturity_rnd",
    "serves_region", "serves_nationwide", "outside_region", "region_unknown",
    "deadline_ok", "deadline_near", "deadline_passed",
    "rated_well", "rated_poorly",
    "data_hub_met", "data_hub_missed", "data_hub_standard_met", "data_hub_standard_missed",
    "open_source_met", "open_source_missed",
    "low_confidence",
)


@dataclass(frozen=True)
class Match:
    """One need–solution recommendation with every score component and its explanation.

    ``score`` is the calibrated match score (estimated probability of relevance, see
    ``matching.scoring``); ``text_relevance`` its text part on the same scale; ``contributions``
    the ``(part, amount)`` pairs that add up to ``score``; ``components`` each factor's
    sub-score; ``text_score`` the raw cosine (for ranking ties, not for display);
    ``shared_terms`` the ``(term, contribution)`` pairs (product of the two TF-IDF weights) that
    drove the cosine; ``strengths``/``cautions`` the reason codes the numbers support.
    """

    need_id: Hashable
    solution_id: Hashable
    company_id: Hashable
    score: float
    text_score: float
    text_relevance: float
    components: dict
    contributions: tuple
    shared_terms: tuple
    reasons: tuple
    strengths: tuple
    cautions: tuple
    low_confidence: bool

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["shared_terms"] = [list(p) for p in self.shared_terms]
        data["contributions"] = [list(p) for p in self.contributions]
        data["reasons"] = list(self.reasons)
        data["strengths"] = list(self.strengths)
        data["cautions"] = list(self.cautions)
        data["score_version"] = SCORE_VERSION
        return data
