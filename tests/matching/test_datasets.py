"""Retrieval sets built at run time (research.datasets) on tiny inline data."""
import importlib.util
import json

from research.datasets import (
    SETS, debian_descriptions, debian_pairs, held_out, load_debian, load_petitions,
    petition_titles,
)
from research.experiments import main as experiments_main, precision_at

STATUS = """Package: libfoo1
Status: install ok installed
Description: parsing library for foo files
 Foo files are parsed quickly.
 .
 This package holds the shared library.
Homepage: https://example.org

Package: libfoo-dev
Description: parsing library for foo files - development files
 Foo files are parsed quickly.
 .
 This package holds the shared library.

Package: tinytool
Description: a tiny tool
 Does one thing well.

Package: nodesc
Version: 1

Package: emptylong
Description: nothing more to say
"""


def test_debian_pairs_unfold_the_long_description():
    pairs = debian_pairs(STATUS)
    assert pairs[0] == ("parsing library for foo files",
                        "Foo files are parsed quickly.\n\nThis package holds the shared library.")
    assert len(pairs) == 4  # the package without a Description field has none


def test_debian_set_merges_identical_texts_and_drops_empty_ones():
    docs, queries, qrels = debian_descriptions(STATUS)
    assert [d["text"].split("\n")[0] for d in docs] == ["Foo files are parsed quickly.",
                                                        "Does one thing well."]
    assert [q["text"] for q in queries] == ["parsing library for foo files",
                                            "parsing library for foo files - development files",
                                            "a tiny tool"]
    assert qrels == {"deb-q0": {"deb-d0": 1}, "deb-q1": {"deb-d0": 1}, "deb-q2": {"deb-d1": 1}}


def test_petition_titles_find_their_content():
    rows = [{"title": "가로등 설치", "content": "골목이 어둡습니다", "category": "안전"},
            {"title": "가로등 설치", "content": "공원이 어둡습니다", "category": "안전"},
            {"title": "", "content": "제목 없음"}]
    docs, queries, qrels = petition_titles(json.dumps(r, ensure_ascii=False) for r in rows)
    assert len(docs) == 2 and len(queries) == 1
    assert qrels == {"pet-q0": {"pet-d0": 1, "pet-d1": 1}}


def test_missing_sources_are_none(tmp_path):
    assert load_debian(tmp_path / "status") is None
    assert load_petitions(tmp_path) is None
    assert SETS["korquad"].load(tmp_path, tmp_path) is None
    assert SETS["domain"].load(tmp_path, tmp_path) is None


def test_held_out_third_follows_the_shared_rule():
    qrels = {"n-000000000c": {"s-1": 2}, "n-000000000d": {"s-1": 1}}  # 12 % 3 == 0, 13 % 3 == 1
    assert list(held_out(qrels, True)) == ["n-000000000c"]
    assert list(held_out(qrels, False)) == ["n-000000000d"]


def test_precision_at_five_divides_by_five():
    run = {"q": [("a", 0.9), ("x", 0.5), ("b", 0.4)]}
    assert precision_at(run, {"q": {"a": 1, "b": 2, "c": 1}}, 5) == 2 / 5


def test_experiments_skip_absent_sets_and_run_present_ones(tmp_path, capsys):
    shared = tmp_path / "shared"
    (shared / "petitions").mkdir(parents=True)
    lines = [{"title": f"{w} 문제", "content": f"{w} 문제가 심각합니다. 대책이 필요합니다."}
             for w in ("가로등", "주차", "소음", "침수", "미세먼지", "쓰레기")]
    (shared / "petitions" / "p.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    assert experiments_main(["korquad,petitions", "--shared", str(shared),
                             "--candidates", "default,char23,word_tfidf,bm25s"]) == 0
    out, err = capsys.readouterr()
    assert "korquad: source not found; skipping." in err
    assert "6 documents, 6 queries (6 with relevant documents)" in out
    default_row = next(ln for ln in out.splitlines() if ln.startswith("| `default`"))
    assert default_row.split("|")[2].strip() == "1.0000"  # every title finds its content first
    if importlib.util.find_spec("bm25s") is None:  # a bench-only package (requirements-bench.txt)
        assert "bm25s: bm25s is not installed" in err and "| `bm25s`" not in out
    else:
        assert "| `bm25s`" in out
