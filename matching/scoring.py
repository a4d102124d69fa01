"""Structured fit of a need–solution pair and its calibrated match score.

The headline ``score`` is an estimated probability that the pair is relevant (a logistic model
over the text cosine, field agreement and the practical checks; coefficients in
``ScoringConfig``, fitted on a labelled set by ``python -m research.domain --fit``). It is split
into additive contributions: the text part (the probability if every structured factor were at
its best), then what each factor's actual sub-score takes away, so the parts add up to the score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from matching.ratings import rating_logit
from matching.records import NeedDoc, SolutionDoc

#: Bumped whenever the meaning or scale of ``score`` changes (stored results must be recomputed).
SCORE_VERSION = 2
#: The order in which structured factors are added to the text part (and shown).
FACTORS = ("category", "budget", "reference", "maturity", "region", "budget_worth", "deadline")
#: No estimate is shown as certain: the score (and its text part) stops at this.
SCORE_CAP = 0.99
TEXT_FLOOR = 1e-3   # keeps log(cosine) finite
#: The logit of ``SCORE_CAP``: a missed requirement is taken off at most this, so it shows even
#: on a pair whose other parts alone would be capped.
CAP_LOGIT = math.log(SCORE_CAP / (1 - SCORE_CAP))
#: The model's terms in coefficient order (``ScoringConfig`` field names; see ``model_inputs``).
TERMS = ("intercept", "text", "log_text", "same_category", "related_category") + FACTORS[1:]


@dataclass(frozen=True)
class ScoringConfig:
    """Coefficients of the relevance model and the rules that read it (see docs/matching.md).

    ``logit = intercept + text·c + log_text·ln(c + 0.001) + same_category·[same field]
    + related_category·[overlapping fields] + Σ factor coefficient · sub-score``; the score is
    its logistic. Defaults were fitted on the train split of ``eval/domain``.
    """

    intercept: float = -2.49
    text: float = 5.11
    log_text: float = 2.49
    same_category: float = 3.73
    related_category: float = 2.91
    budget: float = 1.05
    reference: float = 0.55
    maturity: float = 0.25
    region: float = 0.25
    budget_worth: float = 0.68
    deadline: float = 0.25
    main_list_score: float = 0.65    # below this a match is low-confidence (not in the main list)
    deadline_warning_days: int = 14  # a deadline this close (or closer) is a caution
    strength_level: float = 0.8      # a sub-score at least this high is named as a strength
    caution_level: float = 0.25      # a sub-score at most this low is named as a caution
    # Ratings (matching/ratings.py): Bayesian average toward the prior, a bounded logit shift.
    rating_prior: float = 3.5
    rating_pseudo_count: float = 5.0
    rating_span: float = 1.5
    rating_max_logit: float = 0.25
    # Requirements a need states (data-hub integration or one named standard, an open-source
    # licence): each one the solution misses shifts the logit by this (after the factors);
    # a met one changes nothing. -2 takes a 90% match to 55%, below the main list, and a 97%
    # one to 81%: a solution without what the need demands is shown as a partial fit unless
    # everything else fits very well. Not fitted: the labelled set states no requirements.
    requirement_miss_logit: float = -2.0
    # Population-decline places (docs/matching.md): when needs are ranked for a solution, a need
    # from a designated place is ordered as if its score were this much higher. Ordering only
    # (the score shown, its parts and the low-confidence flag are unchanged) and only for needs
    # already in the main list, so it never lifts a candidate over the relevance floor.
    declining_area_boost: float = 0.03



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
    """Municipality side: 1 if the cheapest offer fits the budget, else (budget/price)² (≤1)."""
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
    """Past deployments: same municipality 1, same province 0.8, same kind 0.5, elsewhere 0.3.

    Verified deployments (confirmed by both sides) count exactly like self-declared ones.
    """
    references = sol.references + sol.verified_references
    if not references:
        return 0.0, "no_reference"
    place = need.place
    if place is None:
        return 0.3, "reference_elsewhere"
    best, code = 0.3, "reference_elsewhere"
    for ref in references:
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


def deadline_fit(need: NeedDoc, today: date, warning_days: int) -> tuple[float, str]:
    """Company side: passed 0, within ``warning_days`` 0.2 (a caution), later 1, unknown 0.8."""
    if need.deadline is None:
        return 0.8, "deadline_unknown"
    days = (need.deadline - today).days
    if days < 0:
        return 0.0, "deadline_passed"
    if days <= warning_days:
        return 0.2, "deadline_near"
    return 1.0, "deadline_ok"


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def text_logit(cosine: float, config: ScoringConfig = DEFAULT_CONFIG) -> float:
    """The intercept plus the text terms of the model's logit."""
    c = max(0.0, cosine)
    return config.intercept + config.text * c + config.log_text * math.log(c + TEXT_FLOOR)


