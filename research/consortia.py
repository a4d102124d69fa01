"""Consortium quality on the labelled domain set: are the members relevant, are the teams distinct?

``python -m research.consortia`` builds the engine from the demo data as the app does (see
``research.demo_corpus``), proposes the teams a need page shows for every labelled need and
prints, for the train and the held-out test needs separately: teams per need, the share of members
labelled relevant (grade ≥ 1 in ``eval/domain/qrels.txt``) to the need, teams with an unlabelled
(grade-0) member, near-duplicate teams (another team higher in the same list shares at least half
of the union of their companies) and the smallest coverage a member adds to its team.
``--sweep`` tries threshold combinations (on the train needs, to choose defaults).
"""
from __future__ import annotations

import argparse
import inspect
import statistics
from dataclasses import replace
from typing import Sequence

from matching import Partnerships, Recommender, catalogue
from matching.scoring import DEFAULT_CONFIG
from research.demo_corpus import (REFERENCE_DAY, grades, is_test_key, need_records,
                                  solution_records)

#: Company-set Jaccard at or above which two teams of one list count as near-duplicates in the
#: report (two companies in common), independent of the threshold being tuned.
REPORT_OVERLAP = 0.5


def build_recommender(low_score: float | None = None) -> Recommender:
    """The engine over the demo catalogue and every labelled need, with a fixed date
    (``low_score``: a stricter low-confidence score, to see consortia follow the rule)."""
    config = DEFAULT_CONFIG if low_score is None else replace(DEFAULT_CONFIG, low_score=low_score)
    sols, needs = solution_records(), need_records()
    return Recommender(config=config, today=REFERENCE_DAY).fit(catalogue(sols, needs))


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a | b else 0.0


def marginal_coverages(team) -> list[float]:
    """What each member adds: team coverage minus the coverage of the team without it."""
    return [team.marginal[sid] for _, sid in (team.lead, *team.partners)]


def measure(partnerships: Partnerships, need_ids: Sequence, labels: dict, top_k: int) -> dict:
    """The report's figures over some needs."""
    teams = members = relevant = with_irrelevant = duplicates = 0
    needs_with_teams = 0
    smallest = []
    for need_id in need_ids:
        shown = partnerships.consortia(need_id, top_k=top_k)
        needs_with_teams += bool(shown)
        graded = labels.get(need_id, {})
        for i, team in enumerate(shown):
            teams += 1
            ids = [sid for _, sid in (team.lead, *team.partners)]
            members += len(ids)
            good = sum(graded.get(sid, 0) >= 1 for sid in ids)
            relevant += good
            with_irrelevant += good < len(ids)
            duplicates += any(jaccard(team.companies, better.companies) >= REPORT_OVERLAP
                              for better in shown[:i])
            smallest.append(min(marginal_coverages(team)))
    return {
        "needs": len(need_ids), "needs with teams": needs_with_teams, "teams": teams,
        "teams/need": teams / len(need_ids) if need_ids else 0.0,
        "members relevant": relevant / members if members else float("nan"),
        "teams with grade-0 member": with_irrelevant / teams if teams else float("nan"),
        "near-duplicate teams": duplicates,
        "min member adds": min(smallest) if smallest else float("nan"),
        "median min member adds": statistics.median(smallest) if smallest else float("nan"),
    }


def _format(figures: dict) -> str:
    return " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in figures.values())


def _splits() -> dict[str, list]:
    """The labelled needs, train and held-out test."""
    needs = sorted(n["id"] for n in need_records())
    return {"train": [n for n in needs if not is_test_key(n)],
            "test": [n for n in needs if is_test_key(n)]}


def _params_supported() -> set:
    return set(inspect.signature(Partnerships.__init__).parameters) - {"self", "recommender"}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures (and with ``--sweep`` a grid over the thresholds, train needs only)."""
    parser = argparse.ArgumentParser(prog="python -m research.consortia", description=__doc__)
    parser.add_argument("--top-k", type=int, default=3, help="teams per need (the need page: 3)")
    parser.add_argument("--sweep", action="store_true", help="grid over the thresholds (train)")
    parser.add_argument("--show", default="이안류", help="print the teams of needs titled so")
    parser.add_argument("--low-score", type=float, default=None,
                        help="the recommender's low-confidence score (default: its own)")
    args = parser.parse_args(argv)
    rec, labels = build_recommender(args.low_score), grades()
    splits = _splits()
    header = ("| split | " + " | ".join(measure(Partnerships(rec), [], labels, 1)) + " |")
    print(f"## consortia, top {args.top_k} per need, low_score {rec.config.low_score}, defaults "
          f"{ {k: v for k, v in vars(Partnerships(rec)).items() if k in _params_supported()} }")
    print(header)
    for name, need_ids in splits.items():
        print(f"| {name} | {_format(measure(Partnerships(rec), need_ids, labels, args.top_k))} |")
    if args.sweep:
        _sweep(splits["train"], labels, args.top_k)
    if args.show:
        _show(rec, args.show, labels, args.top_k)
    return 0


#: Low-confidence scores the sweep also tries: today's rule lets many unrelated pairs through,
#: and the defaults must also hold once the recommender's rule is stricter.
SWEEP_LOW_SCORES = (None, 0.50, 0.55)


def _sweep(need_ids, labels, top_k) -> None:
    """Shown-member relevance on the train needs per threshold pair, under several rules."""
    recs = [build_recommender(low) for low in SWEEP_LOW_SCORES]
    rules = [f"low_score {r.config.low_score}" for r in recs]
    print("\n## sweep (train needs): needs with teams / members relevant, per low-confidence rule")
    print("| min_marginal_coverage | max_team_overlap | " + " | ".join(rules)
          + " | mean members relevant |")
    print("|---|---|" + "---|" * (len(rules) + 1))
    for overlap in (0.34, 0.5, 1.0):
        for points in range(0, 9):
            params = {"min_marginal_coverage": points / 100, "max_team_overlap": overlap}
            cells, precisions = [], []
            for rec in recs:
                figures = measure(Partnerships(rec, **params), need_ids, labels, top_k)
                cells.append(f"{figures['needs with teams']} / {figures['members relevant']:.3f}")
                precisions.append(figures["members relevant"])
            print(f"| {points / 100:.2f} | {overlap} | " + " | ".join(cells)
                  + f" | {statistics.fmean(precisions):.3f} |")


def _show(rec, title_part, labels, top_k) -> None:
    """The teams of the needs whose title contains ``title_part``, with grades and shares."""
    partnerships = Partnerships(rec)
    for need in need_records():
        if title_part not in need["title"]:
            continue
        print(f"\n## {need['title']} ({need['id']})")
        for team in partnerships.consortia(need["id"], top_k=top_k):
            adds = marginal_coverages(team)
            cells = [f"{rec.get_solution(sid).title} [grade {labels.get(need['id'], {}).get(sid, 0)}, "
                     f"share {team.shares[sid]:.0%}, adds {add:.3f}]"
                     for (_, sid), add in zip((team.lead, *team.partners), adds)]
            print(f"- coverage {team.coverage:.3f}: " + " + ".join(cells))


if __name__ == "__main__":
    raise SystemExit(main())
