"""Korean particles (조사) chosen by the final consonant (받침) of the word they follow.

`particle("화성시", "이")` is "가", `particle("서울", "으로")` is "로" (ㄹ rule),
`particle("3", "을")` is "을" (삼). A message keeps the particle in its own placeholder, named
after the word's with the pair's suffix (`_ga`, `_ro`…, see PAIRS):
`_("%(place)s%(place_ga)s 수락했습니다.", **particle_args("place", name, "이"))`, so that a
translation into another language simply leaves that placeholder out.
"""
from __future__ import annotations

import re

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_FINALS_PER_SYLLABLE = 28
_RIEUL = 8  # index of ㄹ among the final consonants

# (with a final consonant, without one, placeholder suffix); the 으로 family also takes the
# second form after ㄹ.
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("이", "가", "ga"), ("은", "는", "neun"), ("을", "를", "reul"), ("과", "와", "wa"),
    ("아", "야", "ya"), ("이에요", "예요", "yeyo"), ("이었다", "였다", "yeotda"),
    ("이다", "다", "da"), ("이나", "나", "na"), ("이랑", "랑", "rang"), ("이라고", "라고", "rago"),
    ("이라는", "라는", "raneun"), ("이며", "며", "myeo"), ("이여", "여", "yeo"),
    ("으로", "로", "ro"), ("으로서", "로서", "roseo"), ("으로써", "로써", "rosseo"),
    ("으로부터", "로부터", "robuteo"),
)
PLACEHOLDER_SUFFIXES = frozenset(suffix for _a, _b, suffix in PAIRS)
_PAIR_OF = {form: entry for entry in PAIRS for form in entry[:2]}
_PAIR_OF.update({f"{a}/{b}": (a, b, s) for a, b, s in PAIRS})
_PAIR_OF.update({f"{a}({b})": (a, b, s) for a, b, s in PAIRS})

# What a final digit is read as: None for no final consonant, else whether it is ㄹ.
_HAS_FINAL, _NO_FINAL, _FINAL_RIEUL = "final", "none", "rieul"
_DIGIT_SOUND = {"0": _HAS_FINAL, "1": _FINAL_RIEUL, "2": _NO_FINAL, "3": _HAS_FINAL,
                "4": _NO_FINAL, "5": _NO_FINAL, "6": _HAS_FINAL, "7": _FINAL_RIEUL,
                "8": _FINAL_RIEUL, "9": _NO_FINAL}  # 영 일 이 삼 사 오 육 칠 팔 구
# A round number is read by its last unit: 십 백 천 만(×4) 억(×4) 조(×4) 경.
_ZEROS_SOUND = [_HAS_FINAL] * 11 + [_NO_FINAL] * 4
# Latin letters as Koreans spell them out: 엘, 엠, 엔, 알 end in a consonant.
_LETTER_SOUND = {"l": _FINAL_RIEUL, "r": _FINAL_RIEUL, "m": _HAS_FINAL, "n": _HAS_FINAL}
_SKIPPED_AT_END = set(" \t\n)]}>'\"’”」』》〉】.,!?…·")
_VOWELS = set("aeiouy")


def _hangul_sound(char: str) -> str:
    final = (ord(char) - _HANGUL_FIRST) % _FINALS_PER_SYLLABLE
    if final == 0:
        return _NO_FINAL
    return _FINAL_RIEUL if final == _RIEUL else _HAS_FINAL


def _number_sound(digits: str) -> str:
    stripped = digits.rstrip("0")
    if not stripped:  # 영
        return _HAS_FINAL
    zeros = len(digits) - len(stripped)
    if zeros == 0:
        return _DIGIT_SOUND[digits[-1]]
    return _ZEROS_SOUND[zeros - 1] if zeros <= len(_ZEROS_SOUND) else _HAS_FINAL  # 경


def _latin_sound(word: str) -> str:
    """An acronym (DRT, kr) by its last letter's name; an English word by how it is borrowed."""
    letters = re.search(r"[A-Za-z]+$", word).group(0)
    if letters[-1].isupper() or not (set(letters.lower()) & _VOWELS):
        return _LETTER_SOUND.get(letters[-1].lower(), _NO_FINAL)
    lower = letters.lower()
    if lower.endswith(("l", "le")):  # Seoul 서울, apple 애플
        return _FINAL_RIEUL
    if lower.endswith(("m", "n", "ng", "ck", "k", "p")):  # 팀, 앱, 북, 숍
        return _HAS_FINAL
    return _NO_FINAL  # smart 스마트, city 시티, match 매치


def final_sound(word: object) -> str | None:
    """'final', 'rieul' or 'none' for the last sound of `word`; None when it cannot be read."""
    text = str(word or "").rstrip()
    while text and text[-1] in _SKIPPED_AT_END:
        text = text[:-1]
    if not text:
        return None
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return _hangul_sound(last)
    if last.isdigit() and last in _DIGIT_SOUND:
        return _number_sound(re.search(r"[0-9][0-9,]*$", text).group(0).replace(",", ""))
    if last.isascii() and last.isalpha():
        return _latin_sound(text)
    return None


def _pair(form: str) -> tuple[str, str, str]:
    try:
        return _PAIR_OF[form]
    except KeyError:
        raise ValueError(f"unknown particle {form!r}") from None


def particle(word: object, form: str) -> str:
    """The form of the particle `form` (either form, or "이/가", "이(가)") that follows `word`."""
    with_final, without_final, _suffix = _pair(form)
    sound = final_sound(word)
    if sound is None:  # unreadable (a symbol, an emoji): the traditional both-forms spelling
        return f"{with_final}({without_final})"
    if sound == _NO_FINAL or (sound == _FINAL_RIEUL and with_final.startswith("으로")):
        return without_final
    return with_final


def with_particle(word: object, form: str) -> str:
    """`word` followed by its particle ("화성시가"); only for text that is Korean in every locale."""
    return f"{word}{particle(word, form)}"


def particle_args(name: str, word: object, *forms: str) -> dict[str, object]:
    """Message arguments for `word` as `name` plus its particles: ("place", "화성시", "이") gives
    {"place": "화성시", "place_ga": "가"}."""
    args: dict[str, object] = {name: word}
    for form in forms:
        args[f"{name}_{_pair(form)[2]}"] = particle(word, form)
    return args