def factor_logit(factor: str, value: float, config: ScoringConfig = DEFAULT_CONFIG) -> float:
    """One structured factor's term of the logit."""
    if factor == "category":
        return (config.same_category if value >= 1.0
                else config.related_category if value > 0 else 0.0)
    return getattr(config, factor) * value


def _best_factor_logit(config: ScoringConfig) -> float:
    """Σ of the factor terms with every sub-score at 1 (the text part's assumption)."""
    return sum(factor_logit(f, 1.0, config) for f in FACTORS)


def solution_rating_logit(sol: SolutionDoc, config: ScoringConfig = DEFAULT_CONFIG) -> float:
    """The solution's ratings as a bounded shift of the logit (0 when it has none)."""
    return rating_logit(sol.rating_count, sol.rating_mean, config.rating_prior,
                        config.rating_pseudo_count, config.rating_span, config.rating_max_logit)


def requirement_checks(need: NeedDoc, sol: SolutionDoc) -> tuple[tuple[str, bool], ...]:
    """``(reason code, met)`` for each requirement the need states (none: empty).

    Data hub: when the need names a standard, met iff the solution supports that standard
    (``data_hub_standard_met`` / ``_missed``); else, when it asks for data-hub integration,
    met iff the solution declares any standard (``data_hub_met`` / ``_missed``). Open source:
    met iff the solution has a licence (``open_source_met`` / ``_missed``).
    """
    checks = []
    if need.required_data_hub_standard:
        met = need.required_data_hub_standard in sol.data_hub_standards
        checks.append(("data_hub_standard_met" if met else "data_hub_standard_missed", met))
    elif need.requires_data_hub:
        met = bool(sol.data_hub_standards)
        checks.append(("data_hub_met" if met else "data_hub_missed", met))
    if need.requires_open_source:
        met = sol.open_source_license is not None
        checks.append(("open_source_met" if met else "open_source_missed", met))
    return tuple(checks)


def requirement_logit(checks: tuple, config: ScoringConfig = DEFAULT_CONFIG) -> float:
    """The logit shift of the missed requirements (0 when every stated one is met)."""
    return config.requirement_miss_logit * sum(1 for _, met in checks if not met)


def contributions(cosine: float, components: dict, config: ScoringConfig = DEFAULT_CONFIG,
                  rating: float = 0.0, requirement: float = 0.0) -> tuple:
    """``(part, amount)`` pairs summing to the score: the text part (every factor at its best),
    then what each factor's actual sub-score takes away (≤ 0), in ``FACTORS`` order, then, when
    the solution misses a requirement of the need, what that takes away (``requirement``: the
    logit shift, part ``requirements``), then, for a rated solution only, what its ratings add
    or take away (``rating``: the logit shift)."""
    if cosine <= 0:
        return (("text", 0.0),) + tuple((f, 0.0) for f in FACTORS)
    z = text_logit(cosine, config) + _best_factor_logit(config)
    previous = min(SCORE_CAP, _sigmoid(z))
    parts = [("text", round(previous, 6))]
    for factor in FACTORS:
        z -= factor_logit(factor, 1.0, config) - factor_logit(factor, components[factor], config)
        current = min(SCORE_CAP, _sigmoid(z))
        parts.append((factor, round(current - previous, 6)))
        previous = current
    if requirement:
        z = min(z, CAP_LOGIT) + requirement
        current = min(SCORE_CAP, _sigmoid(z))
        parts.append(("requirements", round(current - previous, 6)))
        previous = current
    if rating:
        current = min(SCORE_CAP, _sigmoid(z + rating))
        parts.append(("rating", round(current - previous, 6)))
    return tuple(parts)


