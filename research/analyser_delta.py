"""Paired per-query nDCG@10 of the default retrieval pipeline with Kiwi against mecab-ko analysis.

``python -m research.analyser_delta domain,korquad,petitions --limit 500`` prints, per set (the
domain set per split), both means and the mean difference (mecab-ko − Kiwi) with a normal 95 %
interval over the same queries, and how many queries got better or worse.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Sequence

import research.experiments as experiments
from matching.evaluation import evaluate_run
from matching.text import KoreanAnalyzer
from research.datasets import SETS, first_queries, held_out

ROOT = Path(__file__).resolve().parents[1]


def per_query_ndcg(docs, queries, qrels, backend: str) -> dict[str, float]:
    """nDCG@10 of each judged query, the default pipeline analysing with ``backend``."""
    analyzer = KoreanAnalyzer(backend=backend)
    saved = experiments.DEFAULT_ANALYZER
    experiments.DEFAULT_ANALYZER = analyzer  # preanalyse() reads the module's analyser
    try:
        run = experiments.CANDIDATES["default"][1](experiments.preanalyse(docs),
                                                   experiments.preanalyse(queries), 10)
    finally:
        experiments.DEFAULT_ANALYZER = saved
    return {qid: evaluate_run(run, {qid: rels}, 10)["nDCG@10"] for qid, rels in qrels.items()
            if any(g > 0 for g in rels.values())}


def paired_line(label: str, kiwi: dict, mecab: dict, ids) -> str:
    """One printed comparison over the queries ``ids``."""
    diffs = [mecab[i] - kiwi[i] for i in ids]
    n = len(diffs)
    mean = sum(diffs) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1)) if n > 1 else 0.0
    return (f"{label}: {n} queries, Kiwi {sum(kiwi[i] for i in ids) / n:.4f}, mecab-ko "
            f"{sum(mecab[i] for i in ids) / n:.4f}, Δ {mean:+.4f} ± {1.96 * sd / math.sqrt(n):.4f} "
            f"({sum(d > 0 for d in diffs)} better, {sum(d < 0 for d in diffs)} worse)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m research.analyser_delta", description=__doc__)
    parser.add_argument("sets", help="comma-separated sets (" + ", ".join(SETS) + ")")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=0, help="first N queries of each set")
    args = parser.parse_args(argv)
    for name in args.sets.split(","):
        loaded = SETS[name].load(ROOT, args.shared)
        if loaded is None:
            print(f"{name}: source not found; skipping.", file=sys.stderr)
            continue
        docs, queries, qrels = first_queries(loaded, args.limit)
        kiwi = per_query_ndcg(docs, queries, qrels, "kiwi")
        mecab = per_query_ndcg(docs, queries, qrels, "mecab")
        parts = {"train": held_out(qrels, False), "test": held_out(qrels, True)} \
            if name == "domain" else {"all": qrels}
        for part, sub in parts.items():
            print(paired_line(f"{name} {part}", kiwi, mecab, [i for i in sub if i in kiwi]),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
