"""Shared fixtures for the matching tests (independent of the Flask app fixtures)."""
from datetime import date
from pathlib import Path

import pytest

from matching import Place, Recommender, catalogue

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TODAY = date(2026, 3, 1)


def pytest_configure(config):
    """Register the ``slow`` marker used by data-heavy tests."""
    config.addinivalue_line("markers", "slow: takes several seconds (real data)")


def place(pid, province, kind):
    """Shorthand for a Place."""
    return Place(pid, province, kind)


YANGPYEONG = place("양평군", "경기도", "군")


def drt_solution(sid, company, **kw):
    """A demand-responsive-transport solution with overridable attributes."""
    base = dict(id=sid, company_id=company, title="수요응답형 교통 DRT 플랫폼",
                summary="AI 배차로 농촌 버스 공백 해소",
                description="농촌 지역 주민이 앱과 전화로 버스를 호출하는 수요응답형 교통 서비스입니다.",
                category="transport", maturity="commercial", price_min=100_000_000,
                regions_served=("경기도",), company_size="sme")
    base.update(kw)
    return base


@pytest.fixture
def drt_need():
    """A rural transport need in 경기도 양평군."""
    return dict(id=10, title="농촌 마을 버스 부족", place=YANGPYEONG, category="transport",
                description="버스 배차 간격이 길어 어르신들이 병원에 가기 어렵습니다. "
                            "수요응답형 교통 도입을 검토합니다.",
                budget_max=300_000_000, deadline=date(2026, 6, 30))


@pytest.fixture
def recommender_factory():
    """Build a fitted Recommender with a fixed date."""
    def make(solutions, needs=()):
        return Recommender(today=TODAY).fit(catalogue(solutions, needs))
    return make
