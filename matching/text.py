"""Korean-aware text analysis: cleaning, morphemes (kiwipiepy), stop words and synonyms."""
from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import metadata
from html.parser import HTMLParser
from importlib import resources
from typing import Iterable, Sequence

from matching.english import english_term, is_latin_text, latin_tokens
from matching.morphology import KIWI_MODEL_TYPE, get_backend

#: Kiwi part-of-speech tags kept as content terms (nouns, verb/adjective stems, roots,
#: foreign words, numbers, hanja and Kiwi's special tokens).
CONTENT_TAGS = frozenset(
    {
        "NNG", "NNP", "NR", "VV", "VA", "VV-I", "VA-I", "VV-R", "VA-R", "XR",
        "SL", "SN", "SH", "W_URL", "W_EMAIL", "W_HASHTAG", "W_MENTION", "W_SERIAL",
    }
)
#: Upper bound on characters analysed per document (longer text is cut; keeps latency bounded).
MAX_CHARS = 20_000

_SKIP_HTML = {"script", "style", "head", "title", "noscript", "template"}
_BLOCK_HTML = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "section", "article", "ul", "ol", "table", "blockquote", "pre", "hr"}
_TAG_HINT = re.compile(r"<[a-zA-Z!/]")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: D102 - HTMLParser hook
        if tag in _SKIP_HTML:
            self._skip += 1
        elif tag in _BLOCK_HTML:
            self.parts.append("\n")

    def handle_endtag(self, tag):  # noqa: D102 - HTMLParser hook
        if tag in _SKIP_HTML:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_HTML:
            self.parts.append("\n")

    def handle_data(self, data):  # noqa: D102 - HTMLParser hook
        if not self._skip:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """Return the visible text of ``text`` with tags removed and entities decoded."""
    if not _TAG_HINT.search(text):
        return html.unescape(text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def normalize(text: str | None, max_chars: int = MAX_CHARS) -> str:
    """Clean user text: strip HTML, NFKC-normalise, drop control characters, squeeze spaces."""
    if not text:
        return ""
    text = strip_html(str(text))
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:max_chars]


def get_kiwi():
    """Return the process-wide Kiwi instance, creating it on first use (≈1–2 s)."""
    return get_backend("kiwi")._kiwi


def _data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a file shipped in ``matching/data``."""
    text = resources.files("matching").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=None)
def load_stopwords() -> frozenset[str]:
    """The shipped stop-word list (``matching/data/stopwords.txt``)."""
    return frozenset(ln.strip().lower() for ln in _data_lines("stopwords.txt"))


@lru_cache(maxsize=None)
def load_synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The shipped synonym groups (``matching/data/synonyms.tsv``), canonical term first."""
    groups = []
    for ln in _data_lines("synonyms.tsv"):
        cells = tuple(c.strip() for c in ln.split("\t") if c.strip())
        if len(cells) >= 2:
            groups.append(cells)
    return tuple(groups)


def _merge_alnum(tokens) -> list[tuple[str, str]]:
    """Join adjacent number/Latin pieces Kiwi splits apart (5G, 3D, mp4) into one form."""
    out: list[tuple[str, str]] = []
    last_end = -1
    for tok in tokens:
        form, tag, start = tok.form, tok.tag, tok.start
        if (
            out
            and tag in ("SL", "SN")
            and out[-1][1] in ("SL", "SN", "ALNUM")
            and start == last_end
        ):
            out[-1] = (out[-1][0] + form, "ALNUM")
        else:
            out.append((form, tag))
        last_end = start + tok.len
    return out


