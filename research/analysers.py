"""Quality and query-analysis time of the Korean analyser options on labelled retrieval sets.

Each option says how documents and queries are analysed (backend, query truncation); the index
is the default :class:`~matching.index.TextIndex` otherwise. Prints a Markdown table per set:
nDCG@10, MRR@10, Recall@10 (all queries; the domain set also its held-out third) and the time
to analyse one query (title + text) with that option, p50/p95 in ms.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from matching.evaluation import KORQUAD_RELATIVE, evaluate_run, load_korquad
from matching.index import TextIndex
from matching.inputs import load_jsonl, load_qrels
from matching.text import KoreanAnalyzer

DOMAIN_RELATIVE = Path("eval") / "domain"


class Option(NamedTuple):
    """How documents and queries are analysed."""

    label: str
    doc_backend: str
    query_backend: str
    query_chars: int = 0  # 0 = whole text (up to the analyser's MAX_CHARS)


OPTIONS: dict[str, Option] = {
    "kiwi": Option("Kiwi (CoNg) for documents and queries (default)", "kiwi", "kiwi"),
    "mecab": Option("mecab-ko + mecab-ko-dic for documents and queries", "mecab", "mecab"),
    "kiwi_docs_mecab_queries": Option("Kiwi documents, mecab-ko queries", "kiwi", "mecab"),
    "kiwi_first400": Option("Kiwi, query text cut to its first 400 characters", "kiwi", "kiwi", 400),
    "kiwi_first200": Option("Kiwi, query text cut to its first 200 characters", "kiwi", "kiwi", 200),
    "kiwi_first100": Option("Kiwi, query text cut to its first 100 characters", "kiwi", "kiwi", 100),
}


def held_out(key: str) -> bool:
    """Whether a domain-set key (``n-``/``s-`` + hex) is in the held-out test third."""
    try:
        return int(str(key)[2:], 16) % 3 == 0
    except ValueError:
        return False


def _analyse(items: Sequence[Mapping], analyzer: KoreanAnalyzer) -> list[dict]:
    """Items with ``tokens`` for title and text analysed by ``analyzer`` (one batch per field)."""
    titles = analyzer.analyse_many(i.get("title") or "" for i in items)
    texts = analyzer.analyse_many(i.get("text") or "" for i in items)
    return [dict(i, tokens={"title": t, "text": x}) for i, t, x in zip(items, titles, texts)]


def _query_ms(queries: Sequence[Mapping], analyzer: KoreanAnalyzer) -> tuple[float, float]:
    """p50 and p95 (ms) of analysing one query's title and text, one query at a time."""
    analyzer.analyse_many([queries[0].get("title") or "", queries[0].get("text") or ""])
    times = []
    for q in queries:
        t = time.perf_counter()
        analyzer.analyse_many([q.get("title") or "", q.get("text") or ""])
        times.append(time.perf_counter() - t)
    ms = np.asarray(times) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def evaluate_option(option: Option, docs, queries, qrels, k: int = 10,
                    split: bool = False) -> dict:
    """Metrics (all queries and, with ``split``, the held-out third) and query analysis time."""
    doc_an = KoreanAnalyzer(backend=option.doc_backend)
    query_an = KoreanAnalyzer(backend=option.query_backend,
                              **({"max_chars": option.query_chars} if option.query_chars else {}))
    index = TextIndex(refit_every=None).fit(_analyse(docs, doc_an))
    analysed = _analyse(queries, query_an)
    results = index.search_many(index.transform(analysed), top_k=k)
    run = {str(q["id"]): [(str(d), s) for d, s in r] for q, r in zip(queries, results)}
    row = dict(evaluate_run(run, qrels, k))
    row["per_query"] = {q: evaluate_run(run, {q: r}, k)[f"nDCG@{k}"] for q, r in qrels.items()
                        if any(g > 0 for g in r.values())}
    if split:
        row["test"] = evaluate_run(run, {q: r for q, r in qrels.items() if held_out(q)}, k)
    row["p50_ms"], row["p95_ms"] = _query_ms(queries[:300], query_an)
    return row


def _paired_difference(values: Mapping[str, float], base: Mapping[str, float] | None) -> str:
    """Mean per-query difference to ``base`` with a normal 95 % interval (or "—")."""
    if base is None:
        return "—"
    d = np.asarray([values[q] - base[q] for q in base])
    half = 1.96 * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else 0.0
    return f"{d.mean():+.4f} ± {half:.4f}"


def report(name: str, docs, queries, qrels, options: Sequence[str], split: bool,
           out=None) -> list[dict]:
    """Evaluate each option on one set and print a Markdown table."""
    out = out if out is not None else sys.stdout
    print(f"## {name}: {len(docs)} documents, {len(queries)} queries", file=out)
    head = "| option | nDCG@10 | MRR@10 | Recall@10 |"
    if split:
        head += " held-out third nDCG@10 / MRR@10 / Recall@10 |"
    head += f" nDCG@10 − `{options[0]}` (95 % CI, paired) |"
    print(head + " query analysis p50 / p95 (ms) |", file=out)
    print("|---" * head.count("|") + "|", file=out, flush=True)
    rows = []
    for key in options:
        row = evaluate_option(OPTIONS[key], docs, queries, qrels, split=split)
        line = (f"| `{key}`: {OPTIONS[key].label} | {row['nDCG@10']:.4f} | {row['MRR@10']:.4f} | "
                f"{row['Recall@10']:.4f} |")
        if split:
            t = row["test"]
            line += (f" {t['nDCG@10']:.4f} / {t['MRR@10']:.4f} / {t['Recall@10']:.4f} "
                     f"({t['queries']} queries) |")
        line += f" {_paired_difference(row['per_query'], rows[0]['per_query'] if rows else None)} |"
        print(line + f" {row['p50_ms']:.2f} / {row['p95_ms']:.2f} |", file=out, flush=True)
        rows.append(dict(row, option=key))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m research.analysers domain|korquad [--options a,b] ...``."""
    parser = argparse.ArgumentParser(prog="python -m research.analysers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dm = sub.add_parser("domain", help="the labelled domain set (eval/domain/)")
    dm.add_argument("--dir", type=Path, default=None)
    kq = sub.add_parser("korquad", help="KorQuAD 1.0 dev as retrieval")
    kq.add_argument("--path", type=Path, default=None)
    kq.add_argument("--limit", type=int, default=0, help="use only the first N questions")
    for p in (dm, kq):
        p.add_argument("--options", default=",".join(OPTIONS),
                       help=f"comma-separated, from {', '.join(OPTIONS)}")
    args = parser.parse_args(argv)
    options = [o for o in args.options.split(",") if o]
    unknown = [o for o in options if o not in OPTIONS]
    if unknown:
        parser.error(f"unknown options {unknown}")
    root = Path(__file__).resolve().parents[1]
    if args.command == "domain":
        folder = args.dir or root / DOMAIN_RELATIVE
        docs = load_jsonl(str(folder / "docs.jsonl"))
        queries = load_jsonl(str(folder / "queries.jsonl"), "queries")
        report("domain set", docs, queries, load_qrels(str(folder / "qrels.txt")), options, True)
        return 0
    path = args.path or root / KORQUAD_RELATIVE
    if not path.is_file():
        print(f"KorQuAD file not found at {path}; skipping.", file=sys.stderr)
        return 0
    docs, queries, qrels = load_korquad(path)
    if args.limit:
        queries = queries[:args.limit]
        qrels = {q["id"]: qrels[q["id"]] for q in queries}
    report("KorQuAD 1.0 dev", docs, queries, qrels, options, False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