@dataclass(frozen=True)
class PairScore:
    """All parts of one need–solution score.

    ``score`` = calibrated probability of relevance; ``components`` = each factor's sub-score
    in [0, 1]; ``strengths``/``cautions`` = reason codes whose sub-score is high/low enough to
    be named as such. ``contributions`` (text part first, ≥ 0, then each factor's deduction,
    ≤ 0, summing to ``score``) and ``text_relevance`` (the text part: the probability were
    every factor at its best, same scale) are computed on access, i.e. only for shown matches.
    """

    score: float
    text_score: float
    components: dict
    reasons: tuple
    strengths: tuple
    cautions: tuple
    low_confidence: bool
    config: ScoringConfig = field(default=DEFAULT_CONFIG, repr=False, compare=False)
    rating: float = 0.0  # the ratings' logit shift (0 for an unrated solution)
    requirement: float = 0.0  # the missed requirements' logit shift (0 when none is missed)

    @property
    def contributions(self) -> tuple:
        return contributions(self.text_score, self.components, self.config, self.rating,
                             self.requirement)

    @property
    def text_relevance(self) -> float:
        return self.contributions[0][1]


def ordering_score(pair: PairScore, need: NeedDoc, config: ScoringConfig = DEFAULT_CONFIG
                   ) -> float:
    """The key needs are ranked by for a solution: the score, plus ``declining_area_boost`` for a
    need from a population-decline place that is in the main list (never for a low-confidence
    one, so the boost cannot carry a candidate over the floor)."""
    if need.declining_area and not pair.low_confidence:
        return pair.score + config.declining_area_boost
    return pair.score


def fit_components(need: NeedDoc, sol: SolutionDoc, today: date,
                   config: ScoringConfig = DEFAULT_CONFIG) -> dict[str, tuple[float, str]]:
    """Each structured factor's ``(sub-score, reason code)``, in ``FACTORS`` order."""
    return {
        "category": category_fit(need, sol),
        "budget": budget_fit(need, sol),
        "reference": reference_fit(need, sol),
        "maturity": maturity_fit(sol),
        "region": region_fit(need, sol),
        "budget_worth": worth_fit(need, sol),
        "deadline": deadline_fit(need, today, config.deadline_warning_days),
    }


def model_inputs(need: NeedDoc, sol: SolutionDoc, cosine: float, today: date,
                 config: ScoringConfig = DEFAULT_CONFIG) -> list[float]:
    """The model's inputs for one pair in ``TERMS`` order (the intercept's is 1), for fitting."""
    fits = fit_components(need, sol, today, config)
    cat = fits["category"][0]
    c = max(0.0, cosine)
    return ([1.0, c, math.log(c + TEXT_FLOOR), float(cat >= 1.0), float(0 < cat < 1.0)]
            + [fits[f][0] for f in FACTORS[1:]])


def _reason_codes(fits: dict[str, tuple[float, str]]) -> tuple:
    """Reason codes of the factors, without unknowns and duplicates of the budget check."""
    codes = [code for _, code in fits.values()
             if not code.endswith("_unknown") or code == "budget_unknown"]
    if fits["budget"][1] == "within_budget":
        codes = [c for c in codes if c != "budget_worthwhile"]
    return tuple(dict.fromkeys(codes))


def score_pair(need: NeedDoc, sol: SolutionDoc, cosine: float, today: Optional[date] = None,
               config: ScoringConfig = DEFAULT_CONFIG) -> PairScore:
    """Calibrated score of a need and a solution given their text cosine."""
    today = today or date.today()
    fits = fit_components(need, sol, today, config)
    reasons = _reason_codes(fits)
    by_code = {code: value for value, code in fits.values()}
    strengths = tuple(c for c in reasons if by_code.get(c, 0.0) >= config.strength_level)
    cautions = tuple(c for c in reasons if by_code.get(c, 1.0) <= config.caution_level)
    components = {factor: value for factor, (value, _) in fits.items()}
    checks = requirement_checks(need, sol)
    requirement = requirement_logit(checks, config)
    if checks:
        reasons += tuple(code for code, _ in checks)
        strengths += tuple(code for code, met in checks if met)
        cautions += tuple(code for code, met in checks if not met)
    rating = solution_rating_logit(sol, config)
    if rating:
        reasons += ("rated_well",) if rating > 0 else ("rated_poorly",)
    if cosine <= 0:
        score = 0.0
    else:
        z = text_logit(cosine, config) + sum(
            factor_logit(f, components[f], config) for f in FACTORS)
        if requirement:  # from at most the cap, so a strong pair's miss still shows
            z = min(z, CAP_LOGIT) + requirement
        z += rating
        score = min(SCORE_CAP, _sigmoid(z))
    low = score < config.main_list_score
    if low:
        reasons, cautions = reasons + ("low_confidence",), cautions + ("low_confidence",)
    return PairScore(round(score, 6), round(cosine, 6), components, reasons, strengths, cautions,
                     low, config, rating, requirement)