@dataclass(frozen=True)
class KoreanAnalyzer:
    """Turns raw text into content terms: morphemes of kept POS, English terms, synonyms.

    ``backend`` names the morphological analyser (:mod:`matching.morphology`): ``"kiwi"``
    (default) or ``"mecab"``; documents and queries of one index must use the same one.
    """

    tags: frozenset = CONTENT_TAGS
    use_stopwords: bool = True
    use_synonyms: bool = True
    min_latin_len: int = 2
    #: Latin words through ``matching.english`` (stemming, English stop words, acronyms).
    english: bool = True
    max_chars: int = MAX_CHARS
    backend: str = "kiwi"
    _synonyms: dict = field(default=None, compare=False, repr=False)

    def _select(self, tokens) -> list[str]:
        """Keep content morphemes, lower-case Latin, drop stop words."""
        stop = load_stopwords() if self.use_stopwords else frozenset()
        terms = []
        for form, tag in _merge_alnum(tokens):
            if tag == "ALNUM":  # 5G, mp4, or a Latin word Kiwi split in two
                term = english_term(form) if self.english else form.lower()
                if term is None:
                    continue
            elif tag not in self.tags:
                continue
            elif tag == "SL":
                if len(form) < self.min_latin_len:
                    continue
                term = english_term(form) if self.english else form.lower()
                if term is None:  # English stop word
                    continue
            elif tag.startswith("W_"):
                term = form.lower()
            else:
                term = form
            if term in stop:
                continue
            terms.append(term)
        return terms

    def _synonym_table(self) -> dict[tuple[str, ...], str]:
        """Map from analysed variant token sequences to canonical tokens (built once)."""
        if self._synonyms is None:
            table: dict[tuple[str, ...], str] = {}
            morphemes = get_backend(self.backend)
            for group in load_synonym_groups():
                canonical = group[0].lower().replace(" ", "_")
                for variant in group:
                    clean = normalize(variant)
                    latin = self.english and is_latin_text(clean)
                    seq = tuple(self._select(latin_tokens(clean) if latin else
                                             morphemes.tokenize(clean)))
                    # A Korean variant whose first part the analyser drops (씨씨티비: mecab-ko-dic
                    # calls 씨씨 an interjection) would map what remains (티비, "TV") to the group.
                    if seq and (latin or seq[0][:1] == clean[:1]):
                        table.setdefault(seq, canonical)
                    compact = clean.lower().replace(" ", "")
                    if compact and compact != canonical:
                        table.setdefault((compact,), canonical)
            object.__setattr__(self, "_synonyms", table)
        return self._synonyms

    def _expand(self, terms: list[str]) -> list[str]:
        """Append the canonical token after each synonym phrase found in ``terms``."""
        table = self._synonym_table()
        if not table or not terms:
            return terms
        max_n = max(len(k) for k in table)
        out: list[str] = []
        i = 0
        n = len(terms)
        while i < n:
            matched = 0
            for size in range(min(max_n, n - i), 0, -1):
                canon = table.get(tuple(terms[i:i + size]))
                if canon is not None:
                    out.extend(terms[i:i + size])
                    if canon not in terms[i:i + size]:
                        out.append(canon)
                    matched = size
                    break
            if matched:
                i += matched
            else:
                out.append(terms[i])
                i += 1
        return out

    def __call__(self, text: str | None) -> list[str]:
        """Analyse one text into a list of terms."""
        return self.analyse_many([text])[0]

    def analyse_many(self, texts: Iterable[str | None]) -> list[list[str]]:
        """Analyse many texts (Kiwi: one multi-threaded batch) and return their term lists."""
        cleaned = [normalize(t, self.max_chars) for t in texts]
        morphemes = get_backend(self.backend)
        if self.use_synonyms:
            self._synonym_table()
        results: list[list[str]] = [[] for _ in cleaned]
        todo = [i for i, t in enumerate(cleaned) if t]
        if self.english:  # text without Hangul or other non-Latin letters: no Kiwi needed
            latin = [is_latin_text(cleaned[i]) for i in todo]
            for i, is_latin in zip(todo, latin):
                if is_latin:
                    results[i] = self._expand_if(self._select(latin_tokens(cleaned[i])))
            todo = [i for i, is_latin in zip(todo, latin) if not is_latin]
        analysed = morphemes.tokenize_many([cleaned[i] for i in todo])
        for i, tokens in zip(todo, analysed):
            results[i] = self._expand_if(self._select(tokens))
        return results

    def _expand_if(self, terms: list[str]) -> list[str]:
        """Synonym expansion when enabled."""
        return self._expand(terms) if self.use_synonyms else terms


