"""The labelled domain set (eval/domain/): its build script, and the default must beat both baselines."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from matching.evaluation import evaluate, evaluate_run, load_jsonl, load_qrels
from research.experiments import CANDIDATES, main as experiments_main, preanalyse

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "eval" / "domain"
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
    assert default["queries"] == _needs_with_relevant()
    for metric in ("nDCG@10", "MRR@10"):
        assert default[metric] > char[metric] and default[metric] > words[metric]
    # the CLI / evaluate() path uses the same default pipeline
    assert evaluate(docs, queries, qrels)["nDCG@10"] == pytest.approx(default["nDCG@10"], abs=1e-3)


def test_experiments_domain_command(capsys):
    assert experiments_main(["domain", "--candidates", "words,default"]) == 0
    out = capsys.readouterr().out
    queries = len((DOMAIN / "queries.jsonl").read_text(encoding="utf-8").splitlines())
    assert "## domain: " in out
    assert (f"142 documents, {queries} queries "
            f"({_needs_with_relevant()} with relevant documents)") in out
    assert "| `words`" in out and "| `default`" in out
    held_out = {line.split()[0] for line in (DOMAIN / "qrels.txt").read_text().splitlines()
                if int(line.split()[0][2:], 16) % 3 == 0}
    assert f"held-out third (test) ({len(held_out)} queries with relevant documents)" in out


def _needs_with_relevant() -> int:
    return len({line.split()[0] for line in (DOMAIN / "qrels.txt").read_text().splitlines()})


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(root / "eval" / "domain" / "build.py"), *args],
                          capture_output=True, text=True)


def _write_extra_need(folder: Path, title: str) -> dict:
    """A copy of the first demo need under a new title, as needs_extra_zz.json."""
    need = dict(json.loads((ROOT / "app" / "data" / "demo" / "needs.json")
                           .read_text(encoding="utf-8"))[0], title=title)
    (folder / "needs_extra_zz.json").write_text(json.dumps([need], ensure_ascii=False),
                                                encoding="utf-8")
    return need


@pytest.fixture()
def domain_copy(tmp_path):
    """The build script, the labels and the reference data in a scratch repository layout."""
    shutil.copytree(ROOT / "app" / "data", tmp_path / "app" / "data")
    target = tmp_path / "eval" / "domain"
    target.mkdir(parents=True)
    for pattern in ("build.py", "needs_extra_*.json", "judgments*.tsv"):
        for path in DOMAIN.glob(pattern):
            shutil.copy(path, target / path.name)
    return tmp_path


def test_generated_files_are_up_to_date():
    result = _build(ROOT, "--check")
    assert result.returncode == 0, result.stderr


def test_every_labelled_need_is_a_query_and_splits_follow_the_key_rule():
    queries = _jsonl(DOMAIN / "queries.jsonl")
    extra = [n for p in sorted(DOMAIN.glob("needs_extra_*.json"))
             for n in json.loads(p.read_text(encoding="utf-8"))]
    demo = json.loads((ROOT / "app" / "data" / "demo" / "needs.json").read_text(encoding="utf-8"))
    assert len(queries) == len(demo) + len(extra)
    for item in queries + _jsonl(DOMAIN / "docs.jsonl"):
        assert item["split"] == ("test" if int(item["id"][2:], 16) % 3 == 0 else "train")
    assert {q["split"] for q in queries} == {"train", "test"}


def test_the_domain_set_is_large_enough_to_hold_out_a_third():
    queries = _jsonl(DOMAIN / "queries.jsonl")
    judged = {line.split()[0] for line in (DOMAIN / "qrels.txt").read_text().splitlines()}
    held_out = [q for q in queries if q["split"] == "test"]
    assert len(queries) >= 150
    assert len(held_out) >= 45 and sum(q["id"] in judged for q in held_out) >= 40
    assert len(queries) - len(judged) >= 10  # needs nothing fits: the honest empty list


def test_reverse_direction_is_the_transposed_judgment_set():
    forward = {tuple(line.split()) for line in (DOMAIN / "qrels.txt").read_text().splitlines()}
    reverse = {tuple(line.split()) for line in
               (DOMAIN / "reverse" / "qrels.txt").read_text().splitlines()}
    assert reverse == {(d, it, q, g) for q, it, d, g in forward}
    assert _jsonl(DOMAIN / "reverse" / "docs.jsonl") == _jsonl(DOMAIN / "queries.jsonl")
    assert _jsonl(DOMAIN / "reverse" / "queries.jsonl") == _jsonl(DOMAIN / "docs.jsonl")


def test_a_new_needs_and_judgments_pair_is_picked_up(domain_copy):
    folder = domain_copy / "eval" / "domain"
    need = _write_extra_need(folder, "시험용 새 수요")
    with (folder / "judgments_extra_zz.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["need_municipality", "need_title", "solution_company",
                         "solution_title", "grade"])
        writer.writerow([need["municipality"], need["title"], "한빛모빌리티",
                         "한빛 콜버스 DRT 플랫폼", "2"])
    assert _build(domain_copy).returncode == 0
    before = len(_jsonl(DOMAIN / "queries.jsonl"))
    queries = _jsonl(folder / "queries.jsonl")
    assert len(queries) == before + 1 and queries[-1]["title"] == "시험용 새 수요"
    reverse = (folder / "reverse" / "qrels.txt").read_text().splitlines()
    assert sum(line.endswith(f" {queries[-1]['id']} 2") for line in reverse) == 1


@pytest.mark.parametrize("row, message", [
    (["경기도 화성시", "없는 수요", "", "", "0"], "unknown need"),
    (["경기도 화성시", "서부권 농촌 마을 수요응답형 교통(DRT) 도입", "새싹코딩",
      "찾아가는 AI·로봇 코딩 교실", "1"], "not recommendable"),
    (["경기도 화성시", "서부권 농촌 마을 수요응답형 교통(DRT) 도입", "한빛모빌리티",
      "없는 솔루션", "1"], "unknown solution"),
    (["경기도 화성시", "서부권 농촌 마을 수요응답형 교통(DRT) 도입", "한빛모빌리티",
      "한빛 콜버스 DRT 플랫폼", "2"], "already judged in another file"),
])
def test_bad_judgments_fail_and_write_nothing(domain_copy, row, message):
    folder = domain_copy / "eval" / "domain"
    with (folder / "judgments_extra_zz.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["need_municipality", "need_title", "solution_company",
                         "solution_title", "grade"])
        writer.writerow(row)
    result = _build(domain_copy)
    assert result.returncode == 2 and message in result.stderr
    assert not (folder / "queries.jsonl").exists() and not (folder / "reverse").exists()


def test_an_unjudged_evaluation_need_fails(domain_copy):
    folder = domain_copy / "eval" / "domain"
    _write_extra_need(folder, "판정 없는 수요")
    result = _build(domain_copy)
    assert result.returncode == 2 and "without judgments" in result.stderr
