"""Korean morphological analysers behind one small interface: Kiwi (default) and mecab-ko.

A backend turns a cleaned text into morphemes with ``form``, ``tag`` (Sejong tags as Kiwi and
mecab-ko-dic use them), ``start`` and ``len`` (character offsets). Backends are process-wide and
created on first use; the analyser only names one (``"kiwi"``, ``"mecab"``), so analysers and the
indexes that hold them stay picklable and share no mutable state.
"""
from __future__ import annotations

import threading
from typing import Iterable, NamedTuple

#: Names accepted by :func:`get_backend`.
BACKENDS = ("kiwi", "mecab")
#: Up to this many texts are analysed with one Kiwi call each (less latency than a batch).
_SINGLE_CALLS_UP_TO = 4
#: Characters that end a sentence (a text without one gets a full stop for mecab-ko).
_SENTENCE_ENDS = frozenset(".!?。")
#: Kiwi's model; part of the analyser version (another model splits words differently).
KIWI_MODEL_TYPE = "cong"


class Morpheme(NamedTuple):
    """One morpheme of an analysed text (the attributes the analyser reads from Kiwi tokens)."""

    form: str
    tag: str
    start: int
    len: int


class KiwiBackend:
    """kiwipiepy with its packaged CoNg model (the shipped pipeline's analyser)."""

    name = "kiwi"

    def __init__(self) -> None:
        from kiwipiepy import Kiwi

        self._kiwi = Kiwi(model_type=KIWI_MODEL_TYPE)

    def tokenize(self, text: str) -> list:
        """Morphemes of one text (Kiwi tokens have form, tag, start and len)."""
        return self._kiwi.tokenize(text, z_coda=False)

    def tokenize_many(self, texts: list[str]) -> list[list]:
        """Morphemes of many texts: a few separately, more in Kiwi's multi-threaded batch."""
        if len(texts) <= _SINGLE_CALLS_UP_TO:
            return [self.tokenize(t) for t in texts]
        return list(self._kiwi.tokenize(iter(texts), z_coda=False))


class MecabBackend:
    """mecab-ko with the dictionary of the ``mecab-ko-dic`` package (optional dependency).

    Inflected and pre-analysed words are split into the morphemes of their expression field
    (``알려`` → 알리/VV + 어/EC), so verb stems come out as Kiwi gives them; compound nouns stay
    whole, as in Kiwi. MeCab taggers are not thread-safe: each thread gets its own.
    """

    name = "mecab"

    def __init__(self) -> None:
        try:
            import mecab_ko  # noqa: F401 - checked here so a missing package fails early
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("the 'mecab' backend needs the packages mecab-ko and mecab-ko-dic "
                              "(pinned in requirements-bench.txt)") from exc
        self._local = threading.local()
        self._tagger()

    def _tagger(self):
        """This thread's MeCab tagger."""
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            import mecab_ko

            tagger = self._local.tagger = mecab_ko.Tagger()
        return tagger

    def tokenize(self, text: str) -> list[Morpheme]:
        """Morphemes of one text (a number written with thousands separators stays one, as in Kiwi)."""
        out: list[Morpheme] = []
        pos = 0
        # mecab-ko-dic's costs make a text-final particle unlikely, so a query or title ending in
        # one is mis-split (가로등의 → 가로/MAG + 등의/NNP); a closing full stop gives it its place.
        closed = text if text[-1:] in _SENTENCE_ENDS else text + "."
        for line in self._tagger().parse(closed).split("\n"):
            surface, sep, feature = line.partition("\t")
            if not sep:
                continue  # "EOS" and the final empty line
            start = closed.find(surface, pos)
            if start >= len(text):
                break  # the full stop added above
            if start < 0:
                start = pos
            pos = start + len(surface)
            fields = feature.split(",")
            tag = fields[0]
            if "+" in tag and len(fields) > 7 and fields[7] != "*":
                # Inflect / Preanalysis: morphemes of the expression "알리/VV/*+어/EC/*"
                for part in fields[7].split("+"):
                    form, _, rest = part.partition("/")
                    out.append(Morpheme(form, rest.partition("/")[0], start, len(surface)))
            elif (tag == "SN" and len(out) >= 2 and out[-1].form == "," and out[-2].tag == "SN"
                  and out[-2].start + out[-2].len + 1 == start and len(surface) == 3):
                first = out[-2]  # 1 , 000 → 1,000
                out[-2:] = [Morpheme(text[first.start:pos], "SN", first.start, pos - first.start)]
            else:
                out.append(Morpheme(surface, tag, start, len(surface)))
        return out

    def tokenize_many(self, texts: list[str]) -> list[list[Morpheme]]:
        """Morphemes of many texts (MeCab is fast enough one by one)."""
        return [self.tokenize(t) for t in texts]


_CLASSES = {"kiwi": KiwiBackend, "mecab": MecabBackend}
_INSTANCES: dict[str, object] = {}
_LOCK = threading.Lock()


def get_backend(name: str = "kiwi"):
    """The process-wide backend called ``name``, created on first use (Kiwi: ≈ 1–2 s)."""
    backend = _INSTANCES.get(name)
    if backend is None:
        if name not in _CLASSES:
            raise ValueError(f"unknown morphological analyser {name!r}; choose from {BACKENDS}")
        with _LOCK:
            backend = _INSTANCES.get(name)
            if backend is None:
                backend = _INSTANCES[name] = _CLASSES[name]()
    return backend


def tokenize_many(name: str, texts: Iterable[str]) -> list[list]:
    """Morphemes of each text with backend ``name``."""
    return get_backend(name).tokenize_many(list(texts))
