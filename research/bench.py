"""Performance benchmark on a seeded synthetic Korean smart-city corpus (not a test)."""
from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from typing import Sequence

import numpy as np

import matching.index
from matching.index import TextIndex
from matching.text import DEFAULT_ANALYZER, KoreanAnalyzer

_NOUNS = ("교통 버스 주차 주차장 정류장 신호 교차로 보행자 어르신 주민 마을 농촌 도심 공원 하천 홍수 침수 "
          "미세먼지 대기질 소음 쓰레기 재활용 에너지 태양광 전력 조명 가로등 방범 안전 재난 화재 지진 "
          "센서 플랫폼 데이터 관제 모니터링 예측 분석 서비스 시스템 앱 단말기 통신 네트워크 배터리 충전소 "
          "전기차 자전거 공유 킥보드 택시 지하철 물류 배송 창고 택배 병원 돌봄 복지 건강 의료 응급 "
          "학교 교육 학생 관광 축제 문화 체육 상권 시장 일자리 청년 주거 임대 건물 도로 교량 터널 "
          "상수도 하수도 누수 수질 온실 농업 드론 로봇 영상 카메라 인증 결제 민원 행정 예산 사업 "
          "실증 구축 운영 유지보수 효과 비용 절감 개선 문제 불편 수요 공급 정보 안내 알림").split()
_ACRONYMS = ("CCTV IoT AI DRT BIS ITS GIS 5G LTE LoRa BEMS ESS EV AR VR API GPS LiDAR UAM MaaS "
             "V2X ICT").split()
_ENGLISH = ("smart city platform cloud dashboard sensor network mobility data analytics open "
            "service digital twin edge computing").split()
_PARTICLES = "이 가 을 를 의 에 에서 으로 와 과 은 는 도 만 까지 부터".split()
_VERBS = ("설치하여 설치한 구축했습니다 운영합니다 개선하고 분석하여 예측하는 제공합니다 연계하여 "
          "도입하고자 합니다 필요합니다 부족합니다 발생하고 있습니다 줄이기 위해 확대하는 관리하며 "
          "감지하면 알려줍니다 활용한 지원합니다").split()


def _word(rng: random.Random) -> str:
    """One noun (Zipf-like popularity), acronym or English word, maybe with a particle."""
    r = rng.random()
    if r < 0.1:
        w = rng.choice(_ACRONYMS)
    elif r < 0.15:
        w = rng.choice(_ENGLISH)
    else:
        w = _NOUNS[min(int(rng.paretovariate(0.8)) - 1, len(_NOUNS) - 1)
                   if rng.random() < 0.5 else rng.randrange(len(_NOUNS))]
    if rng.random() < 0.6:
        w += rng.choice(_PARTICLES)
    return w


def sentence(rng: random.Random) -> str:
    """A sentence of 6–14 words ending with a verb phrase."""
    words = [_word(rng) for _ in range(rng.randint(5, 12))]
    words.insert(rng.randint(1, len(words)), rng.choice(_VERBS))
    return " ".join(words + [rng.choice(_VERBS)]) + "."


class SyntheticCorpus:
    """Seeded generator of documents of 80–300 words built from an analysed sentence pool."""

    def __init__(self, seed: int = 42, pool_size: int = 4000, analyzer=None):
        rng = random.Random(seed)
        self.rng = rng
        self.sentences = [sentence(rng) for _ in range(pool_size)]
        t = time.perf_counter()
        self.tokens = (analyzer or DEFAULT_ANALYZER).analyse_many(self.sentences)
        self.pool_seconds = time.perf_counter() - t
        self.lengths = [len(s.split()) for s in self.sentences]

    def document(self, doc_id, title_words: int = 4, words: int = 0) -> dict:
        """A document with raw text and its analysed tokens (same analysis as Kiwi on the text);
        ``words`` > 0: at least that many words of text (else 80–300)."""
        rng = self.rng
        target = words or rng.randint(80, 300)
        idx, n = [], 0
        while n < target:
            k = rng.randrange(len(self.sentences))
            idx.append(k)
            n += self.lengths[k]
        tk = rng.randrange(len(self.sentences))
        title_toks = self.tokens[tk][:title_words]
        return {"id": doc_id, "title": " ".join(self.sentences[tk].split()[:title_words]),
                "text": " ".join(self.sentences[k] for k in idx),
                "tokens": {"title": title_toks,
                           "text": [t for k in idx for t in self.tokens[k]]}}


