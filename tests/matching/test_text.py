"""Text pipeline: particles, endings, HTML, full-width, English, synonyms, edge cases."""
import pytest

from matching.text import (
    KoreanAnalyzer, analyse, analyse_many, get_kiwi, join_tokens, load_stopwords,
    load_synonym_groups, normalize, split_tokens, strip_html,
)


@pytest.mark.parametrize("word", ["교통을", "교통이", "교통의", "교통은", "교통과"])
def test_particles_collapse(word):
    assert analyse(word) == ["교통"]


@pytest.mark.parametrize("text", ["장비를 설치하여 운영", "설치한 장비", "설치했습니다"])
def test_endings_collapse(text):
    assert "설치" in analyse(text)


def test_html_is_stripped_and_entities_decoded():
    html = "<div><p>CCTV&nbsp;설치</p><script>var x='악성';</script><style>.a{}</style></div>"
    assert normalize(html) == "CCTV 설치"
    assert "악성" not in analyse(html)
    assert strip_html("a &amp; b") == "a & b"


def test_full_width_and_noise_normalised():
    assert normalize("ＣＣＴＶ　설치\u200b\r\n\t 완료") == "CCTV 설치 완료"
    assert "cctv" in analyse("ＣＣＴＶ를 설치")


def test_english_lowercased_acronyms_kept():
    terms = analyse("IoT 센서와 CCTV, Digital Twin 기반 5G 통신")
    for t in ("iot", "cctv", "digit", "twin", "5g", "센서", "통신"):
        assert t in terms
    assert "the" not in analyse("the smart city")


@pytest.mark.parametrize("variant,canonical", [
    ("수요응답형 교통", "drt"), ("폐쇄회로", "cctv"), ("사물인터넷", "iot"),
    ("인공지능", "ai"), ("디지털트윈", "digital_twin"), ("digital twin", "digital_twin"),
])
def test_synonyms_map_to_canonical(variant, canonical):
    assert canonical in analyse(f"{variant}을 도입합니다")
    assert canonical in analyse(canonical.replace("_", " ").upper())


def test_stopwords_removed_and_data_shipped():
    assert "것" in load_stopwords()
    assert load_synonym_groups()[0][0] == "drt"
    assert "하" not in analyse("설치를 하였다")


def test_empty_and_none():
    assert analyse("") == []
    assert analyse(None) == []
    assert analyse("   <p></p> ") == []
    assert analyse_many(["", "교통을", None]) == [[], ["교통"], []]


def test_very_long_document_is_bounded():
    text = "스마트 교통 시스템을 구축합니다. " * 5000
    terms = analyse(text)
    assert 0 < len(terms) < 20000
    assert "교통" in terms


def test_batch_equals_single():
    texts = ["교통을 개선", "CCTV 설치", "디지털트윈 플랫폼"]
    assert analyse_many(texts) == [analyse(t) for t in texts]


def test_shared_kiwi_instance():
    assert get_kiwi() is get_kiwi()


def test_token_storage_roundtrip():
    toks = analyse("수요응답형 교통 DRT")
    assert split_tokens(join_tokens(toks)) == toks
    assert split_tokens(None) == []


def test_analyzer_options():
    plain = KoreanAnalyzer(use_synonyms=False, use_stopwords=False)
    assert "drt" not in plain("수요응답형 교통")
