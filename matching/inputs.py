"""Reading evaluation inputs (JSON lines, TREC qrels) and writing TREC runs; stdlib only."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

Run = dict[str, list[tuple[str, float]]]
Qrels = dict[str, dict[str, int]]
#: Values of the optional ``language`` field (absent = "ko"), as ``matching.records.LANGUAGES``.
LANGUAGES = ("ko", "en")


class InputError(ValueError):
    """Bad evaluation input (missing file, malformed line, empty text, duplicate id)."""


def _lines(text: str) -> list[str]:
    """Lines split on ``\n`` only (``\r\n`` too): JSON strings may hold U+2028, U+2029, U+0085."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def load_jsonl(path: str | Path, kind: str = "documents") -> list[dict]:
    """Read ``{"id", "title", "text"}`` JSON lines (optional ``"language"``: "ko" or "en"),
    validating ids, text and language; ``language`` is kept only when given."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{kind} file not found: {path}")
    items: list[dict] = []
    seen: set[str] = set()
    try:
        lines = _lines(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: malformed JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{lineno}: expected a JSON object")
        if "id" not in obj or obj["id"] is None or str(obj["id"]).strip() == "":
            raise InputError(f"{path}:{lineno}: missing \"id\"")
        doc_id = str(obj["id"])
        for key in ("title", "text"):
            if key in obj and obj[key] is not None and not isinstance(obj[key], str):
                raise InputError(f"{path}:{lineno}: \"{key}\" must be a string")
        title = obj.get("title") or ""
        text = obj.get("text") or ""
        if not (title.strip() or text.strip()):
            raise InputError(f"{path}:{lineno}: empty text for id {doc_id!r}")
        if doc_id in seen:
            raise InputError(f"{path}:{lineno}: duplicate id {doc_id!r}")
        language = obj.get("language")
        if language is not None and language not in LANGUAGES:
            raise InputError(f"{path}:{lineno}: \"language\" must be \"ko\" or \"en\", "
                             f"got {language!r}")
        seen.add(doc_id)
        item = {"id": doc_id, "title": title, "text": text}
        if language is not None:
            item["language"] = language
        items.append(item)
    if not items:
        raise InputError(f"{kind} file is empty: {path}")
    return items


def load_qrels(path: str | Path) -> Qrels:
    """Read TREC qrels lines ``qid 0 docid grade``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"qrels file not found: {path}")
    qrels: Qrels = {}
    for lineno, line in enumerate(_lines(path.read_text(encoding="utf-8")), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise InputError(f"{path}:{lineno}: expected 'qid 0 docid grade', got {line.strip()!r}")
        try:
            grade = int(parts[3])
        except ValueError:
            raise InputError(f"{path}:{lineno}: grade must be an integer, got {parts[3]!r}") from None
        qrels.setdefault(parts[0], {})[parts[2]] = grade
    if not qrels:
        raise InputError(f"qrels file is empty: {path}")
    return qrels


def format_trec(run: Run, tag: str = "matching") -> Iterable[str]:
    """TREC run lines ``qid Q0 docid rank score tag`` (ranks from 1)."""
    for qid, results in run.items():
        for r, (doc_id, score) in enumerate(results, 1):
            yield f"{qid} Q0 {doc_id} {r} {score:.6f} {tag}"
