"""CLI contract: TREC output, metrics, and clean errors for bad input.

Most cases call ``matching.cli.main(argv)`` in-process (one shared Kiwi instance, no interpreter
start-up per case); a few run ``python -m matching`` as a real subprocess to check exit codes
and that no traceback reaches the terminal.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = [{"id": "d1", "title": "수요응답형 교통", "text": "농촌 버스 배차 간격 문제를 DRT로 해결"},
        {"id": "d2", "title": "스마트 폴", "text": "CCTV와 IoT 센서"},
        {"id": "d3", "title": "스마트 폴", "text": "CCTV와 IoT 센서"}]
QUERIES = [{"id": "q1", "title": "", "text": "버스가 안 와요 DRT"},
           {"id": "q2", "title": "방범 CCTV", "text": ""}]


class Result:
    """Exit code and captured output of one CLI call (in-process or subprocess)."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cli(capsys):
    """Call ``main(argv)`` in-process and capture its exit code (argparse exits too) and output."""
    def call(*args):
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return Result(code, out, err)
    return call


def subprocess_cli(*args):
    return subprocess.run([sys.executable, "-m", "matching", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    d = write_jsonl(tmp_path / "docs.jsonl", DOCS)
    q = write_jsonl(tmp_path / "queries.jsonl", QUERIES)
    qrels = tmp_path / "qrels"
    qrels.write_text("q1 0 d1 1\nq2 0 d2 1\n")
    return d, q, qrels


def test_rank_writes_trec_run(cli, files):
    d, q, _ = files
    out = cli("rank", "--docs", d, "--queries", q, "--top-k", 2)
    assert out.returncode == 0, out.stderr
    lines = [ln.split() for ln in out.stdout.strip().splitlines()]
    assert all(len(p) == 6 and p[1] == "Q0" for p in lines)
    q1 = [p for p in lines if p[0] == "q1"]
    assert q1[0][2] == "d1" and q1[0][3] == "1"
    q2 = [p for p in lines if p[0] == "q2"]
    assert [p[2] for p in q2] == ["d2", "d3"] and [p[3] for p in q2] == ["1", "2"]
    assert cli("rank", "--docs", d, "--queries", q, "--top-k", 2).stdout == out.stdout


def test_evaluate_prints_metrics(cli, files):
    d, q, qrels = files
    out = cli("evaluate", "--docs", d, "--queries", q, "--qrels", qrels)
    assert out.returncode == 0, out.stderr
    assert "nDCG@10\t1.0000" in out.stdout and "MRR@10" in out.stdout and "Recall@10" in out.stdout


@pytest.mark.parametrize("content,message", [
    ('{"id": "x", "title": "a", "text": "b"}\nnot json\n', "malformed JSON"),
    ('{"id": "x", "title": "", "text": "  "}\n', "empty text"),
    ('{"id": "x", "text": "교통"}\n{"id": "x", "text": "버스"}\n', "duplicate id"),
    ('{"title": "교통", "text": "버스"}\n', 'missing "id"'),
    ('["x"]\n', "expected a JSON object"),
    ('{"id": "x", "text": 5}\n', "must be a string"),
    ('', "empty"),
])
def test_bad_docs_give_clear_error(cli, tmp_path, files, content, message):
    _, q, _ = files
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, "utf-8")
    for args in (("rank", "--docs", bad, "--queries", q), ("rank", "--docs", q, "--queries", bad)):
        out = cli(*args)
        assert out.returncode == 1
        assert message in out.stderr and "Traceback" not in out.stderr + out.stdout


def test_missing_files_and_bad_qrels(cli, tmp_path, files):
    d, q, _ = files
    out = cli("rank", "--docs", tmp_path / "nope.jsonl", "--queries", q)
    assert out.returncode == 1 and "not found" in out.stderr and "Traceback" not in out.stderr
    out = cli("evaluate", "--docs", d, "--queries", q, "--qrels", tmp_path / "nope")
    assert out.returncode == 1 and "qrels file not found" in out.stderr
    bad = tmp_path / "qrels.bad"
    bad.write_text("q1 d1 1\n")
    out = cli("evaluate", "--docs", d, "--queries", q, "--qrels", bad)
    assert out.returncode == 1 and "expected 'qid 0 docid grade'" in out.stderr
    bad.write_bytes(b"\xff\xfe\x00")
    out = cli("rank", "--docs", bad, "--queries", q)
    assert out.returncode == 1 and "UTF-8" in out.stderr and "Traceback" not in out.stderr


def test_usage_errors(cli, files):
    d, q, _ = files
    out = cli("rank", "--docs", d)
    assert out.returncode == 2 and "required" in out.stderr and "Traceback" not in out.stderr
    out = cli("rank", "--docs", d, "--queries", q, "--top-k", 0)
    assert out.returncode == 1 and "--top-k" in out.stderr
    out = cli("frobnicate")
    assert out.returncode == 2 and "Traceback" not in out.stderr


# ---------------------------------------------------------------- real subprocesses (few)
def test_subprocess_bad_input_exit_code_without_traceback(tmp_path, files):
    _, q, _ = files
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "x", "text": "교통"}, {"id": "x", "text": "a"}])
    out = subprocess_cli("rank", "--docs", bad, "--queries", q)
    assert out.returncode == 1 and "duplicate id" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout and out.stdout == ""


def test_subprocess_usage_error_exit_code(files):
    d, _, _ = files
    out = subprocess_cli("rank", "--docs", d)
    assert out.returncode == 2 and "required" in out.stderr and "Traceback" not in out.stderr


def test_rank_accepts_unicode_line_separators_inside_strings(cli, tmp_path):
    """U+2028, U+2029 and U+0085 inside a JSON string do not end the line; CRLF files work too."""
    docs = [{"id": "d1", "title": "수요응답형 교통\u2028버스", "text": "농촌 버스\u2029배차\u0085DRT"},
            {"id": "d2", "title": "스마트 폴", "text": "CCTV와 IoT 센서"}]
    d = tmp_path / "docs.jsonl"
    d.write_text("".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in docs), "utf-8")
    assert "\u2028" in d.read_text("utf-8")  # written raw, not as a \\u escape
    q = write_jsonl(tmp_path / "queries.jsonl", [{"id": "q1", "text": "버스\u2028DRT 배차"}])
    out = cli("rank", "--docs", d, "--queries", q, "--top-k", 2)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0].split()
    assert first[:3] == ["q1", "Q0", "d1"]
