"""KorQuAD 1.0 dev as retrieval (skips cleanly when ../shared/data is absent)."""
from pathlib import Path

import pytest

from matching.evaluation import evaluate, evaluate_run, load_korquad
from research.experiments import CANDIDATES, preanalyse

KORQUAD = (Path(__file__).resolve().parents[2].parent / "shared" / "data" / "korquad"
           / "KorQuAD_v1.0_dev.json")
pytestmark = pytest.mark.skipif(not KORQUAD.is_file(), reason=f"KorQuAD data not found at {KORQUAD}")


@pytest.fixture(scope="module")
def subset():
    docs, queries, qrels = load_korquad(KORQUAD)
    docs, queries = docs[:200], [q for q in queries if next(iter(qrels[q["id"]])) in
                                 {d["id"] for d in docs[:200]}][:400]
    return docs, queries, {q["id"]: qrels[q["id"]] for q in queries}


def test_loader_shape():
    docs, queries, qrels = load_korquad(KORQUAD)
    assert len(docs) == 961 and len(queries) == 5774
    assert all(len(r) == 1 for r in qrels.values())


@pytest.mark.slow
def test_default_beats_sklearn_baselines_on_subset(subset):
    docs, queries, qrels = subset
    pd, pq = preanalyse(docs), preanalyse(queries)
    default = evaluate_run(CANDIDATES["default"][1](pd, pq, 10), qrels)
    char = evaluate_run(CANDIDATES["char23"][1](docs, queries, 10), qrels)
    words = evaluate_run(CANDIDATES["words"][1](docs, queries, 10), qrels)
    assert default["nDCG@10"] > char["nDCG@10"] > words["nDCG@10"]
    assert default["nDCG@10"] > 0.9
    assert evaluate(docs, queries, qrels)["nDCG@10"] == pytest.approx(default["nDCG@10"], abs=1e-3)
