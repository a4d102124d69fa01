"""Ratings in the ranking: a smoothed mean mapped to a small, bounded logit adjustment.

Pure functions of a solution's rating count and mean (1–5 stars). The mean is pulled toward a
prior by a pseudo-count (a Bayesian average), so one enthusiastic or angry rating moves little;
the distance of the smoothed mean from the prior, over ``span`` stars, scales ``max_logit`` and is
clipped to ±``max_logit``. No ratings: exactly 0, so unrated solutions score as before.
"""
from __future__ import annotations

from typing import Optional

RATING_PRIOR = 3.5        # stars a solution is assumed to deserve before any rating
RATING_PSEUDO_COUNT = 5.0  # the prior counts as this many ratings
RATING_SPAN = 1.5          # a smoothed mean this far from the prior gives the full adjustment
RATING_MAX_LOGIT = 0.25    # the largest change of the score's logit, either way


def smoothed_rating(count: int, mean: Optional[float], prior: float = RATING_PRIOR,
                    pseudo_count: float = RATING_PSEUDO_COUNT) -> float:
    """The Bayesian average ``(prior·m + mean·n) / (m + n)``; the prior when there are none."""
    if not count or mean is None:
        return prior
    return (prior * pseudo_count + float(mean) * count) / (pseudo_count + count)


def rating_logit(count: int, mean: Optional[float], prior: float = RATING_PRIOR,
                 pseudo_count: float = RATING_PSEUDO_COUNT, span: float = RATING_SPAN,
                 max_logit: float = RATING_MAX_LOGIT) -> float:
    """The bounded adjustment of a pair's logit for the solution's ratings (0 without any)."""
    if not count or mean is None:
        return 0.0
    shift = (smoothed_rating(count, mean, prior, pseudo_count) - prior) / span
    return round(max(-max_logit, min(max_logit, max_logit * shift)), 6)
