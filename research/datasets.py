"""Retrieval sets built at run time from public text found on the machine (never copied in).

Each builder returns ``(docs, queries, qrels)``: docs and queries are ``{"id", "title", "text"}``
mappings, qrels ``{query id: {doc id: grade}}``. Loaders return ``None`` when the source is absent,
so callers can skip cleanly.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from matching.evaluation import load_jsonl, load_korquad, load_qrels

Dataset = tuple[list[dict], list[dict], dict[str, dict[str, int]]]

#: Installed-package database of Debian (present on every Debian/Ubuntu machine).
DPKG_STATUS = Path("/var/lib/dpkg/status")
_DESCRIPTION = re.compile(r"^Description: ?(.*)\n((?:[ \t].*(?:\n|$))*)", re.M)


def _known_items(pairs: Iterable[tuple[str, str]], doc_prefix: str, query_prefix: str) -> Dataset:
    """Known-item set from ``(query text, document text)`` pairs, duplicates merged.

    Identical document texts become one document; identical query texts one query, relevant
    (grade 1) to every document it was paired with. Empty texts are dropped.
    """
    docs: list[dict] = []
    doc_ids: dict[str, str] = {}
    queries: list[dict] = []
    query_ids: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for query, doc in pairs:
        query, doc = query.strip(), doc.strip()
        if not query or not doc:
            continue
        did = doc_ids.get(doc)
        if did is None:
            did = doc_ids[doc] = f"{doc_prefix}{len(docs)}"
            docs.append({"id": did, "title": "", "text": doc})
        qid = query_ids.get(query)
        if qid is None:
            qid = query_ids[query] = f"{query_prefix}{len(queries)}"
            queries.append({"id": qid, "title": "", "text": query})
        qrels.setdefault(qid, {})[did] = 1
    return docs, queries, qrels


def debian_pairs(status_text: str) -> list[tuple[str, str]]:
    """``(short description, long description)`` of each package in a dpkg status/Packages text.

    The long description's continuation lines lose their leading space; a line ``" ."`` is a
    paragraph break.
    """
    pairs = []
    for match in _DESCRIPTION.finditer(status_text):
        lines = [ln[1:] if ln[:1] in " \t" else ln for ln in match.group(2).splitlines()]
        body = "\n".join("" if ln.strip() == "." else ln for ln in lines)
        pairs.append((match.group(1), body))
    return pairs


def debian_descriptions(status_text: str) -> Dataset:
    """English known-item set: a package's short description finds its long description."""
    return _known_items(debian_pairs(status_text), "deb-d", "deb-q")


def petition_titles(lines: Iterable[str]) -> Dataset:
    """Korean known-item set: a petition's title finds its content (JSON lines of the archive)."""
    pairs = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            pairs.append((row.get("title") or "", row.get("content") or ""))
    return _known_items(pairs, "pet-d", "pet-q")


def load_debian(path: Path = DPKG_STATUS) -> Dataset | None:
    """The Debian description set of this machine's installed packages (None if absent)."""
    if not path.is_file():
        return None
    return debian_descriptions(path.read_text(encoding="utf-8", errors="replace"))


def load_petitions(shared: Path) -> Dataset | None:
    """The petition title→content set from ``shared/petitions/*.jsonl`` (None if absent)."""
    files = sorted((shared / "petitions").glob("*.jsonl")) if shared.is_dir() else []
    if not files:
        return None
    lines = [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines()]
    return petition_titles(lines)


def load_korquad_set(shared: Path) -> Dataset | None:
    """KorQuAD 1.0 dev as retrieval (paragraph = document, question = query; None if absent)."""
    path = shared / "korquad" / "KorQuAD_v1.0_dev.json"
    return load_korquad(path) if path.is_file() else None


def load_domain(folder: Path) -> Dataset | None:
    """The labelled CityMatch domain set (``eval/domain/``; None if absent)."""
    if not (folder / "docs.jsonl").is_file():
        return None
    return (load_jsonl(str(folder / "docs.jsonl")),
            load_jsonl(str(folder / "queries.jsonl"), "queries"),
            load_qrels(str(folder / "qrels.txt")))


def held_out(qrels: Mapping[str, Mapping[str, int]], test: bool) -> dict[str, dict[str, int]]:
    """The domain qrels of the held-out third (``int(key[2:], 16) % 3 == 0``) or of the rest."""
    return {q: dict(r) for q, r in qrels.items() if (int(q[2:], 16) % 3 == 0) == test}


@dataclass(frozen=True)
class SetInfo:
    """A named retrieval set: what it is and how to load it from the repository root."""

    name: str
    about: str
    load: Callable[[Path, Path], Dataset | None]  # (repository root, shared data dir)


SETS: dict[str, SetInfo] = {
    s.name: s for s in (
        SetInfo("korquad", "KorQuAD 1.0 dev: question → its paragraph (Korean, 961 paragraphs)",
                lambda root, shared: load_korquad_set(shared)),
        SetInfo("domain", "CityMatch domain set: need → graded solutions (Korean, eval/domain/)",
                lambda root, shared: load_domain(root / "eval" / "domain")),
        SetInfo("petitions", "Korean petitions 2017-08: title → its content (known item)",
                lambda root, shared: load_petitions(shared)),
        SetInfo("debian", "Debian packages installed here: short → long description (English)",
                lambda root, shared: load_debian()),
    )
}


def first_queries(data: Dataset, limit: int) -> Dataset:
    """The set cut to its first ``limit`` queries and their qrels (all of it when 0)."""
    docs, queries, qrels = data
    if not limit:
        return data
    queries = queries[:limit]
    return docs, queries, {q["id"]: qrels[q["id"]] for q in queries if q["id"] in qrels}
