"""Reciprocal scores, explanations, freshness and company-level recommendations."""
from datetime import date, timedelta

import pytest
from sklearn.exceptions import NotFittedError

from matching import REASON_CODES, Recommender, catalogue
from matching.scoring import FACTORS, ScoringConfig
from matching.text import analyse

from .conftest import TODAY, drt_solution, place


def test_not_fitted():
    with pytest.raises(NotFittedError):
        Recommender().recommend_solutions(1)


def test_outside_region_ranked_down(recommender_factory, drt_need):
    rec = recommender_factory([drt_solution(1, "A", regions_served=("전라남도",)),
                               drt_solution(2, "B")], [drt_need])
    res = rec.recommend_solutions(10, include_low_confidence=True)
    assert [m.solution_id for m in res] == [2, 1]
    assert res[0].text_score == res[1].text_score
    assert "outside_region" in res[1].reasons and "serves_region" in res[0].reasons
    assert res[1].components["region"] == 0.0


def test_over_budget_ranked_down(recommender_factory, drt_need):
    rec = recommender_factory([drt_solution(1, "A", price_min=900_000_000),
                               drt_solution(2, "B")], [drt_need])
    res = rec.recommend_solutions(10, include_low_confidence=True)
    assert [m.solution_id for m in res] == [2, 1]
    assert "over_budget" in res[1].reasons and "within_budget" in res[0].reasons


def test_contributions_add_up_to_the_score(recommender_factory, drt_need):
    rec = recommender_factory([drt_solution(1, "A")], [drt_need])
    m = rec.recommend_solutions(10)[0]
    parts = dict(m.contributions)
    assert [k for k, _ in m.contributions] == ["text", *FACTORS]
    assert sum(parts.values()) == pytest.approx(m.score, abs=1e-4)
    assert parts["text"] == pytest.approx(m.text_relevance, abs=1e-6)
    assert 0 < m.score <= m.text_relevance <= 0.99   # the factors only take away; never "certain"
    assert all(parts[f] <= 0 for f in FACTORS)
    assert parts["category"] == 0 and parts["budget"] == 0    # same field, within budget: no cost
    for key in FACTORS:
        assert key in m.components
    d = m.to_dict()
    assert d["reasons"] and all(r in REASON_CODES for r in d["reasons"])
    assert "reason_labels" not in d  # codes only: the app owns the wording


def test_reference_nearby_and_deadline_near(recommender_factory, drt_need):
    drt_need["deadline"] = date(2026, 3, 15)   # 14 days after TODAY: the default warning period
    rec = recommender_factory([drt_solution(1, "A", references=(place("가평군", "경기도", "군"),))],
                              [drt_need])
    m = rec.recommend_solutions(10, include_low_confidence=True)[0]
    assert "reference_nearby" in m.reasons and "reference_nearby" in m.strengths
    assert "deadline_near" in m.reasons and "deadline_near" in m.cautions


@pytest.mark.parametrize("days, warned", [(15, False), (14, True), (3, True), (45, False)])
def test_deadline_warning_only_within_the_setting(drt_need, days, warned):
    drt_need["deadline"] = TODAY + timedelta(days=days)
    rec = Recommender(today=TODAY, config=ScoringConfig(deadline_warning_days=14)).fit(
        catalogue([drt_solution(1, "A")], [drt_need]))
    m = rec.recommend_solutions(10, include_low_confidence=True)[0]
    assert ("deadline_near" in m.cautions) is warned
    assert ("deadline_ok" in m.reasons) is not warned


def test_strengths_and_cautions_follow_the_sub_scores(recommender_factory, drt_need):
    far = (place("제주시", "제주특별자치도", "시"),)      # a reference elsewhere: sub-score 0.3
    rec = recommender_factory([drt_solution(1, "A", references=far, maturity="pilot")], [drt_need])
    m = rec.recommend_solutions(10, include_low_confidence=True)[0]
    config = ScoringConfig()
    by_code = {"reference_elsewhere": m.components["reference"],
               "maturity_pilot": m.components["maturity"], "same_category": m.components["category"]}
    assert "reference_elsewhere" in m.reasons and "reference_elsewhere" not in m.strengths
    assert "maturity_pilot" not in m.strengths and "maturity_pilot" not in m.cautions
    assert "same_category" in m.strengths
    for code in m.strengths:
        assert by_code.get(code, 1.0) >= config.strength_level


