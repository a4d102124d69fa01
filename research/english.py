"""The full recommender on the English labelled set (overseas demand, issue 11), both directions.

``python -m research.english`` reads ``eval/english/`` — ``docs.jsonl`` (the solutions' English
text), ``queries.jsonl`` (English needs), ``qrels.txt`` and ``reverse/qrels.txt`` (else the
transposed judgments), the same format and ids as ``eval/domain`` — and prints the same tables
as ``python -m research.domain``: need→solution and solution→need, nDCG@10, P@1, P@5 of the
main list, irrelevant in the top 5, recall, calibration, per train/test split.

Records: an id that is also in the Korean domain set (``research.demo_corpus.build_records``)
keeps that item's structured fields (category, budget, price, place, deadline, references…) and
takes the English text: a solution's ``title_en`` = the line's title and ``description_en`` = its
text; a need becomes ``language="en"`` with the line's title and text. Another id is built from
its line alone (optional keys ``category``, ``maturity``, ``price_min``, ``price_max``,
``budget_max``; missing ones score as unknown). Only the English needs are fitted, so the
solution→need direction ranks English needs by the English fields. Split: the line's ``split``
when given, else the shared rule (``research.demo_corpus.split_of``).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

from matching.inputs import InputError, load_jsonl, load_qrels
from matching.recommend import Recommender
from matching.records import NeedDoc, SolutionDoc
from matching.scoring import DEFAULT_CONFIG, ScoringConfig
from research.demo_corpus import DOMAIN, REFERENCE_DATE, ROOT, build_records, split_of
from research.domain import Shown, _table, rankings

ENGLISH = ROOT / "eval" / "english"
#: Structured keys an English line may carry when its id is not in the Korean domain set.
SOLUTION_KEYS = ("category", "maturity", "price_min", "price_max", "company_id")
NEED_KEYS = ("category", "budget_min", "budget_max")


class MissingSet(Exception):
    """The English labelled set is not there (yet)."""


def _raw_lines(path: Path) -> dict[str, dict]:
    """Every JSON line of a file by id, all keys kept (``load_jsonl`` validated it first)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            out[str(obj["id"])] = obj
    return out


def _korean_records(domain: Path) -> tuple[dict, dict]:
    """The Korean domain set's records (empty when it cannot be read)."""
    try:
        return build_records(domain)
    except (OSError, InputError, KeyError):
        return {}, {}


def build_english_records(english: Path = ENGLISH, domain: Path = DOMAIN
                          ) -> tuple[dict[str, SolutionDoc], dict[str, NeedDoc], dict[str, str]]:
    """(solutions with English text, English needs, split of every item) of the English set."""
    docs_file, queries_file = english / "docs.jsonl", english / "queries.jsonl"
    if not docs_file.is_file() or not queries_file.is_file() or \
            not (english / "qrels.txt").is_file():
        raise MissingSet(f"the English labelled set is not there: {english} needs docs.jsonl, "
                         f"queries.jsonl and qrels.txt (format of eval/domain)")
    docs, queries = load_jsonl(docs_file), load_jsonl(queries_file, "queries")
    raw_docs, raw_queries = _raw_lines(docs_file), _raw_lines(queries_file)
    korean_solutions, korean_needs = _korean_records(domain)
    solutions: dict[str, SolutionDoc] = {}
    splits: dict[str, str] = {}
    for doc in docs:
        key, raw = doc["id"], raw_docs[doc["id"]]
        base = korean_solutions.get(key) or SolutionDoc(
            id=key, title=doc["title"], **{k: raw[k] for k in SOLUTION_KEYS if k in raw})
        solutions[key] = replace(base, title_en=doc["title"], summary_en="",
                                 description_en=doc["text"])
        splits[key] = raw.get("split") or split_of(key)
    needs: dict[str, NeedDoc] = {}
    for query in queries:
        key, raw = query["id"], raw_queries[query["id"]]
        base = korean_needs.get(key) or NeedDoc(
            id=key, title=query["title"], **{k: raw[k] for k in NEED_KEYS if k in raw})
        needs[key] = replace(base, title=query["title"], description=query["text"],
                             language="en", tokens=None)
        splits[key] = raw.get("split") or split_of(key)
    return solutions, needs, splits


def english_judgments(english: Path = ENGLISH) -> tuple[dict, dict, str]:
    """(need→solution grades, solution→need grades, where the reverse ones came from)."""
    forward = {q: dict(r) for q, r in load_qrels(english / "qrels.txt").items()}
    reverse_file = english / "reverse" / "qrels.txt"
    if reverse_file.is_file():
        reverse = {q: dict(r) for q, r in load_qrels(reverse_file).items()}
        return forward, reverse, str(reverse_file)
    reverse: dict[str, dict] = {}
    for need, rels in forward.items():
        for sol, grade in rels.items():
            reverse.setdefault(sol, {})[need] = grade
    return forward, reverse, "transposed qrels.txt"


def evaluate(config: ScoringConfig = DEFAULT_CONFIG, english: Path = ENGLISH,
             domain: Path = DOMAIN) -> dict[str, dict[str, list[Shown]]]:
    """Rankings of both directions on the English set, by split."""
    solutions, needs, splits = build_english_records(english, domain)
    forward, reverse, _ = english_judgments(english)
    rec = Recommender(config=config, today=REFERENCE_DATE, refit_every=None).fit(
        list(solutions.values()) + list(needs.values()))
    out = {}
    for direction, queries, qrels in (("need", needs, forward), ("solution", solutions, reverse)):
        rows = rankings(rec, direction, sorted(queries), qrels)
        out[direction] = {s: [r for r in rows if splits[r.query] == s] for s in ("train", "test")}
    return out


def main(argv: Optional[list[str]] = None) -> int:
    """Print the tables; exit 1 with a message when the English set is missing."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--english", type=Path, default=ENGLISH, help="the English set's folder")
    ap.add_argument("--domain", type=Path, default=DOMAIN,
                    help="the Korean domain set (structured fields of the same ids)")
    args = ap.parse_args(argv)
    try:
        solutions, needs, _ = build_english_records(args.english, args.domain)
        _, _, source = english_judgments(args.english)
        results = evaluate(english=args.english, domain=args.domain)
    except MissingSet as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"# English set, full recommender (English index): {len(solutions)} solutions, "
          f"{len(needs)} needs, reference date {REFERENCE_DATE}; solution→need judgments: "
          f"{source}; main list: score ≥ {DEFAULT_CONFIG.main_list_score:.0%}\n")
    print(_table("need → solution", results["need"]) + "\n")
    print(_table("solution → need", results["solution"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
