"""Nearest vocabulary terms of a misspelt word (character n-grams over Hangul letters)."""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def jamo(word: str) -> str:
    """``word`` lower-cased with every Hangul syllable split into its letters (가 → ᄀ ᅡ), so a
    one-letter slip (가로듬 for 가로등) changes one letter, not a whole syllable."""
    out = []
    for ch in word.lower():
        code = ord(ch) - _HANGUL_FIRST
        if 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST:
            out.append(chr(0x1100 + code // 588))
            out.append(chr(0x1161 + (code % 588) // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


def char_ngrams(word: str, n: int = 3) -> frozenset[str]:
    """The letter ``n``-grams of ``word`` (Hangul split into letters), edges marked."""
    padded = "\x02" + jamo(word) + "\x03"
    if len(padded) <= n:
        return frozenset({padded})
    return frozenset(padded[i:i + n] for i in range(len(padded) - n + 1))


class NearestTerms:
    """An n-gram index over a vocabulary answering "which known terms look like this word?".

    Similarity is the Dice coefficient of the two words' letter trigrams; only candidates at or
    above ``min_similarity`` are returned, best first (ties: shorter length difference, then
    alphabetical)."""

    def __init__(self, min_similarity: float = 0.5, n: int = 3):
        self.min_similarity = min_similarity
        self.n = n

    def fit(self, terms: Iterable[str], y=None) -> "NearestTerms":
        """Index a vocabulary; ``y`` is ignored."""
        self.terms_: list[str] = []
        self.grams_: list[frozenset[str]] = []
        self._known: dict[str, int] = {}
        self._postings: dict[str, list[int]] = defaultdict(list)
        return self.add(terms)

    def add(self, terms: Iterable[str]) -> "NearestTerms":
        """Index more terms (already known ones are skipped)."""
        for term in terms:
            if term in self._known:
                continue
            k = self._known[term] = len(self.terms_)
            grams = char_ngrams(term, self.n)
            self.terms_.append(term)
            self.grams_.append(grams)
            for gram in grams:
                self._postings[gram].append(k)
        return self

    def __len__(self) -> int:
        return len(self.terms_)

    def nearest(self, word: str, k: int = 3,
                accept: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        """Up to ``k`` ``(term, similarity)`` pairs most like ``word`` (``word`` itself excluded),
        keeping only terms ``accept`` approves (checked best first, so it runs a few times)."""
        grams = char_ngrams(word, self.n)
        shared: dict[int, int] = defaultdict(int)
        for gram in grams:
            for t in self._postings.get(gram, ()):
                shared[t] += 1
        scored = []
        for t, common in shared.items():
            similarity = 2.0 * common / (len(grams) + len(self.grams_[t]))
            if similarity >= self.min_similarity and self.terms_[t] != word:
                scored.append((-similarity, abs(len(self.terms_[t]) - len(word)), self.terms_[t]))
        scored.sort()
        out: list[tuple[str, float]] = []
        for negative, _gap, term in scored:
            if accept is None or accept(term):
                out.append((term, round(-negative, 4)))
                if len(out) >= k:
                    break
        return out