def _rss_mib() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: Sequence[float], p: float) -> float:
    """Percentile in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000, p))


def run(sizes: Sequence[int], n_queries: int = 200, all_pairs_needs: int = 10_000,
        seed: int = 42, out=None, max_query_terms: int = 0, rescore_depth: int = 100,
        exact_sample: int = 300) -> list[dict]:
    """Run the benchmark for each corpus size and print a Markdown table."""
    out = out if out is not None else sys.stdout
    corpus = SyntheticCorpus(seed)
    sample = [corpus.document(f"s{i}") for i in range(300)]
    t = time.perf_counter()
    DEFAULT_ANALYZER.analyse_many(d["text"] for d in sample)
    analysis_rate = len(sample) / (time.perf_counter() - t)
    t = time.perf_counter()
    for d in sample[:100]:
        DEFAULT_ANALYZER(d["text"])
    single_ms = (time.perf_counter() - t) / 100 * 1000
    words = np.mean([len(d["text"].split()) for d in sample])
    short = [" ".join(d["text"].split()[:50]) for d in sample[100:200]]
    t = time.perf_counter()
    for text in short:
        DEFAULT_ANALYZER(text)
    short_ms = (time.perf_counter() - t) / len(short) * 1000
    print(f"analysis: {analysis_rate:.0f} docs/s batched, {single_ms:.1f} ms/doc single "
          f"(mean {words:.0f} words/doc), {short_ms:.1f} ms for a 50-word text",
          file=out, flush=True)
    rows = []
    for size in sizes:
        docs = [corpus.document(i) for i in range(size)]
        for d in docs:
            del d["text"], d["title"]  # build strictly from stored analysed text
        gc.collect()
        rss0 = _rss_mib()
        t = time.perf_counter()
        index = TextIndex(refit_every=None).fit(docs)
        build = time.perf_counter() - t
        rss_peak = _rss_mib()
        del docs
        gc.collect()
        queries = [corpus.document(f"q{i}") for i in range(n_queries)]
        lat = []
        for q in queries:
            t = time.perf_counter()
            index.search({"id": q["id"], "title": q["title"], "text": q["text"]}, top_k=10)
            lat.append(time.perf_counter() - t)
        lat_tok = []
        for q in queries:
            t = time.perf_counter()
            index.search({"id": q["id"], "tokens": q["tokens"]}, top_k=10)
            lat_tok.append(time.perf_counter() - t)
        upd = []
        for i in range(20):
            new = corpus.document(f"new{i}")
            raw = {"id": new["id"], "title": new["title"], "text": new["text"]}
            t = time.perf_counter()
            index.add([raw])
            hit = index.search(index.vector_of(new["id"]), top_k=1)
            upd.append(time.perf_counter() - t)
            assert hit and hit[0][0] == new["id"]
        t = time.perf_counter()
        index.refit()
        refit = time.perf_counter() - t
        n_needs = min(all_pairs_needs, max(size // 10, 1000))
        need_docs = [corpus.document(f"n{i}") for i in range(n_needs)]
        for d in need_docs:
            del d["text"], d["title"]
        t = time.perf_counter()
        Q = index.transform(need_docs)
        results = index.search_many(Q, top_k=10, chunk_size=512,
                                    max_query_terms=max_query_terms or None,
                                    rescore_depth=rescore_depth)
        pairs = time.perf_counter() - t
        assert len(results) == n_needs
        overlap = float("nan")
        if max_query_terms and exact_sample:
            # pruned mode: overlap of its top-10 with the exact top-10 on a sample of needs
            exact = index.search_many(Q[:exact_sample], top_k=10, chunk_size=512)
            overlap = float(np.mean([len({d for d, _ in a} & {d for d, _ in b}) / max(len(b), 1)
                                     for a, b in zip(results, exact)]))
        row = dict(size=size, build_s=build, index_mib=index.memory_bytes() / 2**20,
                   rss_growth_mib=rss_peak - rss0, p50_ms=_pct(lat, 50), p95_ms=_pct(lat, 95),
                   tok_p50_ms=_pct(lat_tok, 50), tok_p95_ms=_pct(lat_tok, 95),
                   update_ms=_pct(upd, 95), refit_s=refit, all_pairs_needs=n_needs,
                   all_pairs_s=pairs, overlap=overlap,
                   features=index.n_features_)
        rows.append(row)
        print(f"size {size}: {row}", file=out, flush=True)
        del index, Q, need_docs
        gc.collect()
    print("\n| solutions | build from analysed text (s) | index matrices (MiB) | peak RSS growth "
          "(MiB) | top-10 p50 (ms) | top-10 p95 (ms) | stored-token p50/p95 (ms) | add+visible p95 (ms) | IDF refit (s) | "
          "all-pairs needs | all-pairs top-10 (s) |", file=out)
    print("|---|---|---|---|---|---|---|---|---|---|---|", file=out)
    for r in rows:
        print(f"| {r['size']:,} | {r['build_s']:.1f} | {r['index_mib']:.0f} | "
              f"{r['rss_growth_mib']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
              f"{r['tok_p50_ms']:.1f} / {r['tok_p95_ms']:.1f} | "
              f"{r['update_ms']:.0f} | {r['refit_s']:.1f} | {r['all_pairs_needs']:,} | "
              f"{r['all_pairs_s']:.1f} |", file=out, flush=True)
    return rows


def _percentiles(seconds: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    ms = np.asarray(seconds) * 1000
    return tuple(float(np.percentile(ms, p)) for p in (50, 95, 99))


def _median_of_runs(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Per-percentile median over repeated runs."""
    return tuple(float(np.median([r[i] for r in runs])) for i in range(3))


