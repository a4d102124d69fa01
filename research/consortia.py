"""Consortium quality on the labelled domain set: are the members relevant, are the teams distinct?

``python -m research.consortia`` builds the engine from the demo data as the app does (see
``research.demo_corpus``: 142 recommendable solutions, every labelled need), proposes the teams a
need page shows for every labelled need and prints, for the train and the held-out test needs
separately: teams per need, the share of members labelled relevant (grade ≥ 1 in
``eval/domain/qrels.txt``) to the need, teams with an unlabelled (grade-0) member, near-duplicate
teams (another team higher in the same list shares at least half of the union of their
companies), the smallest coverage a member adds to its team, and how many needs with a relevant
large/mid and a relevant startup/SME solution get a team. Rows: members from the recommender's
main list (the default) and from each ``--member-score`` floor. ``--sweep`` tries threshold
combinations on the train needs (to choose defaults); ``--main-list-score`` moves the
recommender's low-confidence threshold.
"""
from __future__ import annotations

import argparse
import inspect
import statistics
from dataclasses import replace
from typing import Sequence

from matching import Partnerships, Recommender
from matching.records import LEAD_SIZES, PARTNER_SIZES
from matching.scoring import DEFAULT_CONFIG
from research.demo_corpus import REFERENCE_DATE, build_records, is_test, judgments

#: Company-set Jaccard at or above which two teams of one list count as near-duplicates in the
#: report (two companies in common), independent of the threshold being tuned.
REPORT_OVERLAP = 0.5


def build_recommender(main_list_score: float | None = None) -> Recommender:
    """The engine over the demo catalogue and every labelled need, with a fixed date
    (``main_list_score``: another low-confidence threshold, to see consortia follow the rule)."""
    config = (DEFAULT_CONFIG if main_list_score is None
              else replace(DEFAULT_CONFIG, main_list_score=main_list_score))
    solutions, needs = build_records()
    return Recommender(config=config, today=REFERENCE_DATE).fit(
        list(solutions.values()) + list(needs.values()))


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a | b else 0.0


def marginal_coverages(team) -> list[float]:
    """What each member adds: team coverage minus the coverage of the team without it."""
    return [team.marginal[sid] for _, sid in (team.lead, *team.partners)]


def measure(partnerships: Partnerships, need_ids: Sequence, labels: dict, top_k: int) -> dict:
    """The report's figures over some needs."""
    rec = partnerships.recommender
    teams = members = relevant = with_irrelevant = duplicates = 0
    needs_with_teams = teamable = teamable_with_teams = clean_needs = 0
    smallest = []
    for need_id in need_ids:
        shown = partnerships.consortia(need_id, top_k=top_k)
        needs_with_teams += bool(shown)
        graded = labels.get(need_id, {})
        if has_relevant_lead_and_partner(rec, graded):
            teamable += 1
            teamable_with_teams += bool(shown)
        clean = False
        for i, team in enumerate(shown):
            teams += 1
            ids = [sid for _, sid in (team.lead, *team.partners)]
            members += len(ids)
            good = sum(graded.get(sid, 0) >= 1 for sid in ids)
            relevant += good
            with_irrelevant += good < len(ids)
            clean |= good == len(ids)
            duplicates += any(jaccard(team.companies, better.companies) >= REPORT_OVERLAP
                              for better in shown[:i])
            smallest.append(min(marginal_coverages(team)))
        clean_needs += clean
    return {
        "needs": len(need_ids), "needs with teams": needs_with_teams, "teams": teams,
        "teams/need": teams / len(need_ids) if need_ids else 0.0,
        "members relevant": relevant / members if members else float("nan"),
        "teams with grade-0 member": with_irrelevant / teams if teams else float("nan"),
        "near-duplicate teams": duplicates,
        "min member adds": min(smallest) if smallest else float("nan"),
        "median min member adds": statistics.median(smallest) if smallest else float("nan"),
        "needs with relevant lead+partner": teamable,
        "of which with teams": teamable_with_teams,
        "needs with an all-relevant team": clean_needs,
    }


def has_relevant_lead_and_partner(rec: Recommender, graded: dict) -> bool:
    """Whether a relevant (grade ≥ 1) large/mid AND a relevant startup/SME solution exist."""
    sizes = {rec.get_solution(sid).company_size for sid, grade in graded.items() if grade >= 1
             and rec.get_solution(sid) is not None}
    return bool(sizes & set(LEAD_SIZES)) and bool(sizes & set(PARTNER_SIZES))


def _format(figures: dict) -> str:
    return " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in figures.values())


def _splits() -> dict[str, list]:
    """The labelled needs, train and held-out test."""
    needs = sorted(build_records()[1])
    return {"train": [n for n in needs if not is_test(n)],
            "test": [n for n in needs if is_test(n)]}


