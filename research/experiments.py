"""Compare candidate text pipelines on the retrieval sets of ``research.datasets`` (or any files)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from matching.evaluation import Run, evaluate_run, load_jsonl, load_qrels
from matching.index import RETRIEVAL, RETRIEVAL_SUM, TextIndex, top_k_pairs
from matching.text import DEFAULT_ANALYZER, normalize
from research.datasets import SETS, first_queries, held_out

#: The four pipelines every set is reported with (the default and the three required baselines).
CORE = ("default", "char23", "word_tfidf", "bm25s")

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


def bm25s_ranker(k1: float = 1.5, b: float = 0.75, stemmer: bool = False) -> Ranker:
    """``bm25s`` (numpy backend) with its own tokenizer: lower-cased ``\\w\\w+`` words, English
    stop words, optionally PyStemmer's English stemmer."""
    def ranker(docs, queries, k):
        import bm25s

        stem = None
        if stemmer:
            import Stemmer

            stem = Stemmer.Stemmer("english").stemWords
        def tok(items):
            return bm25s.tokenize([_full_text(i) for i in items], stopwords="english",
                                  stemmer=stem, return_ids=False, show_progress=False)
        model = bm25s.BM25(k1=k1, b=b, backend="numpy")
        model.index(tok(docs), show_progress=False)
        found, scores = model.retrieve(tok(queries), k=min(k, len(docs)), show_progress=False,
                                       n_threads=1, backend_selection="numpy")
        ids = [str(d["id"]) for d in docs]
        return {str(q["id"]): [(ids[j], float(v)) for j, v in zip(found[i], scores[i]) if v > 0]
                for i, q in enumerate(queries)}
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
    "word_tfidf": ("sklearn TF-IDF, default word tokens (lower-cased \\w\\w+) (baseline)",
                   sklearn_ranker()),
    "bm25s": ("bm25s 0.3.16, numpy backend, own tokenizer + English stop words, k1 1.5 b 0.75 "
              "(baseline)", bm25s_ranker()),
    "bm25s_stem": ("bm25s as above + PyStemmer English stemmer (reference)",
                   bm25s_ranker(stemmer=True)),
    "words": ("sklearn TF-IDF, whitespace words", sklearn_ranker(analyzer=str.split)),
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
    "cosine": ("Kiwi morphemes + char-bigram subwords of Hangul terms (0.2), BM25 tf, cosine "
               "(TextIndex() default: the recommender's symmetric score)", index_ranker()),
    "default": ("DEFAULT (CLI rank/evaluate, RETRIEVAL preset): bounded BM25 (k1 0.9) over the "
                "analysed terms + subwords and raw-text char_wb (2,3) cosine (each field once), "
                "each divided by its best score for the query, fused 0.7/0.3",
                index_ranker(**RETRIEVAL)),
    "default_nochar": ("DEFAULT without the char n-gram block (bounded BM25 only)",
                       index_ranker(**dict(RETRIEVAL, char_ngrams=0.0))),
    "default_sum": ("previous default (RETRIEVAL_SUM): bounded BM25 + char cosine with field "
                    "weights, summed 0.8/0.2 without normalisation", index_ranker(**RETRIEVAL_SUM)),
    "cosine_char": ("cosine fused 0.8/0.2 with raw-text char_wb (2,3), symmetric",
                    index_ranker(char_ngrams=0.2)),
    "default_allpairs64": ("DEFAULT, all-pairs mode: top-64 query features, top-100 re-scored",
                           index_ranker(search={"max_query_terms": 64, "rescore_depth": 100},
                                        **RETRIEVAL)),
    "default_allpairs32": ("DEFAULT, all-pairs mode: top-32 query features, top-100 re-scored",
                           index_ranker(search={"max_query_terms": 32, "rescore_depth": 100},
                                        **RETRIEVAL)),
    "default_char_fusion": ("cosine fused 50/50 with sklearn char_wb (2,3) sublinear (earlier experiment)", fusion_ranker(0.5)),
    "bm25_kiwi": ("Okapi BM25 over Kiwi morphemes (reference, not a cosine)", bm25_ranker()),
}


def preanalyse(items: Sequence[Mapping]) -> list[dict]:
    """Attach default-pipeline tokens (``tokens``) so Kiwi runs once for all Kiwi candidates."""
    titles = DEFAULT_ANALYZER.analyse_many(i.get("title") or "" for i in items)
    texts = DEFAULT_ANALYZER.analyse_many(i.get("text") or "" for i in items)
    return [dict(i, tokens={"title": t, "text": x}) for i, t, x in zip(items, titles, texts)]


def precision_at(run: Run, qrels, k: int = 5) -> float:
    """Mean P@k (relevant = grade ≥ 1 among the first k, divided by k) over judged queries."""
    values = []
    for qid, rels in qrels.items():
        relevant = {d for d, g in rels.items() if g > 0}
        if relevant:
            ranked = [str(d) for d, _ in run.get(qid, [])][:k]
            values.append(sum(1 for d in ranked if d in relevant) / k)
    return sum(values) / len(values) if values else 0.0


def measure(run: Run, qrels, k: int = 10) -> dict:
    """nDCG@k, MRR@k, Recall@k and P@5 of one run."""
    return dict(evaluate_run(run, qrels, k), **{"P@5": precision_at(run, qrels, 5)})


