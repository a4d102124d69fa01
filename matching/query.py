"""Keyword queries: the concepts a query asks for and the surface forms that show them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from matching.text import DEFAULT_ANALYZER, KoreanAnalyzer, load_synonym_groups, normalize

#: Analysed terms kept per query (a pasted paragraph is not a keyword search).
MAX_QUERY_TERMS = 12


@dataclass(frozen=True)
class Concept:
    """One thing a query asks for: a document has it when it holds any of ``alternatives``,
    each a tuple of terms that must all be present (a synonym's canonical term, or the words of
    the phrase it was written as)."""

    alternatives: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term that may satisfy the concept (for scoring and highlighting)."""
        return tuple(dict.fromkeys(t for alt in self.alternatives for t in alt))

    @property
    def label(self) -> str:
        """The words as the query wrote them (the last alternative is always the written one)."""
        return " ".join(self.alternatives[-1])


@dataclass(frozen=True)
class ParsedQuery:
    """A keyword query analysed once: its terms (synonyms expanded) and its concepts."""

    text: str
    terms: tuple[str, ...]
    concepts: tuple[Concept, ...]

    def __bool__(self) -> bool:
        return bool(self.concepts)


_PLAIN = KoreanAnalyzer(use_synonyms=False)


@lru_cache(maxsize=None)
def _synonym_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Canonical term → the analysed (synonym-free) token sequences of its variants."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for group in load_synonym_groups():
        canonical = group[0].lower().replace(" ", "_")
        for variant in group:
            seq = tuple(_PLAIN(variant))
            if seq:
                table.setdefault(canonical, []).append(seq)
    return {c: tuple(dict.fromkeys(seqs)) for c, seqs in table.items()}


def _find(seq: tuple[str, ...], terms: list[str], taken: list[bool]) -> int:
    """Start of the first free occurrence of ``seq`` in ``terms`` (-1 when absent)."""
    n = len(seq)
    for i in range(len(terms) - n + 1):
        if tuple(terms[i:i + n]) == seq and not any(taken[i:i + n]):
            return i
    return -1


def parse_query(text: str | None, analyzer: KoreanAnalyzer = DEFAULT_ANALYZER,
                max_terms: int = MAX_QUERY_TERMS) -> ParsedQuery:
    """Analyse a keyword query into concepts: particles and endings dropped, compounds split,
    and a synonym phrase (스마트 가로등, 폐쇄회로 TV) satisfied by its canonical term too."""
    clean = normalize(text, max_chars=1_000)
    if not clean:
        return ParsedQuery("", (), ())
    expanded = analyzer(clean)[:max_terms * 2]
    plain = _PLAIN(clean)[:max_terms]
    extra = list(expanded)
    for term in plain:  # the canonical terms the synonym step added (multiset difference)
        if term in extra:
            extra.remove(term)
    phrases = _synonym_phrases()
    taken = [False] * len(plain)
    grouped: list[tuple[int, Concept]] = []
    for canonical in dict.fromkeys(extra):
        for seq in sorted(phrases.get(canonical, ()), key=len, reverse=True):
            start = _find(seq, plain, taken)
            if start >= 0:
                taken[start:start + len(seq)] = [True] * len(seq)
                grouped.append((start, Concept(((canonical,), seq))))
                break
    for i, term in enumerate(plain):
        if taken[i]:
            continue
        synonyms = [c for c, seqs in phrases.items() if (term,) in seqs and c != term]
        alternatives = tuple((c,) for c in synonyms) + ((term,),)
        grouped.append((i, Concept(alternatives)))
    grouped.sort(key=lambda item: item[0])
    concepts = tuple(dict.fromkeys(c for _, c in grouped))
    terms = tuple(dict.fromkeys(t for c in concepts for t in c.terms))
    return ParsedQuery(clean, terms, concepts)


@lru_cache(maxsize=None)
def _variant_surfaces() -> dict[str, tuple[str, ...]]:
    """Canonical term → the written forms of its synonym group (for highlighting)."""
    return {group[0].lower().replace(" ", "_"): tuple(v.lower() for v in group)
            for group in load_synonym_groups()}


def surface_forms(query: ParsedQuery) -> tuple[str, ...]:
    """Lower-cased strings whose occurrences in a text show the query's terms, longest first.

    An analysed noun or stem is written as is inside its inflected forms (가로등 in 가로등을,
    가로등의, 스마트가로등), so each term is its own surface; a canonical synonym term adds the
    written variants of its group (smart_pole → 스마트폴, 스마트 가로등)."""
    variants = _variant_surfaces()
    forms: dict[str, None] = {}
    for term in query.terms:
        for form in variants.get(term, ()):
            forms[form] = None
        if "_" not in term:
            forms[term.lower()] = None
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))