def _rule(rec: Recommender, min_member_score: float | None) -> str:
    """How members are chosen, in words."""
    return (f"main list (score ≥ {rec.config.main_list_score})" if min_member_score is None
            else f"score ≥ {min_member_score}")


def _params_supported() -> set:
    return set(inspect.signature(Partnerships.__init__).parameters) - {"self", "recommender"}


#: The app's partial-fit floor (``MATCH_PARTIAL_FIT_SCORE``): the loosest member rule compared.
PARTIAL_FIT_SCORE = 0.2


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures per member rule and split (``--sweep``: a grid over the thresholds)."""
    parser = argparse.ArgumentParser(prog="python -m research.consortia", description=__doc__)
    parser.add_argument("--top-k", type=int, default=3, help="teams per need (the need page: 3)")
    parser.add_argument("--sweep", action="store_true", help="grid over the thresholds (train)")
    parser.add_argument("--show", default="이안류", help="print the teams of needs titled so")
    parser.add_argument("--main-list-score", type=float, default=None,
                        help="the recommender's main-list (low-confidence) threshold "
                             "(default: ScoringConfig.main_list_score)")
    parser.add_argument("--member-score", type=float, action="append", default=None,
                        help="also report members chosen by this score floor instead of the "
                             f"main list (repeatable; default: {PARTIAL_FIT_SCORE})")
    args = parser.parse_args(argv)
    rec, labels = build_recommender(args.main_list_score), judgments()[0]
    splits = _splits()
    floors = args.member_score if args.member_score is not None else [PARTIAL_FIT_SCORE]
    defaults = {k: v for k, v in vars(Partnerships(rec)).items() if k in _params_supported()}
    print(f"## consortia, top {args.top_k} per need, defaults {defaults}")
    print("| members | split | " + " | ".join(measure(Partnerships(rec), [], labels, 1)) + " |")
    for floor in (None, *floors):
        for name, need_ids in splits.items():
            figures = measure(Partnerships(rec, min_member_score=floor), need_ids, labels,
                              args.top_k)
            print(f"| {_rule(rec, floor)} | {name} | {_format(figures)} |")
    if args.sweep:
        _sweep(rec, splits["train"], labels, args.top_k)
    if args.show:
        _show(rec, args.show, labels, args.top_k)
    return 0


#: Member rules the sweep scores the thresholds under (None = the main list): the defaults
#: must hold if the main-list threshold moves.
SWEEP_MAIN_LIST_SCORES = (None, 0.55, 0.75)


def _sweep(rec, need_ids, labels, top_k) -> None:
    """Shown-member relevance on the train needs per threshold pair, under several rules."""
    recs = [rec if m is None else build_recommender(m) for m in SWEEP_MAIN_LIST_SCORES]
    rules = [_rule(r, None) for r in recs]
    print("\n## sweep (train needs): needs with teams / members relevant / teams with a grade-0 "
          "member, per main-list rule")
    print("| min_marginal_coverage | max_team_overlap | " + " | ".join(rules)
          + " | mean members relevant |")
    print("|---|---|" + "---|" * (len(rules) + 1))
    for overlap in (0.34, 0.5, 1.0):
        for points in range(0, 11):
            params = {"min_marginal_coverage": points / 100, "max_team_overlap": overlap}
            cells, precisions = [], []
            for r in recs:
                figures = measure(Partnerships(r, **params), need_ids, labels, top_k)
                cells.append(f"{figures['needs with teams']} / {figures['members relevant']:.3f}"
                             f" / {figures['teams with grade-0 member']:.3f}")
                precisions.append(figures["members relevant"])
            print(f"| {points / 100:.2f} | {overlap} | " + " | ".join(cells)
                  + f" | {statistics.fmean(precisions):.3f} |")


def _show(rec, title_part, labels, top_k) -> None:
    """The teams of the needs whose title contains ``title_part``, with grades and shares."""
    partnerships = Partnerships(rec)
    for need_id, need in sorted(build_records()[1].items()):
        if title_part not in need.title:
            continue
        print(f"\n## {need.title} ({need_id})")
        for team in partnerships.consortia(need_id, top_k=top_k):
            adds = marginal_coverages(team)
            cells = [f"{rec.get_solution(sid).title} [grade {labels.get(need_id, {}).get(sid, 0)}, "
                     f"share {team.shares[sid]:.0%}, adds {add:.3f}]"
                     for (_, sid), add in zip((team.lead, *team.partners), adds)]
            print(f"- coverage {team.coverage:.3f}: " + " + ".join(cells))


if __name__ == "__main__":
    raise SystemExit(main())
