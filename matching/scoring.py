"""Structured fit of each side and the reciprocal (two-way) match score."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from matching.records import NeedDoc, SolutionDoc


@dataclass(frozen=True)
class ScoringConfig:
    """Weights and thresholds of the reciprocal score (see docs/matching.md)."""

    text_scale: float = 0.4            # cosine at which text relevance saturates to 1
    text_weight_need: float = 0.6      # α_n: share of text relevance in the need-side score
    text_weight_company: float = 0.5   # α_c: share of text relevance in the company-side score
    need_side_weight: float = 1.0      # w_n in the weighted harmonic mean
    company_side_weight: float = 1.0   # w_c in the weighted harmonic mean
    w_category: float = 0.40
    w_budget: float = 0.25
    w_reference: float = 0.20
    w_maturity: float = 0.15
    w_region: float = 0.45
    w_worth: float = 0.30
    w_deadline: float = 0.25
    min_lead_days: int = 30            # minimum days a company needs to prepare a proposal
    low_text: float = 0.05             # cosine below this → low_confidence
    low_score: float = 0.35            # reciprocal score below this → low_confidence


DEFAULT_CONFIG = ScoringConfig()
_MATURITY_FIT = {"commercial": 1.0, "pilot": 0.7, "rnd": 0.4}


def category_fit(need: NeedDoc, sol: SolutionDoc) -> tuple[float, str]:
    """1 for the same primary field, 0.5 if the fields overlap otherwise, else 0."""
    if need.category is None or sol.category is None:
        return 0.5, "category_unknown"
    if need.category == sol.category:
        return 1.0, "same_category"
    need_all = {need.category, *need.secondary_categories}
    sol_all = {sol.category, *sol.secondary_categories}
    if need_all & sol_all:
        return 0.5, "related_category"
    return 0.0, "different_category"


def budget_fit(need: NeedDoc, sol: SolutionDoc) -> tuple[float, str]:
    """Municipality side: 1 if the cheapest offer fits the budget, else budget/price (≤1)."""
    if need.budget_max is None or sol.price_min is None:
        return 0.5, "budget_unknown"
    if sol.price_min <= need.budget_max:
        return 1.0, "within_budget"
    return max(0.0, need.budget_max / sol.price_min) ** 2, "over_budget"


def worth_fit(need: NeedDoc, sol: SolutionDoc) -> tuple[float, str]:
    """Company side: is the budget worth its while (budget_max vs the solution's price_min)."""
    if need.budget_max is None or sol.price_min is None:
        return 0.5, "budget_unknown"
    if need.budget_max >= sol.price_min:
        return 1.0, "budget_worthwhile"
    return max(0.0, need.budget_max / sol.price_min), "budget_below_price"


def maturity_fit(sol: SolutionDoc) -> tuple[float, str]:
    """Commercial 1.0, pilot 0.7, R&D 0.4 (unknown 0.5)."""
    if sol.maturity not in _MATURITY_FIT:
        return 0.5, "maturity_unknown"
    return _MATURITY_FIT[sol.maturity], f"maturity_{sol.maturity}"


def reference_fit(need: NeedDoc, sol: SolutionDoc) -> tuple[float, str]:
    """Past deployments: same municipality 1, same province 0.8, same kind 0.5, elsewhere 0.3."""
    if not sol.references:
        return 0.0, "no_reference"
    place = need.place
    if place is None:
        return 0.3, "reference_elsewhere"
    best, code = 0.3, "reference_elsewhere"
    for ref in sol.references:
        if ref.id == place.id:
            return 1.0, "reference_same_municipality"
        if place.province and ref.province == place.province and best < 0.8:
            best, code = 0.8, "reference_nearby"
        elif place.kind and ref.kind == place.kind and best < 0.5:
            best, code = 0.5, "reference_same_kind"
    return best, code


def region_fit(need: NeedDoc, sol: SolutionDoc) -> tuple[float, str]:
    """Company side: 1 if it serves the need's municipality or province (empty = nationwide)."""
    if not sol.regions_served:
        return 1.0, "serves_nationwide"
    place = need.place
    if place is None:
        return 0.5, "region_unknown"
    served = set(sol.regions_served)
    if place.id in served or (place.province is not None and place.province in served):
        return 1.0, "serves_region"
    return 0.0, "outside_region"


def deadline_fit(need: NeedDoc, today: date, min_lead_days: int) -> tuple[float, str]:
    """Company side: days to deadline vs lead time (≥2× lead 1, ≥lead 0.7, less 0.2, past 0)."""
    if need.deadline is None:
        return 0.8, "deadline_unknown"
    days = (need.deadline - today).days
    if days < 0:
        return 0.0, "deadline_passed"
    if days >= 2 * min_lead_days:
        return 1.0, "deadline_ok"
    if days >= min_lead_days:
        return 0.7, "deadline_tight"
    return 0.2, "deadline_too_close"


def weighted_harmonic(a: float, b: float, wa: float, wb: float) -> float:
    """Weighted harmonic mean; 0 if either input is 0 (a match must suit both sides)."""
    if a <= 0 or b <= 0:
        return 0.0
    return (wa + wb) / (wa / a + wb / b)


@dataclass(frozen=True)
class PairScore:
    """All components of one need–solution score."""

    score: float
    text_score: float
    text_relevance: float
    need_fit: float
    company_fit: float
    need_side: float
    company_side: float
    components: dict
    reasons: tuple
    low_confidence: bool


def score_pair(need: NeedDoc, sol: SolutionDoc, cosine: float, today: Optional[date] = None,
               config: ScoringConfig = DEFAULT_CONFIG) -> PairScore:
    """Reciprocal score of a need and a solution given their text cosine."""
    cfg = config
    today = today or date.today()
    cat, c_cat = category_fit(need, sol)
    bud, c_bud = budget_fit(need, sol)
    ref, c_ref = reference_fit(need, sol)
    mat, c_mat = maturity_fit(sol)
    reg, c_reg = region_fit(need, sol)
    worth, c_worth = worth_fit(need, sol)
    dl, c_dl = deadline_fit(need, today, cfg.min_lead_days)
    need_fit = (cfg.w_category * cat + cfg.w_budget * bud + cfg.w_reference * ref
                + cfg.w_maturity * mat) / (cfg.w_category + cfg.w_budget + cfg.w_reference
                                           + cfg.w_maturity)
    company_fit = (cfg.w_region * reg + cfg.w_worth * worth + cfg.w_deadline * dl) / (
        cfg.w_region + cfg.w_worth + cfg.w_deadline)
    text_rel = min(1.0, max(0.0, cosine) / cfg.text_scale)
    need_side = cfg.text_weight_need * text_rel + (1 - cfg.text_weight_need) * need_fit
    company_side = cfg.text_weight_company * text_rel + (1 - cfg.text_weight_company) * company_fit
    score = weighted_harmonic(need_side, company_side, cfg.need_side_weight, cfg.company_side_weight)
    if cosine <= 0:
        score = 0.0
    low = cosine < cfg.low_text or score < cfg.low_score
    reasons = tuple(c for c in (c_cat, c_bud, c_ref, c_mat, c_reg, c_worth, c_dl)
                    if not c.endswith("_unknown") or c == "budget_unknown")
    if c_worth == "budget_worthwhile" and c_bud == "within_budget":
        reasons = tuple(r for r in reasons if r != "budget_worthwhile")
    if c_bud == "budget_unknown" and c_worth == "budget_unknown":
        reasons = tuple(dict.fromkeys(reasons))
    if low:
        reasons = reasons + ("low_confidence",)
    components = {"category": cat, "budget": bud, "reference": ref, "maturity": mat,
                  "region": reg, "budget_worth": worth, "deadline": dl}
    return PairScore(round(score, 6), round(cosine, 6), round(text_rel, 6), round(need_fit, 6),
                     round(company_fit, 6), round(need_side, 6), round(company_side, 6),
                     components, reasons, low)
