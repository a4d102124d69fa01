"""The full recommender (text + structured fit) on the labelled domain set, both directions.

``python -m research.domain`` builds the engine's records from the demo data the way the app
does (``research.demo_corpus``: every labelled need, only recommendable solutions, a fixed
reference date so deadlines are deterministic), runs ``Recommender`` need→solution
(``eval/domain/qrels.txt``) and solution→need (``eval/domain/reverse/qrels.txt`` when present, else the transposed
judgments) and prints, per split, ranking and displayed-list metrics and a calibration table.

Split (shared rule for issue 9, ``research.demo_corpus.split_of``): an item is *test* iff
``int(key[2:], 16) % 3 == 0``.
"""
from __future__ import annotations

import argparse
import hashlib
import math
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from matching.recommend import Recommender
from matching.records import NeedDoc, SolutionDoc
from matching.scoring import DEFAULT_CONFIG, TERMS, ScoringConfig, model_inputs
from research.demo_corpus import DOMAIN, REFERENCE_DATE, build_records, is_test, judgments, split_of

#: Items a page shows (the app's ``top_k``).
SHOWN = 10


# --- metrics ---------------------------------------------------------------------------------


@dataclass
class Shown:
    """One query's ranking: (item, headline score, low-confidence) best first, and its labels."""

    query: str
    ranked: list
    relevant: dict = field(default_factory=dict)

    def main_list(self) -> list:
        """The items the page shows in its main list (not low-confidence), at most ``SHOWN``."""
        return [r for r in self.ranked if not r[2]][:SHOWN]


