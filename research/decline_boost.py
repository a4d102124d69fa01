"""The population-decline boost on the labelled domain set: solution→need before and after.

``python -m research.decline_boost`` builds the engine's records as ``research.domain`` does,
marks the labelled needs whose municipality is in ``app/data/population_decline_areas.csv``
(89 인구감소지역 + 18 관심지역) as ``declining_area``, ranks needs for every labelled solution
with ``ScoringConfig.declining_area_boost`` at 0 (before) and at each value asked for (default:
the library's), and prints per split nDCG@10, the share of queries with an irrelevant need in
the main list's top 5, the declining needs' share of the main top 5, how many main lists the
boost reordered, and the number of irrelevant needs it moved into a top 5 that did not hold them
before.
"""
from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import replace
from pathlib import Path
from typing import Mapping, Optional, Sequence

from matching.records import NeedDoc
from matching.scoring import DEFAULT_CONFIG
from research.demo_corpus import DOMAIN, ROOT, build_records, judgments, split_of
from research.domain import Shown, fit, metrics, rankings

DECLINE_AREAS = ROOT / "app" / "data" / "population_decline_areas.csv"


def declining_places(path: Path = DECLINE_AREAS) -> set[str]:
    """Full names ("경상북도 의성군") of the designated places (both kinds)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {f"{row['province']} {row['name']}" for row in csv.DictReader(handle)}


def mark(needs: Mapping[str, NeedDoc], places: set[str]) -> dict[str, NeedDoc]:
    """The needs with ``declining_area`` set from the list (place ids are full names)."""
    return {key: replace(need, declining_area=need.place is not None and need.place.id in places)
            for key, need in needs.items()}


def _top5(row: Shown) -> list:
    return [item for item, _, _ in row.main_list()[:5]]


def pushed_in(before: Sequence[Shown], after: Sequence[Shown]) -> int:
    """Irrelevant needs in an *after* top 5 that were not in that query's *before* top 5."""
    return sum(1 for b, a in zip(before, after) for item in _top5(a)
               if item not in a.relevant and item not in _top5(b))


def reordered(before: Sequence[Shown], after: Sequence[Shown]) -> int:
    """Queries whose main list (up to 10 items) is in another order or holds other items."""
    return sum(1 for b, a in zip(before, after)
               if [i for i, _, _ in b.main_list()] != [i for i, _, _ in a.main_list()])


def declining_share(rows: Sequence[Shown], declining: set[str]) -> float:
    """Share of main-list top-5 slots held by needs from designated places."""
    slots = [item for r in rows for item in _top5(r)]
    return sum(1 for item in slots if item in declining) / max(1, len(slots))


def run(boosts: Sequence[float], domain: Path = DOMAIN) -> list[tuple]:
    """(split, boost, metrics, declining share, pushed-in count) rows; boost 0 first."""
    solutions, needs = build_records(domain)
    needs = mark(needs, declining_places())
    declining = {key for key, need in needs.items() if need.declining_area}
    _, reverse, _ = judgments(domain)
    by_boost = {}
    for boost in (0.0, *boosts):
        rec = fit(solutions, needs, replace(DEFAULT_CONFIG, declining_area_boost=boost))
        rows = rankings(rec, "solution", sorted(solutions), reverse)
        by_boost[boost] = {s: [r for r in rows if split_of(r.query) == s] for s in ("train", "test")}
    out = []
    for split in ("train", "test"):
        for boost, results in by_boost.items():
            rows = results[split]
            before = by_boost[0.0][split]
            out.append((split, boost, metrics(rows), declining_share(rows, declining),
                        reordered(before, rows), pushed_in(before, rows)))
    return out, len(declining), len(needs)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--boost", type=float, action="append",
                    help="boost values to compare with 0 (repeatable; default: the library's)")
    ap.add_argument("--domain", type=Path, default=DOMAIN, help="the labelled set's folder")
    args = ap.parse_args(argv)
    boosts = args.boost or [DEFAULT_CONFIG.declining_area_boost]
    rows, n_declining, n_needs = run(boosts, args.domain)
    print(f"# solution → need, domain set: {n_declining} of {n_needs} labelled needs come from "
          f"designated places (population_decline_areas.csv); main list: score ≥ "
          f"{DEFAULT_CONFIG.main_list_score:.0%}\n")
    print("| split | boost | queries | nDCG@10 | irrelevant in top 5 | P@5 (main) "
          "| declining share of top 5 | main lists reordered | irrelevant pushed into a top 5 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for split, boost, m, share, moved, pushed in rows:
        print(f"| {split} | {boost:.2f} | {m['queries']} | {m['nDCG@10']:.4f} "
              f"| {m['irrelevant@5']:.4f} | {m['P@5(main)']:.4f} | {share:.3f} | {moved} "
              f"| {pushed} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
