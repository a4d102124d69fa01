"""Offline retrieval evaluation: input loading, ranking runs and nDCG/MRR/Recall@k."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable, Hashable, Mapping, Sequence

from matching.index import RETRIEVAL, TextIndex
from matching.inputs import (  # noqa: F401 - re-exported
    InputError, Qrels, Run, format_trec, load_jsonl, load_qrels,
)

#: Where the shared KorQuAD file lives relative to the repository root (never copied into it).
KORQUAD_RELATIVE = Path("..") / "shared" / "data" / "korquad" / "KorQuAD_v1.0_dev.json"


def _language(item: Mapping) -> str:
    """An input line's language: its ``language`` field, Korean when absent."""
    return item.get("language") or "ko"


def rank(docs: Sequence[Mapping], queries: Sequence[Mapping], top_k: int = 10,
         index: TextIndex | None = None) -> Run:
    """Rank ``docs`` for each query with ``index`` (the retrieval preset if None).

    When any line has ``"language": "en"``, the inputs are split by language as the
    recommender splits needs and solutions: English queries rank only English documents, in an
    index analysed by ``EnglishAnalyzer`` (a clone of ``index`` with that analyser when one is
    given); the others (``"ko"`` or no language) rank the other documents as before."""
    if any(_language(item) == "en" for item in list(docs) + list(queries)):
        return _rank_by_language(docs, queries, top_k, index)
    return _rank_one(docs, queries, top_k, index)


def _rank_one(docs: Sequence[Mapping], queries: Sequence[Mapping], top_k: int,
              index: TextIndex | None) -> Run:
    """``rank`` with one index, whatever the languages."""
    index = index if index is not None else TextIndex(refit_every=None, **RETRIEVAL)
    index.fit(docs)
    qmat = index.transform(queries)
    results = index.search_many(qmat, top_k=top_k)
    return {str(q["id"]): [(str(d), s) for d, s in res] for q, res in zip(queries, results)}


def _rank_by_language(docs: Sequence[Mapping], queries: Sequence[Mapping], top_k: int,
                      index: TextIndex | None) -> Run:
    """``rank`` per language; results keep the order of ``queries``."""
    from sklearn.base import clone

    from matching.text import ENGLISH_ANALYZER

    run: Run = {}
    for language in ("ko", "en"):
        part_queries = [q for q in queries if _language(q) == language]
        part_docs = [d for d in docs if _language(d) == language]
        if not part_queries:
            continue
        if not part_docs:
            run.update({str(q["id"]): [] for q in part_queries})
            continue
        part_index = clone(index) if index is not None else \
            TextIndex(refit_every=None, **RETRIEVAL)
        if language == "en":
            part_index.set_params(analyzer=ENGLISH_ANALYZER)
        run.update(_rank_one(part_docs, part_queries, top_k, part_index))
    return {str(q["id"]): run[str(q["id"])] for q in queries}


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with ``(2^g - 1) / log2(rank + 1)``."""
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate_run(run: Mapping[str, Sequence[tuple[Hashable, float]]], qrels: Qrels,
                 k: int = 10) -> dict[str, float]:
    """Mean nDCG@k, MRR@k and Recall@k over the queries in ``qrels`` (missing runs score 0)."""
    ndcg = mrr = recall = 0.0
    n = 0
    for qid, rels in qrels.items():
        relevant = {d: g for d, g in rels.items() if g > 0}
        if not relevant:
            continue
        n += 1
        ranked = [str(d) for d, _ in run.get(qid, [])][:k]
        gains = [relevant.get(d, 0) for d in ranked]
        ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
        ndcg += dcg(gains) / ideal if ideal else 0.0
        first = next((i for i, g in enumerate(gains) if g > 0), None)
        mrr += 1.0 / (first + 1) if first is not None else 0.0
        recall += sum(1 for g in gains if g > 0) / len(relevant)
    if n == 0:
        return {f"nDCG@{k}": 0.0, f"MRR@{k}": 0.0, f"Recall@{k}": 0.0, "queries": 0}
    return {f"nDCG@{k}": ndcg / n, f"MRR@{k}": mrr / n, f"Recall@{k}": recall / n, "queries": n}


def evaluate(docs: Sequence[Mapping], queries: Sequence[Mapping], qrels: Qrels, k: int = 10,
             index: TextIndex | None = None,
             ranker: Callable[[Sequence[Mapping], Sequence[Mapping], int], Run] | None = None
             ) -> dict[str, float]:
    """Rank ``docs`` for ``queries`` (default pipeline, ``index`` or a custom ``ranker``) and score."""
    run = ranker(docs, queries, k) if ranker is not None else rank(docs, queries, k, index)
    return evaluate_run(run, qrels, k)


def load_korquad(path: str | Path) -> tuple[list[dict], list[dict], Qrels]:
    """KorQuAD 1.0 as retrieval: unique paragraphs are docs, questions are queries (1 relevant)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    docs: list[dict] = []
    queries: list[dict] = []
    qrels: Qrels = {}
    para_id: dict[str, str] = {}
    for article in data["data"]:
        for para in article["paragraphs"]:
            ctx = para["context"]
            if ctx not in para_id:
                para_id[ctx] = f"p{len(docs)}"
                docs.append({"id": para_id[ctx], "title": "", "text": ctx})
            for qa in para["qas"]:
                queries.append({"id": qa["id"], "title": "", "text": qa["question"]})
                qrels[qa["id"]] = {para_id[ctx]: 1}
    return docs, queries, qrels
