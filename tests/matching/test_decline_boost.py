"""The population-decline boost: ordering only, for needs ranked for a solution, never over the floor."""
from dataclasses import replace

import pytest

from matching import Recommender, catalogue
from matching.records import NeedDoc, as_need, as_solution
from matching.scoring import DEFAULT_CONFIG, ordering_score, score_pair

from .conftest import TODAY, YANGPYEONG, drt_solution, place

GAPYEONG = place("가평군", "경기도", "군")


def need(nid, *, declining=False, title="농촌 마을 버스 부족", budget_max=300_000_000,
         description="버스 배차 간격이 길어 어르신들이 병원에 가기 어렵습니다. 수요응답형 교통 도입을 검토합니다.",
         category="transport"):
    return dict(id=nid, title=title, description=description, category=category,
                place=GAPYEONG if declining else YANGPYEONG, budget_max=budget_max,
                declining_area=declining)


def test_the_boost_is_small_and_documented_by_default():
    assert 0 < DEFAULT_CONFIG.declining_area_boost <= 0.05
    assert NeedDoc(id=1, title="x").declining_area is False
    assert NeedDoc.from_dict({"id": 1, "title": "x", "declining_area": 1}).declining_area is True


def test_equal_needs_put_the_declining_one_first_without_changing_its_score():
    solution = drt_solution(1, "A")
    rec = Recommender(today=TODAY).fit(catalogue([solution], [need(10), need(11, declining=True)]))
    ranked = rec.recommend_needs(1)
    assert [m.need_id for m in ranked] == [11, 10]
    assert ranked[0].score == pytest.approx(ranked[1].score)
    off = Recommender(config=replace(DEFAULT_CONFIG, declining_area_boost=0.0),
                      today=TODAY).fit(catalogue([solution], [need(10), need(11, declining=True)]))
    assert [m.need_id for m in off.recommend_needs(1)] == [10, 11]  # tie broken by id
    assert [m.score for m in off.recommend_needs(1)] == [m.score for m in ranked][::-1]


def test_a_clearly_better_need_stays_ahead_of_a_declining_one():
    solution = drt_solution(1, "A", price_min=100_000_000)
    needs = [need(10), need(11, declining=True, budget_max=60_000_000)]  # over budget: lower score
    rec = Recommender(today=TODAY).fit(catalogue([solution], needs))
    ranked = rec.recommend_needs(1, include_low_confidence=True)
    assert ranked[0].need_id == 10
    assert ranked[0].score - ranked[1].score > DEFAULT_CONFIG.declining_area_boost


def test_the_boost_never_lifts_a_low_confidence_need_over_the_floor():
    sol = drt_solution(1, "A")
    sol_doc = as_solution(sol)
    weak = as_need(need(11, declining=True))
    pair = score_pair(weak, sol_doc, 0.02, TODAY)
    assert pair.low_confidence
    assert ordering_score(pair, weak) == pair.score
    strong = score_pair(weak, sol_doc, 0.9, TODAY)
    assert not strong.low_confidence
    assert ordering_score(strong, weak) == pytest.approx(strong.score + 0.03)
    # Even a huge boost leaves a weak declining need below the floor, flagged and last.
    config = replace(DEFAULT_CONFIG, declining_area_boost=0.9)
    rec = Recommender(config=config, today=TODAY).fit(catalogue(
        [sol], [need(10), need(11, declining=True, title="주차 안내",
                               description="공영 주차장 빈자리를 안내하고 버스 정보를 보여 줍니다.")]))
    ranked = rec.recommend_needs(1, include_low_confidence=True)
    assert [(m.need_id, m.low_confidence) for m in ranked] == [(10, False), (11, True)]
    assert ranked[1].score < config.main_list_score < ranked[1].score + 0.9
    assert [m.need_id for m in rec.recommend_needs(1)] == [10]


def test_needs_to_solutions_ignore_the_boost():
    needs = [need(10, declining=True)]
    solutions = [drt_solution(1, "A"), drt_solution(2, "B")]
    rec = Recommender(config=replace(DEFAULT_CONFIG, declining_area_boost=0.5),
                      today=TODAY).fit(catalogue(solutions, needs))
    base = Recommender(today=TODAY).fit(catalogue(solutions, needs))
    assert [m.solution_id for m in rec.recommend_solutions(10)] == \
        [m.solution_id for m in base.recommend_solutions(10)]
