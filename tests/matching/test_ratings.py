"""Ratings and verified references in the ranking (matching/ratings.py, matching/scoring.py)."""
from __future__ import annotations

from datetime import date

import pytest

from matching import NeedDoc, Place, SolutionDoc
from matching.ratings import RATING_MAX_LOGIT, RATING_PRIOR, rating_logit, smoothed_rating
from matching.scoring import score_pair

TODAY = date(2026, 1, 5)
JONGNO = Place(1, "서울특별시", "구")
NEED = NeedDoc(1, "수요응답형 교통", place=JONGNO, category="transport", budget_max=50_000_000)


def solution(**extra) -> SolutionDoc:
    return SolutionDoc(10, "DRT 배차", category="transport", maturity="commercial",
                       price_min=10_000_000, **extra)


def test_no_ratings_change_nothing():
    assert rating_logit(0, None) == 0.0
    assert smoothed_rating(0, None) == RATING_PRIOR
    plain = score_pair(NEED, solution(), 0.3, TODAY)
    assert plain.rating == 0.0
    assert [part for part, _ in plain.contributions][-1] == "deadline"  # no rating part


def test_the_mean_is_pulled_toward_the_prior_by_the_pseudo_count():
    assert smoothed_rating(1, 5.0) == pytest.approx((3.5 * 5 + 5) / 6)
    one, many = rating_logit(1, 5.0), rating_logit(50, 5.0)
    assert 0 < one < many <= RATING_MAX_LOGIT


def test_the_adjustment_is_bounded_and_symmetric_around_the_prior():
    assert rating_logit(10**6, 5.0) == pytest.approx(RATING_MAX_LOGIT, abs=1e-4)
    assert rating_logit(10**6, 1.0) == pytest.approx(-RATING_MAX_LOGIT)
    assert rating_logit(3, RATING_PRIOR) == 0.0


def test_ratings_move_the_score_and_add_a_part_that_keeps_the_sum():
    plain = score_pair(NEED, solution(), 0.3, TODAY)
    good = score_pair(NEED, solution(rating_count=8, rating_mean=4.9), 0.3, TODAY)
    bad = score_pair(NEED, solution(rating_count=8, rating_mean=1.5), 0.3, TODAY)
    assert bad.score < plain.score < good.score
    assert good.score - plain.score < 0.06  # a small adjustment
    assert sum(amount for _, amount in good.contributions) == pytest.approx(good.score, abs=1e-5)
    assert good.contributions[-1][0] == "rating" and good.contributions[-1][1] > 0
    assert "rated_well" in good.reasons and "rated_poorly" in bad.reasons


def test_a_verified_reference_counts_as_much_as_a_self_declared_one():
    for place in (JONGNO, Place(2, "서울특별시", "구"), Place(3, "부산광역시", "구"),
                  Place(4, "경기도", "시")):
        declared = score_pair(NEED, solution(references=(place,)), 0.3, TODAY)
        verified = score_pair(NEED, solution(verified_references=(place,)), 0.3, TODAY)
        assert verified.components["reference"] >= declared.components["reference"] > 0
        assert verified.score >= declared.score
