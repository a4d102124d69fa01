"""A need's requirements (data hub, a named standard, open source) in the structured fit."""
from __future__ import annotations

import math
from datetime import date

import pytest

from matching import NeedDoc, Place, REASON_CODES, Recommender, ScoringConfig, SolutionDoc, catalogue
from matching.scoring import requirement_checks, score_pair

TODAY = date(2026, 1, 5)
BUSAN = Place(1, "부산광역시", "구")


def need(**extra) -> NeedDoc:
    return NeedDoc(1, "도시 데이터 통합 플랫폼", "도시 센서 데이터를 데이터허브로 통합합니다",
                   place=BUSAN, category="data", budget_max=500_000_000, **extra)


def solution(sid: int = 10, **extra) -> SolutionDoc:
    return SolutionDoc(sid, "도시 데이터 통합 플랫폼", summary="센서 데이터 통합",
                       category="data", maturity="commercial", price_min=100_000_000, **extra)


OPEN_HUB = dict(data_hub_standards=("ngsi_ld", "onem2m"), open_source_license="Apache-2.0")


def test_a_need_without_requirements_scores_as_before():
    plain = score_pair(need(), solution(), 0.4, TODAY)
    capable = score_pair(need(), solution(**OPEN_HUB), 0.4, TODAY)
    assert plain == capable and plain.requirement == 0.0
    assert [part for part, _ in plain.contributions][-1] == "deadline"
    assert not any(code.startswith(("data_hub", "open_source")) for code in plain.reasons)


def test_met_requirements_change_nothing_and_are_named_as_strengths():
    asked = need(requires_data_hub=True, requires_open_source=True)
    plain = score_pair(need(), solution(**OPEN_HUB), 0.4, TODAY)
    met = score_pair(asked, solution(**OPEN_HUB), 0.4, TODAY)
    assert met.score == plain.score
    assert {"data_hub_met", "open_source_met"} <= set(met.strengths)
    assert not {"data_hub_missed", "open_source_missed"} & set(met.cautions)


def test_each_missed_requirement_costs_the_documented_logit():
    config = ScoringConfig()
    asked = need(requires_data_hub=True, requires_open_source=True)
    met = score_pair(asked, solution(**OPEN_HUB), 0.4, TODAY)
    one = score_pair(asked, solution(data_hub_standards=("ngsi_ld",)), 0.4, TODAY)
    two = score_pair(asked, solution(), 0.4, TODAY)
    assert two.score < one.score < met.score
    assert one.requirement == config.requirement_miss_logit
    assert two.requirement == 2 * config.requirement_miss_logit
    assert "open_source_missed" in one.cautions and "data_hub_met" in one.strengths
    assert {"data_hub_missed", "open_source_missed"} <= set(two.cautions)
    for pair in (one, two):
        parts = dict(pair.contributions)
        assert parts["requirements"] < 0
        assert sum(amount for _, amount in pair.contributions) == pytest.approx(pair.score,
                                                                                 abs=1e-5)


def test_a_miss_shows_even_on_a_pair_that_would_be_capped():
    asked = need(requires_open_source=True)
    met = score_pair(asked, solution(open_source_license="MIT"), 0.9, TODAY)
    missed = score_pair(asked, solution(), 0.9, TODAY)
    assert met.score == 0.99
    assert missed.score == pytest.approx(1 / (1 + math.exp(2.0) / 99), abs=1e-6)  # ≈ 0.93
    assert sum(amount for _, amount in missed.contributions) == pytest.approx(missed.score,
                                                                               abs=1e-5)


def test_a_named_standard_must_be_supported():
    asked = need(required_data_hub_standard="ngsi_ld")
    assert requirement_checks(asked, solution(data_hub_standards=("ngsi_ld",))) == (
        ("data_hub_standard_met", True),)
    assert requirement_checks(asked, solution(data_hub_standards=("onem2m",))) == (
        ("data_hub_standard_missed", False),)
    # naming a standard implies asking for a data hub: one check, not two
    both = need(requires_data_hub=True, required_data_hub_standard="ngsi_ld")
    assert len(requirement_checks(both, solution())) == 1


def test_the_penalty_is_configurable():
    asked = need(requires_open_source=True)
    mild = score_pair(asked, solution(), 0.4, TODAY, ScoringConfig(requirement_miss_logit=-0.5))
    harsh = score_pair(asked, solution(), 0.4, TODAY)
    assert harsh.score < mild.score


def test_every_requirement_code_is_a_known_reason_code():
    for code in ("data_hub_met", "data_hub_missed", "data_hub_standard_met",
                 "data_hub_standard_missed", "open_source_met", "open_source_missed"):
        assert code in REASON_CODES


def test_the_recommender_ranks_the_capable_solution_first_and_explains_why():
    rec = Recommender(today=TODAY).fit(catalogue(
        [solution(10), solution(11, **OPEN_HUB)],
        [dict(need(requires_open_source=True, required_data_hub_standard="ngsi_ld").__dict__)]))
    matches = rec.recommend_solutions(1, include_low_confidence=True)
    assert [m.solution_id for m in matches] == [11, 10]
    best, other = matches
    assert "open_source_met" in best.strengths and "data_hub_standard_met" in best.strengths
    assert "open_source_missed" in other.cautions
    assert "data_hub_standard_missed" in other.to_dict()["cautions"]
    assert best.score > other.score
    # solution → need gives the pair the same score
    back = {m.solution_id: m.score for m in
            [*rec.recommend_needs(10, include_low_confidence=True),
             *rec.recommend_needs(11, include_low_confidence=True)]}
    assert back == {10: other.score, 11: best.score}


def test_records_from_mappings_take_the_new_fields():
    doc = NeedDoc.from_dict({"id": 3, "title": "t", "requires_open_source": 1,
                             "required_data_hub_standard": ""})
    assert doc.requires_open_source is True and doc.required_data_hub_standard is None
    sol = SolutionDoc.from_dict({"id": 4, "title": "s", "data_hub_standards": ["ngsi_ld"],
                                 "open_source_license": ""})
    assert sol.data_hub_standards == ("ngsi_ld",) and sol.open_source_license is None
