"""Compare candidate text pipelines on KorQuAD-as-retrieval (or any docs/queries/qrels)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from matching.evaluation import (
    KORQUAD_RELATIVE, Run, evaluate_run, load_jsonl, load_korquad, load_qrels,
)
from matching.index import TextIndex, top_k_pairs
from matching.text import DEFAULT_ANALYZER, normalize

#: The labelled domain set (``eval/domain/``) relative to the repository root.
DOMAIN_RELATIVE = Path("eval") / "domain"

Ranker = Callable[[Sequence[Mapping], Sequence[Mapping], int], Run]


def _full_text(doc: Mapping) -> str:
    """Title and text of a doc as one cleaned string."""
    return normalize(" ".join(x for x in (doc.get("title"), doc.get("text")) if x))


def _run_from_scores(S, docs: Sequence[Mapping], queries: Sequence[Mapping], k: int) -> Run:
    """Turn a queries × docs score matrix into a run (ties by doc id)."""
    ids = [str(d["id"]) for d in docs]
    S = S.toarray() if sp.issparse(S) else np.asarray(S)
    S = np.round(S, 6)
    return {str(q["id"]): top_k_pairs(ids, S[i], k) for i, q in enumerate(queries)}


def sklearn_ranker(**params) -> Ranker:
    """Plain scikit-learn ``TfidfVectorizer`` over the raw text, cosine similarity."""
    def ranker(docs, queries, k):
        vec = TfidfVectorizer(**params)
        X = vec.fit_transform([_full_text(d) for d in docs])
        Q = vec.transform([_full_text(q) for q in queries])
        return _run_from_scores(Q @ X.T, docs, queries, k)
    return ranker


def index_ranker(search: Mapping | None = None, **params) -> Ranker:
    """Our :class:`TextIndex` with the given hyper-parameters (``search``: search_many options)."""
    def ranker(docs, queries, k):
        index = TextIndex(refit_every=None, **params).fit(docs)
        results = index.search_many(index.transform(queries), top_k=k, **(search or {}))
        return dict(zip((str(q["id"]) for q in queries),
                        ([(str(d), s) for d, s in r] for r in results)))
    return ranker


def fusion_ranker(weight: float = 0.5, ngram_range=(2, 3)) -> Ranker:
    """Default index fused with char_wb n-gram TF-IDF: ``(1-w)·cos_index + w·cos_char``."""
    def ranker(docs, queries, k):
        index = TextIndex(refit_every=None).fit(docs)
        S1 = (index.transform(queries) @ index._XT).toarray()
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True)
        X = vec.fit_transform([_full_text(d) for d in docs])
        S2 = (vec.transform([_full_text(q) for q in queries]) @ X.T).toarray()
        return _run_from_scores((1 - weight) * S1 + weight * S2, docs, queries, k)
    return ranker


def _tokens(items: Sequence[Mapping]) -> list[list[str]]:
    """Title + text tokens of each item (pre-analysed ones reused, others analysed now)."""
    missing = [i for i in items if "tokens" not in i]
    fresh = iter(DEFAULT_ANALYZER.analyse_many(_full_text(i) for i in missing))
    return [i["tokens"]["title"] + i["tokens"]["text"] if "tokens" in i else next(fresh)
            for i in items]


def bm25_ranker(k1: float = 1.2, b: float = 0.75) -> Ranker:
    """Okapi BM25 over Kiwi morphemes (reference only: unbounded scores, not a cosine)."""
    def ranker(docs, queries, k):
        dtoks, qtoks = _tokens(docs), _tokens(queries)
        cv = CountVectorizer(analyzer=lambda t: t)
        C = cv.fit_transform(dtoks).tocoo().astype(np.float64)
        Qc = cv.transform(qtoks)
        Qc.data[:] = 1.0
        n = C.shape[0]
        df = np.bincount(C.col, minlength=C.shape[1])
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        dl = np.bincount(C.row, weights=C.data, minlength=n)
        w = C.data * (k1 + 1) / (C.data + k1 * (1 - b + b * dl[C.row] / dl.mean())) * idf[C.col]
        W = sp.csr_matrix((w, (C.row, C.col)), shape=C.shape)
        return _run_from_scores(Qc @ W.T, docs, queries, k)
    return ranker


#: Candidates in the order reported; the first marked default is the shipped pipeline.
CANDIDATES: dict[str, tuple[str, Ranker]] = {
    "words": ("sklearn TF-IDF, whitespace words (baseline)", sklearn_ranker(analyzer=str.split)),
    "words_sublinear": ("sklearn TF-IDF, whitespace words, sublinear tf",
                        sklearn_ranker(analyzer=str.split, sublinear_tf=True)),
    "char23": ("sklearn TF-IDF, char_wb (2,3) (baseline)",
               sklearn_ranker(analyzer="char_wb", ngram_range=(2, 3))),
    "char23_sublinear": ("sklearn TF-IDF, char_wb (2,3), sublinear tf",
                         sklearn_ranker(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)),
    "char13_sublinear": ("sklearn TF-IDF, char_wb (1,3), sublinear tf",
                         sklearn_ranker(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)),
    "char24_sublinear": ("sklearn TF-IDF, char_wb (2,4), sublinear tf",
                         sklearn_ranker(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)),
    "kiwi_sublinear": ("Kiwi morphemes, sublinear tf",
                       index_ranker(subwords=0.0, tf="sublinear")),
    "kiwi_bm25tf": ("Kiwi morphemes, BM25 tf saturation, cosine",
                    index_ranker(subwords=0.0, tf="bm25")),
    "kiwi_bigram_sublinear": ("Kiwi morphemes + bigrams, sublinear tf",
                              index_ranker(bigrams=True, subwords=0.0, tf="sublinear")),
    "kiwi_bigram_bm25tf": ("Kiwi morphemes + bigrams, BM25 tf saturation, cosine (old default)",
                           index_ranker(bigrams=True, subwords=0.0)),
    "kiwi_sub3": ("Kiwi morphemes + char-bigram subwords of Hangul terms ≥ 3 letters (0.2), BM25 tf",
                  index_ranker(subword_min_len=3)),
    "default": ("Kiwi morphemes + char-bigram subwords of Hangul terms (0.2), BM25 tf, cosine "
                "(DEFAULT)", index_ranker()),
    "default_allpairs64": ("DEFAULT, all-pairs mode: top-64 query features, top-100 re-scored",
                           index_ranker(search={"max_query_terms": 64, "rescore_depth": 100})),
    "default_allpairs32": ("DEFAULT, all-pairs mode: top-32 query features, top-100 re-scored",
                           index_ranker(search={"max_query_terms": 32, "rescore_depth": 100})),
    "default_char_fusion": ("DEFAULT fused 50/50 with char_wb (2,3) sublinear", fusion_ranker(0.5)),
    "bm25_kiwi": ("Okapi BM25 over Kiwi morphemes (reference, not a cosine)", bm25_ranker()),
}


def preanalyse(items: Sequence[Mapping]) -> list[dict]:
    """Attach default-pipeline tokens (``tokens``) so Kiwi runs once for all Kiwi candidates."""
    titles = DEFAULT_ANALYZER.analyse_many(i.get("title") or "" for i in items)
    texts = DEFAULT_ANALYZER.analyse_many(i.get("text") or "" for i in items)
    return [dict(i, tokens={"title": t, "text": x}) for i, t, x in zip(items, titles, texts)]


def run_candidates(docs, queries, qrels, names: Sequence[str], k: int = 10,
                   out=None) -> list[dict]:
    """Evaluate candidates by name and print a Markdown table row per candidate."""
    out = out if out is not None else sys.stdout
    t0 = time.perf_counter()
    docs, queries = preanalyse(docs), preanalyse(queries)
    print(f"analysed {len(docs)} docs + {len(queries)} queries with Kiwi in "
          f"{time.perf_counter() - t0:.1f} s", file=out)
    print(f"| candidate | nDCG@{k} | MRR@{k} | Recall@{k} | time (s) |", file=out)
    print("|---|---|---|---|---|", file=out)
    rows = []
    for name in names:
        label, ranker = CANDIDATES[name]
        t = time.perf_counter()
        m = evaluate_run(ranker(docs, queries, k), qrels, k)
        dt = time.perf_counter() - t
        rows.append(dict(m, name=name, label=label, seconds=dt))
        print(f"| `{name}`: {label} | {m[f'nDCG@{k}']:.4f} | {m[f'MRR@{k}']:.4f} | "
              f"{m[f'Recall@{k}']:.4f} | {dt:.1f} |", file=out, flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``python -m research.experiments korquad|domain|all|files ...``."""
    parser = argparse.ArgumentParser(prog="python -m research.experiments", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    kq = sub.add_parser("korquad", help="KorQuAD 1.0 dev as retrieval")
    kq.add_argument("--path", type=Path, default=None,
                    help="KorQuAD_v1.0_dev.json (default: ../shared/data/korquad/ from the repo)")
    kq.add_argument("--limit", type=int, default=0, help="use only the first N queries")
    dm = sub.add_parser("domain", help="the labelled CityMatch domain set (eval/domain/)")
    dm.add_argument("--dir", type=Path, default=None,
                    help="directory with docs.jsonl, queries.jsonl, qrels.txt "
                         "(default: eval/domain/ of the repository)")
    al = sub.add_parser("all", help="korquad, then domain")
    al.add_argument("--path", type=Path, default=None, help="KorQuAD file (as for korquad)")
    al.add_argument("--dir", type=Path, default=None, help="domain directory (as for domain)")
    al.add_argument("--limit", type=int, default=0, help="KorQuAD: use only the first N queries")
    fl = sub.add_parser("files", help="any docs/queries JSONL + TREC qrels")
    fl.add_argument("--docs", required=True)
    fl.add_argument("--queries", required=True)
    fl.add_argument("--qrels", required=True)
    for p in (kq, dm, al, fl):
        p.add_argument("--candidates", default=",".join(CANDIDATES),
                       help="comma-separated candidate names")
    args = parser.parse_args(argv)
    names = [n for n in args.candidates.split(",") if n]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates {unknown}; choose from {list(CANDIDATES)}")
    root = Path(__file__).resolve().parents[1]
    if args.command in ("korquad", "all"):
        path = args.path or root / KORQUAD_RELATIVE
        if not path.is_file():
            print(f"KorQuAD file not found at {path}; skipping.", file=sys.stderr)
        else:
            docs, queries, qrels = load_korquad(path)
            if args.limit:
                queries = queries[:args.limit]
                qrels = {q["id"]: qrels[q["id"]] for q in queries}
            print(f"## KorQuAD 1.0 dev: {len(docs)} documents, {len(queries)} queries", flush=True)
            run_candidates(docs, queries, qrels, names)
    if args.command in ("domain", "all"):
        folder = args.dir or root / DOMAIN_RELATIVE
        if not (folder / "docs.jsonl").is_file():
            print(f"domain set not found in {folder}; skipping.", file=sys.stderr)
        else:
            docs = load_jsonl(str(folder / "docs.jsonl"))
            queries = load_jsonl(str(folder / "queries.jsonl"), "queries")
            qrels = load_qrels(str(folder / "qrels.txt"))
            judged = sum(1 for r in qrels.values() if any(g > 0 for g in r.values()))
            print(f"## domain set: {len(docs)} documents, {len(queries)} queries "
                  f"({judged} with relevant documents)", flush=True)
            run_candidates(docs, queries, qrels, names)
    if args.command == "files":
        docs, queries = load_jsonl(args.docs), load_jsonl(args.queries, "queries")
        qrels = load_qrels(args.qrels)
        print(f"{len(docs)} documents, {len(queries)} queries", flush=True)
        run_candidates(docs, queries, qrels, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
