"""Query latency of the cosine default, bounded BM25 and the char n-gram fusions (RETRIEVAL*).

Documents are KorQuAD paragraphs repeated under new ids up to ``--docs`` (pre-analysed tokens and
raw text, as the app stores them); queries are KorQuAD questions given with their tokens, so Kiwi
is excluded and only what differs between the pipelines is timed (char n-grams of the query's raw
text, weighting, scoring). Skips when KorQuAD is absent.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from matching.evaluation import load_korquad
from matching.index import RETRIEVAL, RETRIEVAL_SUM, TextIndex
from research.experiments import preanalyse

PIPELINES = {
    "cosine (TextIndex())": {},
    "bounded BM25, no char block": dict(RETRIEVAL, char_ngrams=0.0),
    "RETRIEVAL_SUM (previous: bm25 + char 0.2, summed)": RETRIEVAL_SUM,
    "RETRIEVAL (bm25 + char 0.3, max-normalised)": RETRIEVAL,
}


def main(argv=None) -> int:
    """Print build time and p50/p95/p99 of ``search`` per pipeline."""
    parser = argparse.ArgumentParser(prog="python -m research.fusion_latency", description=__doc__)
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    path = args.shared / "korquad" / "KorQuAD_v1.0_dev.json"
    if not path.is_file():
        print(f"KorQuAD not found at {path}; skipping.", file=sys.stderr)
        return 0
    paragraphs, questions, _ = load_korquad(path)
    paragraphs, questions = preanalyse(paragraphs), preanalyse(questions[:args.queries])
    docs = [dict(paragraphs[i % len(paragraphs)], id=f"d{i}") for i in range(args.docs)]
    print(f"{len(docs)} documents (KorQuAD paragraphs repeated), {len(questions)} queries "
          "with tokens given (no Kiwi)")
    print("| pipeline | build (s) | search p50 (ms) | p95 (ms) | p99 (ms) | search_many, all "
          "queries (ms per query) | features |")
    print("|---|---|---|---|---|---|---|")
    for label, params in PIPELINES.items():
        t = time.perf_counter()
        index = TextIndex(refit_every=None, **params).fit(docs)
        build = time.perf_counter() - t
        times = []
        for q in questions:
            t = time.perf_counter()
            index.search(q, top_k=10)
            times.append((time.perf_counter() - t) * 1000)
        p50, p95, p99 = np.percentile(times, [50, 95, 99])
        Q = index.transform(questions)
        t = time.perf_counter()
        index.search_many(Q, top_k=10)
        batch = (time.perf_counter() - t) * 1000 / len(questions)
        print(f"| {label} | {build:.1f} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {batch:.2f} | "
              f"{index.n_features_:,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