def latency(sizes: Sequence[int], n_queries: int = 200, query_words: int = 200,
            repeats: int = 3, backend: str = "kiwi", seed: int = 42, out=None) -> list[dict]:
    """Single-query top-10 latency, ours against bm25s (numpy backend), in the same run.

    *Scoring only*: from the query's analysed tokens to the top 10 (our field weights, subwords
    and cosine; bm25s over the same terms). *Analysis included*: from the raw
    ``query_words``-word text (title + text) to the top 10, the analyser being ``backend`` for
    documents and queries alike. Each repeat times every query once per engine and mode,
    interleaved; the table gives the median over repeats of each percentile.
    """
    import bm25s

    out = out if out is not None else sys.stdout
    analyzer = KoreanAnalyzer(backend=backend)
    corpus = SyntheticCorpus(seed, analyzer=analyzer)
    rows = []
    for size in sizes:
        docs = [corpus.document(i) for i in range(size)]
        index = TextIndex(refit_every=None, analyzer=analyzer).fit(
            [{"id": d["id"], "tokens": d["tokens"]} for d in docs])
        bm25 = bm25s.BM25(backend="numpy")
        bm25.index([d["tokens"]["title"] + d["tokens"]["text"] for d in docs], show_progress=False)
        del docs
        gc.collect()
        queries = []
        for i in range(n_queries):
            q = corpus.document(f"q{i}", words=query_words)
            text = " ".join(q["text"].split()[:query_words - len(q["title"].split())])
            queries.append({"id": q["id"], "title": q["title"], "text": text})
        for q, toks in zip(queries, index.analyse_docs(queries)):
            q["tokens"] = toks

        def ours_tokens(q):
            index.search({"id": q["id"], "tokens": q["tokens"]}, top_k=10)

        def ours_text(q):
            index.search({"id": q["id"], "title": q["title"], "text": q["text"]}, top_k=10)

        def bm25_tokens(q):
            bm25.retrieve([q["tokens"]["title"] + q["tokens"]["text"]], k=10,
                          show_progress=False, n_threads=0)

        def bm25_text(q):
            toks = analyzer.analyse_many([q["title"], q["text"]])
            bm25.retrieve([toks[0] + toks[1]], k=10, show_progress=False, n_threads=0)

        timed = {"ours": (ours_tokens, ours_text), "bm25s": (bm25_tokens, bm25_text)}
        runs = {(e, m): [] for e in timed for m in (0, 1)}
        for fns in timed.values():  # warm-up
            for fn in fns:
                fn(queries[0])
        load = [os.getloadavg()[0]]
        for _ in range(repeats):
            for engine, fns in timed.items():
                for mode, fn in enumerate(fns):
                    lat = []
                    for q in queries:
                        t = time.perf_counter()
                        fn(q)
                        lat.append(time.perf_counter() - t)
                    runs[(engine, mode)].append(_percentiles(lat))
            load.append(os.getloadavg()[0])
        for engine in timed:
            row = dict(size=size, engine=engine, backend=backend,
                       scoring=_median_of_runs(runs[(engine, 0)]),
                       analysed=_median_of_runs(runs[(engine, 1)]),
                       load=(min(load), max(load)))
            rows.append(row)
            print(f"size {size}: {row}", file=out, flush=True)
        del index, bm25
        gc.collect()
    print(f"\n| solutions | engine | scoring only p50 / p95 / p99 (ms) | analysis included "
          f"({query_words}-word query, {backend}) p50 / p95 / p99 (ms) | load average |", file=out)
    print("|---|---|---|---|---|", file=out)
    for r in rows:
        print(f"| {r['size']:,} | {r['engine']} | " + " / ".join(f"{v:.1f}" for v in r["scoring"])
              + " | " + " / ".join(f"{v:.1f}" for v in r["analysed"])
              + f" | {r['load'][0]:.1f}–{r['load'][1]:.1f} |", file=out, flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m research.bench [--sizes 1000,10000,100000]``."""
    parser = argparse.ArgumentParser(prog="python -m research.bench", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated solution counts")
    parser.add_argument("--queries", type=int, default=200, help="single-need queries timed")
    parser.add_argument("--all-pairs-needs", type=int, default=10_000,
                        help="needs in the all-pairs run (capped at max(size/10, 1000))")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-query-terms", type=int, default=0,
                        help="all-pairs: keep only this many query features to generate "
                             "candidates (0 = exact, the default)")
    parser.add_argument("--rescore-depth", type=int, default=100,
                        help="candidates per need re-scored exactly in the all-pairs pass")
    parser.add_argument("--exact-sample", type=int, default=300,
                        help="pruned mode: needs also run exactly to measure top-10 overlap")
    parser.add_argument("--latency", action="store_true",
                        help="only the single-query latency table against bm25s")
    parser.add_argument("--backend", default="kiwi", choices=("kiwi", "mecab"),
                        help="--latency: morphological analyser of documents and queries")
    parser.add_argument("--query-words", type=int, default=200, help="--latency: query length")
    parser.add_argument("--repeats", type=int, default=3,
                        help="--latency: timed passes over the queries (median reported)")
    parser.add_argument("--blas-threads", default="1",
                        help="--latency: BLAS threads for one query's scoring: a number, auto "
                             "(by load average) or default (the BLAS library's own)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes must be comma-separated integers")
    if args.latency:
        threads = args.blas_threads
        matching.index.SEARCH_BLAS_THREADS = (None if threads == "default" else
                                              threads if threads == "auto" else int(threads))
        latency(sizes, args.queries, args.query_words, args.repeats, args.backend, args.seed)
        return 0
    run(sizes, args.queries, args.all_pairs_needs, args.seed, max_query_terms=args.max_query_terms,
        rescore_depth=args.rescore_depth, exact_sample=args.exact_sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
