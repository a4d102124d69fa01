"""The English evaluation set (eval/english/): the Korean set's ids, splits and labels, in English."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "eval" / "domain"
ENGLISH = ROOT / "eval" / "english"
DEMO = ROOT / "app" / "data" / "demo"
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
ENGLISH_WORDS = {"the", "and", "to", "of", "a", "in", "for", "with", "is", "are", "we"}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(root / "eval" / "english" / "build.py"), *args],
                          capture_output=True, text=True)


def _assert_english(text: str, where: str) -> None:
    assert text.strip(), f"{where}: empty"
    assert not HANGUL.search(text), f"{where}: Hangul in {text!r}"
    assert sum(ch.isascii() for ch in text) / len(text) >= 0.99, f"{where}: not ASCII-dominant"


@pytest.mark.parametrize("name", ["docs.jsonl", "queries.jsonl"])
def test_same_ids_order_and_splits_as_the_korean_set(name):
    korean, english = _jsonl(DOMAIN / name), _jsonl(ENGLISH / name)
    assert [(k["id"], k["split"]) for k in korean] == [(e["id"], e["split"]) for e in english]
    assert len(english) == (142 if name == "docs.jsonl" else 160)
    assert {e["split"] for e in english} == {"train", "test"}
    for item in english:
        assert set(item) == {"id", "title", "text", "split"}
        assert item["split"] == ("test" if int(item["id"][2:], 16) % 3 == 0 else "train")


@pytest.mark.parametrize("name", ["qrels.txt", "reverse/qrels.txt"])
def test_labels_are_inherited_unchanged(name):
    assert (ENGLISH / name).read_bytes() == (DOMAIN / name).read_bytes()
    assert len((ENGLISH / name).read_text().splitlines()) == 392


def test_reverse_direction_swaps_the_same_lines():
    assert (ENGLISH / "reverse" / "docs.jsonl").read_bytes() == (ENGLISH / "queries.jsonl").read_bytes()
    assert (ENGLISH / "reverse" / "queries.jsonl").read_bytes() == (ENGLISH / "docs.jsonl").read_bytes()


def test_every_text_is_english():
    for name in ("docs.jsonl", "queries.jsonl"):
        for item in _jsonl(ENGLISH / name):
            for field in ("title", "text"):
                _assert_english(item[field], f"{name} {item['id']} {field}")
            words = set(re.findall(r"[a-z]+", item["text"].lower()))
            assert len(words & ENGLISH_WORDS) >= 3, f"{item['id']}: does not read as English"


def test_document_text_is_summary_then_description():
    translations = _json(ENGLISH / "solutions_en.json")
    for doc in _jsonl(ENGLISH / "docs.jsonl"):
        t = translations[doc["id"]]
        assert doc["title"] == t["title"]
        assert doc["text"] == t["summary"] + "\n" + t["description"]


def test_translation_files_name_the_korean_items():
    korean_titles = {item["id"]: item["title"]
                     for name in ("docs.jsonl", "queries.jsonl") for item in _jsonl(DOMAIN / name)}
    solutions, needs = _json(ENGLISH / "solutions_en.json"), _json(ENGLISH / "needs_en.json")
    assert list(solutions) == [d["id"] for d in _jsonl(DOMAIN / "docs.jsonl")]
    assert list(needs) == [q["id"] for q in _jsonl(DOMAIN / "queries.jsonl")]
    for key, item in {**solutions, **needs}.items():
        assert item["title_ko"] == korean_titles[key]
        assert HANGUL.search(item["title_ko"])
    extra = _json(ENGLISH / "solutions_extra_en.json")
    assert len(extra) == 16 and not set(extra) & set(solutions)


def test_demo_english_files_cover_every_demo_solution_and_need():
    companies = _json(DEMO / "companies.json")
    expected = [f"{c['name']}/{s['title']}" for c in companies for s in c["solutions"]]
    solutions_en = _json(DEMO / "solutions_en.json")
    assert list(solutions_en) == expected and len(expected) == 158
    for key, item in solutions_en.items():
        assert set(item) == {"title_en", "summary_en", "description_en"}
        for field, value in item.items():
            _assert_english(value, f"{key} {field}")
    needs = _json(DEMO / "needs.json")
    needs_en = _json(DEMO / "needs_en.json")
    assert list(needs_en) == [f"{n['municipality']}/{n['title']}" for n in needs]
    assert len(needs_en) == 84
    for key, item in needs_en.items():
        assert set(item) == {"title", "description"}
        for field, value in item.items():
            _assert_english(value, f"{key} {field}")


def test_build_is_up_to_date():
    done = _build(ROOT, "--check")
    assert done.returncode == 0, done.stderr
    assert "docs=142 queries=160 qrels=392" in done.stdout


@pytest.fixture()
def english_copy(tmp_path):
    """Both build scripts, their inputs and the reference data in a scratch repository layout."""
    shutil.copytree(ROOT / "app" / "data", tmp_path / "app" / "data")
    for folder in ("domain", "english"):
        shutil.copytree(ROOT / "eval" / folder, tmp_path / "eval" / folder)
    return tmp_path


def _outputs(root: Path) -> dict[str, bytes]:
    names = ["docs.jsonl", "queries.jsonl", "qrels.txt", "reverse/docs.jsonl",
             "reverse/queries.jsonl", "reverse/qrels.txt"]
    out = {n: (root / "eval" / "english" / n).read_bytes() for n in names}
    out.update({n: (root / "app" / "data" / "demo" / n).read_bytes()
                for n in ("solutions_en.json", "needs_en.json")})
    return out


def test_build_is_reproducible(english_copy):
    committed = _outputs(english_copy)
    for name in ("docs.jsonl", "reverse/qrels.txt"):
        (english_copy / "eval" / "english" / name).unlink()
    for _ in range(2):
        done = _build(english_copy)
        assert done.returncode == 0, done.stderr
        assert _outputs(english_copy) == committed


def _edit(path: Path, change) -> None:
    data = _json(path)
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _assert_refused(root: Path, message: str) -> None:
    before = _outputs(root)
    done = _build(root)
    assert done.returncode == 2
    assert message in done.stderr
    assert _outputs(root) == before  # nothing written
    assert _build(root, "--check").returncode == 2


def test_missing_translation_fails_loudly(english_copy):
    path = english_copy / "eval" / "english" / "needs_en.json"
    key = next(iter(_json(path)))
    _edit(path, lambda data: data.pop(key))
    _assert_refused(english_copy, f"no translation for {key}")


def test_hangul_or_empty_field_fails(english_copy):
    path = english_copy / "eval" / "english" / "solutions_en.json"
    first, second = list(_json(path))[:2]

    def change(data):
        data[first]["summary"] = "CCTV 통합 platform"
        data[second]["title"] = " "
    _edit(path, change)
    _assert_refused(english_copy, f"{first} ")
    done = _build(english_copy)
    assert "Hangul in 'summary'" in done.stderr and "empty 'title'" in done.stderr


def test_korean_edit_after_translation_fails(english_copy):
    needs_path = english_copy / "app" / "data" / "demo" / "needs.json"
    needs = _json_list(needs_path)
    needs[0]["description"] += " 추가 요구사항이 있습니다."
    needs_path.write_text(json.dumps(needs, ensure_ascii=False, indent=2), encoding="utf-8")
    _assert_refused(english_copy, "the Korean text changed since it was translated")
    key = next(iter(_json(english_copy / "eval" / "english" / "needs_en.json")))
    done = _build(english_copy, "--print-sha", key)
    assert done.returncode == 0 and re.fullmatch(r"[0-9a-f]{10}\n", done.stdout)


def test_stale_translation_fails(english_copy):
    path = english_copy / "eval" / "english" / "solutions_extra_en.json"
    _edit(path, lambda data: data.update({"s-0000000000": {"title_ko": "없는 솔루션"}}))
    _assert_refused(english_copy, "s-0000000000 (없는 솔루션) is not an item of this file any more")


def _json_list(path: Path) -> list:
    return json.loads(path.read_text(encoding="utf-8"))
