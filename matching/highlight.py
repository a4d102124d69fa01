"""Where a query's surface forms occur in a text: character spans to highlight."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

_LATIN = re.compile(r"[0-9A-Za-z]")


def _pattern_piece(form: str) -> str:
    """A regex for one surface form: spaces match any run of spaces; Latin and digit forms and
    one-letter Hangul forms only where they start (and for Latin, end) a word."""
    body = r"\s+".join(re.escape(part) for part in form.split())
    if _LATIN.match(form):
        body = r"(?<![0-9A-Za-z])" + body
    elif len(form) == 1:
        body = r"(?<!\w)" + body
    if _LATIN.match(form[-1]):
        body += r"(?![A-Za-z])"
    return body


@lru_cache(maxsize=256)
def _compiled(forms: tuple[str, ...]) -> re.Pattern | None:
    pieces = [_pattern_piece(f) for f in sorted(set(forms), key=lambda f: (-len(f), f)) if f.strip()]
    return re.compile("|".join(pieces), re.IGNORECASE) if pieces else None


def spans(text: str | None, forms: Sequence[str], limit: int = 50) -> list[tuple[int, int]]:
    """Non-overlapping ``(start, end)`` spans of ``forms`` in ``text`` (longest form wins),
    at most ``limit`` of them, in order."""
    if not text or not forms:
        return []
    pattern = _compiled(tuple(forms))
    if pattern is None:
        return []
    out: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        if match.end() > match.start():
            out.append((match.start(), match.end()))
            if len(out) >= limit:
                break
    return out


def split_marked(text: str | None, forms: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_match)`` pieces covering it exactly."""
    text = text or ""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for start, end in spans(text, forms):
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces
