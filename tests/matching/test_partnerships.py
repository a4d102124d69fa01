"""Partner suggestions and consortium coverage with the large-firm share cap."""
import pytest

from matching import Partnerships
from matching.partnerships import coverage, min_lead_share, role_split

from .conftest import TODAY

NEED = dict(id=1, title="스마트 교차로 안전", category="safety",
            description="교차로 CCTV 영상 분석과 보행자 알림 전광판, 야간 조명 제어, 미세먼지 측정")


def _sol(sid, company, size, title, text):
    return dict(id=sid, company_id=company, company_size=size, title=title, description=text,
                category="safety")


SOLUTIONS = [
    _sol(1, "BIG", "large", "CCTV 영상 분석", "교차로 CCTV 영상 분석 관제"),
    _sol(2, "S1", "startup", "보행자 알림 전광판", "보행자 알림 전광판"),
    _sol(3, "S2", "sme", "조명 제어", "야간 조명 제어 시스템"),
    _sol(4, "S3", "startup", "미세먼지 측정", "미세먼지 측정 센서"),
]


def test_coverage_and_split_definitions():
    w = {"a": 0.5, "b": 0.3, "c": 0.2}
    assert coverage(w, [{"a"}, {"b"}]) == pytest.approx(0.8)
    assert role_split(w, [{"a", "b"}, {"b"}]) == pytest.approx([0.65 / 0.8, 0.15 / 0.8])
    assert min_lead_share(w, {"a", "b"}, [{"b"}]) == pytest.approx(0.5 / 0.8)


def test_consortium_covers_more_than_any_single(recommender_factory):
    rec = recommender_factory(SOLUTIONS, [NEED])
    props = Partnerships(rec, large_share_cap=0.5).consortia(1, top_k=5)
    assert props
    for c in props:
        assert c.coverage > c.best_single_coverage
        # each of the three figures is rounded to 6 decimals, so they agree to 1.5e-6
        assert c.gain == pytest.approx(c.coverage - c.best_single_coverage, abs=2e-6)
        assert sum(c.shares.values()) == pytest.approx(1.0, abs=1e-5)
        assert c.shares[c.lead[1]] <= 0.5 + 1e-6
        assert c.lead[0] == "BIG" and 1 <= len(c.partners) <= 2


def test_cap_respected_adjusted_or_dropped(recommender_factory):
    rec = recommender_factory(SOLUTIONS, [NEED])
    tight = Partnerships(rec, large_share_cap=0.30).consortia(1, top_k=20)
    for c in tight:
        assert c.shares[c.lead[1]] <= 0.30 + 1e-6
    strict = Partnerships(rec, large_share_cap=0.01).consortia(1, top_k=20)
    assert strict == []  # the lead alone covers terms nobody else does → all dropped


def test_partners_for_large_firm(recommender_factory):
    rec = recommender_factory(SOLUTIONS, [NEED])
    sugg = Partnerships(rec).partners_for("BIG")
    assert sugg and sugg[0].total_gain > 0
    assert {s.company_id for s in sugg} <= {"S1", "S2", "S3"}
    need_id, base, with_partner, sol_id = sugg[0].examples[0]
    assert need_id == 1 and with_partner > base
