"""Population-decline areas: which local governments are designated, and needs from them.

The 89 인구감소지역 and 18 관심지역 of 행정안전부 고시 제2021-66호 are reference data
(app/data/population_decline_areas.csv, `flask load-reference-data`). Needs from those places are
marked, can be filtered and followed, get a modest ordering boost when needs are ranked for a
solution (docs/matching.md) and are counted on the dashboard.
"""
from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import select

from app.extensions import db
from app.models import DeclineKind, Need, PopulationDeclineArea

# The values of the `decline` filter (needs list, API, saved searches) and the kinds they select.
ANY = "1"
FILTER_KINDS: dict[str, tuple[DeclineKind, ...]] = {
    ANY: (DeclineKind.DECLINE, DeclineKind.INTEREST),
    DeclineKind.DECLINE.value: (DeclineKind.DECLINE,),
    DeclineKind.INTEREST.value: (DeclineKind.INTEREST,),
}
ALL_KINDS = FILTER_KINDS[ANY]


def kinds_by_municipality() -> dict[int, DeclineKind]:
    """Designated municipality id → kind (107 rows, read once per app context)."""
    cached = g.get("_decline_kinds") if has_app_context() else None
    if cached is None:
        cached = dict(db.session.execute(
            select(PopulationDeclineArea.municipality_id, PopulationDeclineArea.kind)).all())
        if has_app_context():
            g._decline_kinds = cached
    return cached


def kind_of(municipality_id: int | None) -> DeclineKind | None:
    """The designation of a local government, or None."""
    if municipality_id is None:
        return None
    return kinds_by_municipality().get(municipality_id)


def is_declining(municipality_id: int | None) -> bool:
    """True for a population-decline area or an area of concern."""
    return kind_of(municipality_id) is not None


def designated_ids(kinds: tuple[DeclineKind, ...] = ALL_KINDS):
    """A select of the municipality ids designated with one of these kinds."""
    return select(PopulationDeclineArea.municipality_id).where(PopulationDeclineArea.kind.in_(kinds))


def need_clause(kinds: tuple[DeclineKind, ...] = ALL_KINDS):
    """WHERE clause: the need comes from a place designated with one of these kinds."""
    return Need.municipality_id.in_(designated_ids(kinds))


def designated_counts() -> dict[DeclineKind, int]:
    """How many local governments are designated of each kind (89 and 18 with the shipped list)."""
    counts = {kind: 0 for kind in DeclineKind}
    for kind in kinds_by_municipality().values():
        counts[kind] += 1
    return counts
