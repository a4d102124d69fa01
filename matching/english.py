"""English terms: case folding, stop words, acronyms kept whole, Snowball stemming (PyStemmer)."""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

#: Longest all-capital word still read as an acronym (CCTV, LIDAR); longer ones are words.
MAX_ACRONYM_LEN = 5
_MIXED_ACRONYM = re.compile(r"^[A-Za-z]*[a-z][A-Z][A-Za-z]*$")  # IoT, SaaS, eGov
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_LOCAL = threading.local()  # PyStemmer objects are not thread-safe: one per thread


@lru_cache(maxsize=None)
def load_english_stopwords() -> frozenset[str]:
    """The shipped English stop words (``matching/data/stopwords_en.txt``)."""
    text = resources.files("matching").joinpath("data", "stopwords_en.txt").read_text(
        encoding="utf-8")
    return frozenset(ln.strip().lower() for ln in text.splitlines()
                     if ln.strip() and not ln.startswith("#"))


def stem(word: str) -> str:
    """Snowball (Porter 2) English stem of a lower-cased word."""
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _LOCAL.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


def is_acronym(form: str) -> bool:
    """Whether a Latin token is written as an acronym: CCTV, AI, IoT, SaaS, CCTVs."""
    letters = form[:-1] if len(form) > 2 and form.endswith("s") and form[:-1].isupper() else form
    if sum(ch.isupper() for ch in letters) < 2:
        return False
    return (letters.isupper() and len(letters) <= MAX_ACRONYM_LEN) or \
        bool(_MIXED_ACRONYM.match(letters))


def english_term(form: str) -> str | None:
    """The index term of one Latin token, or None for a stop word.

    Acronyms are case-folded and kept whole (a plural ``s`` after capitals is dropped:
    CCTVs → cctv), never stemmed nor taken for stop words (IT, US). Other words are lower-cased,
    stop words dropped, and alphabetic words stemmed (cameras → camera, monitoring → monitor).
    """
    form = form.strip(_PUNCTUATION)  # Kiwi may keep a full stop: "roads."
    if not form:
        return None
    if is_acronym(form):
        if len(form) > 2 and form.endswith("s") and form[:-1].isupper():
            form = form[:-1]
        return form.lower()
    word = form.lower()
    if word in load_english_stopwords():
        return None
    return stem(word) if word.isalpha() and word.isascii() else word


_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z]")
_LATIN_PIECE = re.compile(r"[A-Za-z]+|[0-9]+")


class LatinToken(NamedTuple):
    """A token shaped like Kiwi's (form, tag, start, len) for the Latin-only path."""

    form: str
    tag: str
    start: int
    len: int


def is_latin_text(text: str) -> bool:
    """Whether ``text`` has no letter outside A–Z (no Hangul, Hanja, accents): no Kiwi needed."""
    return _NON_LATIN_LETTER.search(text) is None


def latin_tokens(text: str) -> list[LatinToken]:
    """Runs of ASCII letters (tag ``SL``) and of digits (``SN``), as Kiwi tags them."""
    return [LatinToken(m.group(), "SL" if m.group()[0].isalpha() else "SN", m.start(),
                       m.end() - m.start()) for m in _LATIN_PIECE.finditer(text)]