DEFAULT_ANALYZER = KoreanAnalyzer()


@dataclass(frozen=True)
class EnglishAnalyzer(KoreanAnalyzer):
    """The English index's analyser (overseas needs and the solutions' English fields).

    Every text takes the Latin path of :class:`KoreanAnalyzer` (no Kiwi): runs of ASCII
    letters and digits through :func:`matching.english.english_term` (acronyms kept whole,
    English stop words, Snowball stems), then the synonym map. Letters outside A–Z (Hangul,
    accents) are not indexed: an English text that quotes a Korean name keeps its English terms.
    On Latin-only text it gives exactly the terms of the default analyser.
    """

    def analyse_many(self, texts: Iterable[str | None]) -> list[list[str]]:
        """Analyse many texts on the Latin path."""
        if self.use_synonyms:
            self._synonym_table()
        out = []
        for text in texts:
            clean = normalize(text, self.max_chars)
            out.append(self._expand_if(self._select(latin_tokens(clean))) if clean else [])
        return out


ENGLISH_ANALYZER = EnglishAnalyzer()

#: Bump by hand when the analysis code changes the terms it gives (the settings, data files and
#: analyser packages are already in the version).
ANALYSER_REVISION = 2
#: The data files whose content decides the terms.
ANALYSER_DATA_FILES = ("stopwords.txt", "stopwords_en.txt", "synonyms.tsv")
#: Packages whose release changes the terms, per backend (the analyser and its model or
#: dictionary, the Snowball stemmer).
ANALYSER_PACKAGES = {"kiwi": ("kiwipiepy", "kiwipiepy_model", "PyStemmer"),
                     "mecab": ("mecab-ko", "mecab-ko-dic", "PyStemmer")}


def _setting(value):
    """A settings value in a form that serialises the same in every process."""
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    return value


def analyser_version(analyzer: KoreanAnalyzer = DEFAULT_ANALYZER) -> str:
    """Identifier of the terms ``analyzer`` gives: ``r<revision>-<12 hex>``.

    The hash covers the analyser's settings (backend included), Kiwi's model type when Kiwi is the
    backend, the shipped stop-word and synonym files and the versions of the backend's analysis
    packages, so it changes whenever stored terms would.
    """
    digest = hashlib.sha256()
    settings = {f.name: _setting(getattr(analyzer, f.name)) for f in fields(analyzer)
                if f.compare}
    if analyzer.backend == "kiwi":
        settings["kiwi_model_type"] = KIWI_MODEL_TYPE
    for name in ANALYSER_PACKAGES[analyzer.backend]:
        try:
            settings[f"package:{name}"] = metadata.version(name)
        except metadata.PackageNotFoundError:
            settings[f"package:{name}"] = None
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    for name in ANALYSER_DATA_FILES:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(resources.files("matching").joinpath("data", name).read_bytes())
    return f"r{ANALYSER_REVISION}-{digest.hexdigest()[:12]}"


#: The version of :data:`DEFAULT_ANALYZER` (what :func:`analyse` and :func:`analyse_many` use).
ANALYSER_VERSION = analyser_version()


def analyse(text: str | None) -> list[str]:
    """Analyse one text with the default pipeline; store ``" ".join(...)`` of the result."""
    return DEFAULT_ANALYZER(text)


def analyse_many(texts: Iterable[str | None]) -> list[list[str]]:
    """Analyse many texts with the default pipeline in one batch."""
    return DEFAULT_ANALYZER.analyse_many(texts)


def join_tokens(tokens: Sequence[str]) -> str:
    """Serialise analysed tokens for storage (space-separated; terms never contain spaces)."""
    return " ".join(tokens)


def split_tokens(stored: str | Sequence[str] | None) -> list[str]:
    """Inverse of :func:`join_tokens`; lists pass through unchanged."""
    if stored is None:
        return []
    if isinstance(stored, str):
        return stored.split()
    return list(stored)
