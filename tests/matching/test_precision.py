"""Precision below the top on the demo catalogue and the labelled domain set (research.domain)."""
from datetime import timedelta

import pytest

from matching.records import NeedDoc, Place
from research.domain import DOMAIN, REFERENCE_DATE, build_records, calibration, evaluate, fit, metrics

pytestmark = pytest.mark.skipif(not (DOMAIN / "qrels.txt").is_file(),
                                reason=f"domain set not found in {DOMAIN}")

SCHOOL_ZONE = NeedDoc(
    id="school-zone", title="어린이 보호구역 과속 차량 단속",
    description="초등학교 앞 어린이 보호구역에서 제한속도 30km를 넘는 차량이 많아 사고 위험이 "
                "큽니다. 과속 차량을 자동으로 감지해 단속하고, 운전자에게 속도를 알려 주는 "
                "전광판과 등하교 시간 집중 단속 방안을 찾고 있습니다.",
    place=Place("경기도 수원시", "경기도", "시"), category="transport",
    secondary_categories=("safety",), budget_max=500_000_000,
    deadline=REFERENCE_DATE + timedelta(days=60))


@pytest.fixture(scope="module")
def demo():
    return build_records()


def test_an_unrelated_field_does_not_reach_the_top_five(demo):
    solutions, needs = demo
    rec = fit(solutions, dict(needs, **{SCHOOL_ZONE.id: SCHOOL_ZONE}))
    ranked = rec.recommend_solutions(SCHOOL_ZONE.id, top_k=10, include_low_confidence=True)
    titles = [solutions[m.solution_id].title for m in ranked]
    forklift = titles.index("지게차 보행자 충돌 방지 시스템")   # labour safety in warehouses
    assert forklift >= 5 and ranked[forklift].low_confidence
    assert titles[0] == "어린이보호구역 스마트 횡단보도"
    main = rec.recommend_solutions(SCHOOL_ZONE.id, top_k=10)
    assert main and all(not m.low_confidence for m in main)
    assert "지게차 보행자 충돌 방지 시스템" not in {solutions[m.solution_id].title for m in main}


@pytest.fixture(scope="module")
def results():
    return evaluate()


@pytest.mark.parametrize("direction", ["need", "solution"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_displayed_lists_are_precise(results, direction, split):
    m = metrics(results[direction][split])
    assert m["P@5(main)"] >= 0.8
    assert m["irrelevant@5"] <= 0.15
    assert m["P@1"] >= 0.8


def test_high_scores_are_mostly_relevant(results):
    rows = [r for d in results.values() for split in d.values() for r in split]
    high = [(n, p) for b, n, p in calibration(rows) if int(b.split("–")[0]) >= 70]
    items = sum(n for n, _ in high)
    assert items and sum(n * p for n, p in high) / items >= 0.8
