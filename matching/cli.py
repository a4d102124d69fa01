"""Command-line interface: ``rank`` (TREC run) and ``evaluate`` (nDCG/MRR/Recall@10)."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from matching.inputs import InputError, format_trec, load_jsonl, load_qrels


class _Parser(argparse.ArgumentParser):
    """Argument parser that reports usage errors with exit code 2 and no traceback."""

    def error(self, message: str):  # noqa: D102 - argparse hook
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m matching`` argument parser."""
    parser = _Parser(prog="python -m matching",
                     description="CityMatch text matching: offline ranking and evaluation.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("rank", help="rank documents for each query; print a TREC run")
    e = sub.add_parser("evaluate", help="rank and print nDCG@10, MRR@10 and Recall@10")
    for p in (r, e):
        p.add_argument("--docs", required=True, help="JSON lines {id, title, text[, language: ko|en]}")
        p.add_argument("--queries", required=True, help="JSON lines {id, title, text[, language: ko|en]}")
    r.add_argument("--top-k", type=int, default=10, help="results per query (default 10)")
    r.add_argument("--tag", default="citymatch", help="run tag (last TREC column)")
    e.add_argument("--qrels", required=True, help="TREC qrels: qid 0 docid grade")
    e.add_argument("--k", type=int, default=10, help="cut-off (default 10)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code (0 ok, 1 bad input, 2 usage)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rank" and args.top_k < 1:
            raise InputError("--top-k must be at least 1")
        if args.command == "evaluate" and args.k < 1:
            raise InputError("--k must be at least 1")
        docs = load_jsonl(args.docs, "documents")
        queries = load_jsonl(args.queries, "queries")
        qrels = load_qrels(args.qrels) if args.command == "evaluate" else None
        from matching.evaluation import evaluate_run, rank  # heavy imports after validation

        if args.command == "rank":
            run = rank(docs, queries, args.top_k)
            out = sys.stdout
            for line in format_trec(run, args.tag):
                out.write(line + "\n")
            out.flush()
            return 0
        unknown = sorted(set(qrels) - {q["id"] for q in queries})
        if unknown:
            print(f"warning: {len(unknown)} qrels queries not in the queries file "
                  f"(e.g. {unknown[0]!r}); they count as 0", file=sys.stderr)
        run = rank(docs, queries, args.k)
        metrics = evaluate_run(run, qrels, args.k)
        for key in (f"nDCG@{args.k}", f"MRR@{args.k}", f"Recall@{args.k}"):
            print(f"{key}\t{metrics[key]:.4f}")
        print(f"queries\t{metrics['queries']}")
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except (OSError, MemoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