def run_candidates(docs, queries, qrels, names: Sequence[str], k: int = 10, out=None,
                   subsets: Mapping[str, Mapping] | None = None) -> list[dict]:
    """Evaluate candidates by name and print a Markdown table row per candidate.

    ``subsets`` maps a label to a part of ``qrels`` (e.g. the held-out third) reported on the
    same runs in a second table.
    """
    out = out if out is not None else sys.stdout
    t0 = time.perf_counter()
    docs, queries = preanalyse(docs), preanalyse(queries)
    print(f"analysed {len(docs)} docs + {len(queries)} queries with Kiwi in "
          f"{time.perf_counter() - t0:.1f} s", file=out)
    header = (f"| candidate | nDCG@{k} | MRR@{k} | Recall@{k} | P@5 | time (s) |\n"
              "|---|---|---|---|---|---|")
    print(header, file=out)
    rows, runs = [], {}
    for name in names:
        label, ranker = CANDIDATES[name]
        t = time.perf_counter()
        try:
            runs[name] = ranker(docs, queries, k)
        except ModuleNotFoundError as missing:  # a baseline from requirements-bench.txt
            print(f"{name}: {missing.name} is not installed "
                  "(pip install -r requirements-bench.txt); skipping.", file=sys.stderr)
            continue
        dt = time.perf_counter() - t
        m = measure(runs[name], qrels, k)
        rows.append(dict(m, name=name, label=label, seconds=dt))
        print(_row(name, label, m, k, f"{dt:.1f}"), file=out, flush=True)
    for sub_label, sub_qrels in (subsets or {}).items():
        n = sum(1 for r in sub_qrels.values() if any(g > 0 for g in r.values()))
        print(f"\n{sub_label} ({n} queries with relevant documents):", file=out)
        print(header, file=out)
        for name in (n for n in names if n in runs):
            m = measure(runs[name], sub_qrels, k)
            rows.append(dict(m, name=name, label=CANDIDATES[name][0], subset=sub_label))
            print(_row(name, CANDIDATES[name][0], m, k, "–"), file=out, flush=True)
    return rows


def _row(name: str, label: str, m: Mapping, k: int, seconds: str) -> str:
    """One Markdown table row of metrics."""
    return (f"| `{name}`: {label} | {m[f'nDCG@{k}']:.4f} | {m[f'MRR@{k}']:.4f} | "
            f"{m[f'Recall@{k}']:.4f} | {m['P@5']:.4f} | {seconds} |")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``python -m research.experiments SET[,SET…]|all|files ...``."""
    parser = argparse.ArgumentParser(prog="python -m research.experiments", description=__doc__)
    parser.add_argument("sets", help="comma-separated sets (" + ", ".join(SETS) + "), 'all', "
                        "or 'files' (with --docs, --queries, --qrels)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="shared data directory (default: ../shared/data from the repo)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="domain set directory (default: eval/domain/ of the repository)")
    parser.add_argument("--limit", type=int, default=0,
                        help="use only the first N queries of each set (and their qrels)")
    parser.add_argument("--docs")
    parser.add_argument("--queries")
    parser.add_argument("--qrels")
    parser.add_argument("--candidates", default=",".join(CORE),
                        help="comma-separated candidate names, or 'every' "
                        f"(default: {','.join(CORE)})")
    args = parser.parse_args(argv)
    names = list(CANDIDATES) if args.candidates == "every" else \
        [n for n in args.candidates.split(",") if n]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates {unknown}; choose from {list(CANDIDATES)}")
    if args.sets == "files":
        if not (args.docs and args.queries and args.qrels):
            parser.error("files needs --docs, --queries and --qrels")
        docs, queries = load_jsonl(args.docs), load_jsonl(args.queries, "queries")
        qrels = load_qrels(args.qrels)
        print(f"{len(docs)} documents, {len(queries)} queries", flush=True)
        run_candidates(docs, queries, qrels, names)
        return 0
    chosen = list(SETS) if args.sets == "all" else [n for n in args.sets.split(",") if n]
    if any(n not in SETS for n in chosen):
        parser.error(f"unknown sets {[n for n in chosen if n not in SETS]}; choose from {list(SETS)}")
    root = Path(__file__).resolve().parents[1]
    shared = args.shared or root.parent / "shared" / "data"
    for name in chosen:
        info = SETS[name]
        loaded = _load_domain_dir(args.dir) if name == "domain" and args.dir else \
            info.load(root, shared)
        if loaded is None:
            print(f"{name}: source not found; skipping.", file=sys.stderr)
            continue
        docs, queries, qrels = first_queries(loaded, args.limit)
        judged = sum(1 for r in qrels.values() if any(g > 0 for g in r.values()))
        print(f"\n## {name}: {info.about}\n{len(docs)} documents, {len(queries)} queries "
              f"({judged} with relevant documents)", flush=True)
        subsets = {"held-out third (test)": held_out(qrels, True),
                   "other two thirds (train)": held_out(qrels, False)} if name == "domain" else None
        run_candidates(docs, queries, qrels, names, subsets=subsets)
    return 0


def _load_domain_dir(folder: Path):
    """The domain set from another directory (``--dir``)."""
    from research.datasets import load_domain

    return load_domain(folder)


if __name__ == "__main__":
    sys.exit(main())