def test_low_confidence_is_one_rule_on_the_score(recommender_factory, drt_need):
    sols = [drt_solution(1, "A"), dict(drt_solution(2, "B"), category="safety",
                                       description="가로등 밝기 제어", summary="스마트 가로등"),
            dict(drt_solution(3, "C"), title="마을 버스 정보", summary="버스 정보 안내")]
    rec = recommender_factory(sols, [drt_need])
    full = rec.recommend_solutions(10, include_low_confidence=True)
    threshold = ScoringConfig().main_list_score
    assert full and all(m.low_confidence == (m.score < threshold) for m in full)
    shown = [m.solution_id for m in rec.recommend_solutions(10)]
    assert shown == [m.solution_id for m in full if not m.low_confidence]


def test_explanations_name_shared_terms_only(recommender_factory, drt_need):
    sol = drt_solution(1, "A")
    rec = recommender_factory([sol], [drt_need])
    m = rec.recommend_solutions(10)[0]
    need_terms = set(analyse(drt_need["title"] + " " + drt_need["description"]))
    sol_terms = set(analyse(" ".join([sol["title"], sol["summary"], sol["description"]])))
    assert m.shared_terms
    for term, weight in m.shared_terms:
        assert term in need_terms and term in sol_terms and weight > 0


def test_low_confidence_flagged_not_padded(recommender_factory, drt_need):
    other = dict(id=3, company_id="C", title="스마트 가로등", description="가로등 밝기 제어와 버스",
                 category="safety", regions_served=("전라남도",), price_min=10**12)
    rec = recommender_factory([drt_solution(1, "A"), other], [drt_need])
    default = rec.recommend_solutions(10)
    assert [m.solution_id for m in default] == [1]
    full = rec.recommend_solutions(10, include_low_confidence=True)
    weak = [m for m in full if m.solution_id == 3]
    assert weak and weak[0].low_confidence and "low_confidence" in weak[0].reasons


def test_solution_to_needs_and_company(recommender_factory, drt_need):
    need2 = dict(drt_need, id=11, title="어르신 병원 이동 지원", place=place("순천시", "전라남도", "시"))
    rec = recommender_factory([drt_solution(1, "A"), drt_solution(2, "A", title="버스 호출 앱"),
                               drt_solution(3, "B")], [drt_need, need2])
    by_sol = rec.recommend_needs(1, include_low_confidence=True)
    assert by_sol[0].need_id == 10  # 11 is outside the region served
    comp = rec.recommend_needs_for_company("A", include_low_confidence=True)
    assert {m.need_id for m in comp} == {10, 11}
    assert all(m.company_id == "A" for m in comp)


def test_fresh_solution_appears_without_refit(recommender_factory, drt_need):
    rec = recommender_factory([drt_solution(1, "A")], [drt_need])
    rec.upsert_solution(drt_solution(5, "E", regions_served=()))
    ids = [m.solution_id for m in rec.recommend_solutions(10)]
    assert 5 in ids
    rec.remove_solution(5)
    assert 5 not in [m.solution_id for m in rec.recommend_solutions(10)]
    rec.upsert_need(dict(drt_need, id=12))
    assert 12 in [m.need_id for m in rec.recommend_needs(1)]


def test_deterministic_repeat(recommender_factory, drt_need):
    sols = [drt_solution(i, f"C{i}") for i in range(5)]
    a = recommender_factory(sols, [drt_need]).recommend_solutions(10)
    b = recommender_factory(list(reversed(sols)), [drt_need]).recommend_solutions(10)
    assert a == b and [m.solution_id for m in a] == [0, 1, 2, 3, 4]


def test_params_and_unfitted_state():
    rec = Recommender(today=TODAY)
    assert rec.get_params()["today"] == TODAY
    assert not hasattr(rec, "index_")


def test_score_is_the_logistic_of_the_model_inputs(recommender_factory, drt_need):
    import math

    from matching.scoring import TERMS, model_inputs

    rec = recommender_factory([drt_solution(1, "A", price_min=900_000_000)], [drt_need])
    m = rec.recommend_solutions(10, include_low_confidence=True)[0]
    config = ScoringConfig()
    inputs = model_inputs(rec.get_need(10), rec.get_solution(1), m.text_score, TODAY, config)
    logit = sum(getattr(config, t) * x for t, x in zip(TERMS, inputs))
    assert m.score == pytest.approx(min(0.99, 1 / (1 + math.exp(-logit))), abs=1e-5)