def _dcg(gains: Sequence[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def metrics(rows: Sequence[Shown]) -> dict[str, float]:
    """nDCG@10 and P@1 of the ranking; P@5, irrelevant-in-top-5 share and recall of the main list."""
    judged = [r for r in rows if r.relevant]
    ndcg = p1 = recall = 0.0
    for r in judged:
        gains = [r.relevant.get(item, 0) for item, _, _ in r.ranked[:10]]
        ndcg += _dcg(gains) / _dcg(sorted(r.relevant.values(), reverse=True)[:10])
        p1 += 1.0 if gains and gains[0] > 0 else 0.0
        main = r.main_list()
        recall += sum(1 for item, _, _ in main if item in r.relevant) / len(r.relevant)
    shown = [r for r in rows if r.main_list()]
    p5 = sum(sum(1 for item, _, _ in r.main_list()[:5] if item in r.relevant)
             / min(5, len(r.main_list())) for r in shown)
    dirty = sum(1 for r in rows if any(item not in r.relevant for item, _, _ in r.main_list()[:5]))
    empty_ok = sum(1 for r in rows if not r.relevant and not r.main_list())
    n = max(1, len(judged))
    return {"queries": len(rows), "judged": len(judged), "nDCG@10": ndcg / n, "P@1": p1 / n,
            "P@5(main)": p5 / max(1, len(shown)), "irrelevant@5": dirty / max(1, len(rows)),
            "recall(main)": recall / n, "non-empty": len(shown),
            "no-relevant→empty": f"{empty_ok}/{len(rows) - len(judged)}"}


def calibration(rows: Sequence[Shown], width: int = 10) -> list[tuple[str, int, float]]:
    """(score bin, items, share relevant) over the top ``SHOWN`` of every ranking."""
    bins: dict[int, list[int]] = {}
    for r in rows:
        for item, score, _ in r.ranked[:SHOWN]:
            b = min(100 // width - 1, int(score * 100) // width)
            bins.setdefault(b, []).append(1 if item in r.relevant else 0)
    return [(f"{b * width}–{b * width + width - 1}%", len(v), sum(v) / len(v))
            for b, v in sorted(bins.items())]


# --- running the engine ----------------------------------------------------------------------


def fit(solutions: Mapping[str, SolutionDoc], needs: Mapping[str, NeedDoc],
        config: ScoringConfig = DEFAULT_CONFIG, today: date = REFERENCE_DATE) -> Recommender:
    """The recommender over the catalogue and the labelled needs."""
    return Recommender(config=config, today=today, refit_every=None).fit(
        list(solutions.values()) + list(needs.values()))


def rankings(rec: Recommender, direction: str, queries: Iterable[str], qrels: Mapping,
             depth: int = SHOWN) -> list[Shown]:
    """Each query's ranking (low-confidence items included, flagged) with its judgments."""
    out = []
    for q in queries:
        matches = (rec.recommend_solutions(q, top_k=depth, include_low_confidence=True)
                   if direction == "need" else
                   rec.recommend_needs(q, top_k=depth, include_low_confidence=True))
        ranked = [(m.solution_id if direction == "need" else m.need_id, m.score,
                   m.low_confidence) for m in matches]
        out.append(Shown(q, ranked, {k: g for k, g in qrels.get(q, {}).items() if g > 0}))
    return out


def share_relevant_at_or_above(rows: Sequence[Shown], score: float) -> tuple[int, float]:
    """(items, share relevant) among the top ``SHOWN`` items scored at least ``score``."""
    hits = [1 if item in r.relevant else 0 for r in rows for item, s, _ in r.ranked[:SHOWN]
            if s >= score]
    return len(hits), (sum(hits) / len(hits) if hits else 0.0)


def _table(title: str, rows_by_split: Mapping[str, list[Shown]]) -> str:
    lines = [f"## {title}", "",
             "| split | queries | judged | nDCG@10 | P@1 | P@5 (main) | irrelevant in top 5 "
             "| recall (main) | non-empty main | no-relevant → empty |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for split, rows in rows_by_split.items():
        m = metrics(rows)
        lines.append(f"| {split} | {m['queries']} | {m['judged']} | {m['nDCG@10']:.4f} "
                     f"| {m['P@1']:.4f} | {m['P@5(main)']:.4f} | {m['irrelevant@5']:.4f} "
                     f"| {m['recall(main)']:.4f} | {m['non-empty']} | {m['no-relevant→empty']} |")
    lines += ["", "| headline score | " + " | ".join(
        f"{s} items | {s} relevant" for s in rows_by_split) + " |",
        "|---|" + "---|---|" * len(rows_by_split)]
    tables = {s: {b: (n, p) for b, n, p in calibration(rows)} for s, rows in rows_by_split.items()}
    labels = sorted({b for t in tables.values() for b in t}, key=lambda b: int(b.split("–")[0]))
    for b in labels:
        cells = []
        for s in rows_by_split:
            n, p = tables[s].get(b, (0, 0.0))
            cells.append(f"{n} | {p:.2f}" if n else "0 | –")
        lines.append(f"| {b} | " + " | ".join(cells) + " |")
    for level in (0.5, 0.7, 0.8):
        cells = []
        for s in rows_by_split:
            n, p = share_relevant_at_or_above(rows_by_split[s], level)
            cells.append(f"{n} | {p:.2f}")
        lines.append(f"| **≥ {level:.0%}** | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def evaluate(config: ScoringConfig = DEFAULT_CONFIG, domain: Path = DOMAIN
             ) -> dict[str, dict[str, list[Shown]]]:
    """Rankings of both directions, by split."""
    solutions, needs = build_records(domain)
    forward, reverse, _ = judgments(domain)
    rec = fit(solutions, needs, config)
    out = {}
    for direction, queries, qrels in (("need", needs, forward), ("solution", solutions, reverse)):
        rows = rankings(rec, direction, sorted(queries), qrels)
        out[direction] = {s: [r for r in rows if split_of(r.query) == s] for s in ("train", "test")}
    return out


# --- fitting the relevance model on the train split -------------------------------------------

#: The labels judge content only, so they cannot price the practical checks; each keeps at
#: least this coefficient, so at equal text and field the pair that fits budget, region,
#: deadline, maturity and references ranks first. The fit may raise it, never lower it.
PRACTICAL_FLOOR = 0.25


def train_pairs(rec: Recommender, solutions, needs, forward) -> tuple[list, list, list]:
    """(features, labels, need keys) of every scored candidate pair whose two sides are train."""
    X, y, groups = [], [], []
    for nid in sorted(needs):
        if is_test(nid):
            continue
        for s in rec.score_solutions(nid):
            if is_test(s.solution.id):
                continue
            X.append(model_inputs(needs[nid], s.solution, s.pair.text_score, REFERENCE_DATE))
            y.append(1 if forward.get(nid, {}).get(s.solution.id, 0) > 0 else 0)
            groups.append(nid)
    return X, y, groups


def fit_logistic(X, y, c: float):
    """Logistic regression with an L2 penalty ``1/(2c)·|w|²`` (not on the intercept) and the
    bounds: category and log-text coefficients ≥ 0, practical checks ≥ ``PRACTICAL_FLOOR``."""
    import numpy as np
    from scipy.optimize import minimize

    X, y = np.asarray(X, float), np.asarray(y, float)

    def loss(w):
        z = X @ w
        p = 1 / (1 + np.exp(-z))
        ll = np.sum(np.logaddexp(0, z) - y * z)
        reg = 0.5 / c * np.sum(w[1:] ** 2)
        grad = X.T @ (p - y)
        grad[1:] += w[1:] / c
        return ll + reg, grad

    bounds = ([(None, None), (None, None), (0, None), (0, None), (0, None)]
              + [(PRACTICAL_FLOOR, None)] * (len(TERMS) - 5))
    start = np.array([b[0] if b[0] else 0.0 for b in bounds])
    return minimize(loss, start, jac=True, bounds=bounds, method="L-BFGS-B").x


def choose_c(X, y, groups, grid=(0.1, 0.3, 1.0, 3.0, 10.0)) -> float:
    """The penalty with the lowest log-loss in 3-fold cross-validation grouped by need."""
    import numpy as np

    X, y = np.asarray(X, float), np.asarray(y, float)
    folds = np.array([int(hashlib.sha1(g.encode()).hexdigest(), 16) % 3 for g in groups])
    best = None
    for c in grid:
        ll = 0.0
        for f in range(3):
            w = fit_logistic(X[folds != f], y[folds != f], c)
            z = X[folds == f] @ w
            ll += float(np.sum(np.logaddexp(0, z) - y[folds == f] * z))
        if best is None or ll < best[0]:
            best = (ll, c)
    return best[1]


def choose_threshold(config: ScoringConfig, domain: Path, p5: float = 0.85,
                     dirty: float = 0.08) -> float:
    """The lowest main-list score at which both directions' *train* P@5 ≥ ``p5`` and at most
    ``dirty`` of the train queries show an irrelevant item in the top 5 (margins below the
    targets 0.8 and 0.1)."""
    from dataclasses import replace

    candidates = [t / 100 for t in range(30, 91, 5)]
    for threshold in candidates:
        results = evaluate(replace(config, main_list_score=threshold), domain)
        ms = [metrics(results[d]["train"]) for d in ("need", "solution")]
        if all(m["P@5(main)"] >= p5 and m["irrelevant@5"] <= dirty for m in ms):
            return threshold
    return candidates[-1]


def fit_config(domain: Path = DOMAIN) -> ScoringConfig:
    """Coefficients and main-list threshold fitted on the train split only."""
    from dataclasses import replace

    solutions, needs = build_records(domain)
    forward, _, _ = judgments(domain)
    rec = fit(solutions, needs)
    X, y, groups = train_pairs(rec, solutions, needs, forward)
    c = choose_c(X, y, groups)
    w = fit_logistic(X, y, c)
    print(f"# fitted on {len(y)} train pairs ({sum(y)} relevant), L2 C={c}")
    config = replace(DEFAULT_CONFIG, **{t: round(float(v), 2) for t, v in zip(TERMS, w)})
    return replace(config, main_list_score=choose_threshold(config, domain))


def main(argv: Optional[list[str]] = None) -> int:
    """Print the tables (``--fit``: first fit the model on the train split and use it)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--domain", type=Path, default=DOMAIN, help="the labelled set's folder")
    ap.add_argument("--fit", action="store_true",
                    help="fit the coefficients and the main-list threshold on the train split, "
                         "print them and evaluate with them (else: the library's defaults)")
    args = ap.parse_args(argv)
    solutions, needs = build_records(args.domain)
    _, _, source = judgments(args.domain)
    config = DEFAULT_CONFIG
    if args.fit:
        config = fit_config(args.domain)
        print("# ScoringConfig(" + ", ".join(
            f"{t}={getattr(config, t)}" for t in TERMS + ("main_list_score",)) + ")\n")
    results = evaluate(config, domain=args.domain)
    print(f"# domain set, full recommender: {len(solutions)} solutions, {len(needs)} needs, "
          f"reference date {REFERENCE_DATE}; solution→need judgments: {source}; "
          f"main list: score ≥ {config.main_list_score:.0%}\n")
    print(_table("need → solution", results["need"]) + "\n")
    print(_table("solution → need", results["solution"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
