"""The labelled domain set (eval/domain/): the default must beat both required baselines."""
from pathlib import Path

import pytest

from matching.evaluation import evaluate, evaluate_run, load_jsonl, load_qrels
from research.experiments import CANDIDATES, main as experiments_main, preanalyse

DOMAIN = Path(__file__).resolve().parents[2] / "eval" / "domain"
pytestmark = pytest.mark.skipif(not (DOMAIN / "qrels.txt").is_file(),
                                reason=f"domain set not found in {DOMAIN}")


@pytest.fixture(scope="module")
def domain():
    docs = load_jsonl(DOMAIN / "docs.jsonl")
    queries = load_jsonl(DOMAIN / "queries.jsonl", "queries")
    return docs, queries, load_qrels(DOMAIN / "qrels.txt")


@pytest.mark.slow
def test_default_beats_baselines_on_domain_set(domain):
    docs, queries, qrels = domain
    pd, pq = preanalyse(docs), preanalyse(queries)
    default = evaluate_run(CANDIDATES["default"][1](pd, pq, 10), qrels)
    char = evaluate_run(CANDIDATES["char23"][1](docs, queries, 10), qrels)
    words = evaluate_run(CANDIDATES["words"][1](docs, queries, 10), qrels)
    assert default["queries"] == 79
    for metric in ("nDCG@10", "MRR@10"):
        assert default[metric] > char[metric] and default[metric] > words[metric]
    # the CLI / evaluate() path uses the same default pipeline
    assert evaluate(docs, queries, qrels)["nDCG@10"] == pytest.approx(default["nDCG@10"], abs=1e-3)


def test_experiments_domain_command(capsys):
    assert experiments_main(["domain", "--candidates", "words,default"]) == 0
    out = capsys.readouterr().out
    assert "## domain: " in out and "142 documents, 84 queries (79 with relevant documents)" in out
    assert "| `words`" in out and "| `default`" in out
    assert "held-out third (test) (29 queries with relevant documents)" in out
