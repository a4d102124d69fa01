"""English analysis: Snowball stems, English stop words, acronyms kept whole and case-folded."""
import pytest

from matching.english import english_term, is_acronym, is_latin_text, latin_tokens
from matching.evaluation import rank
from matching.index import TextIndex
from matching.text import analyse


@pytest.mark.parametrize("form,term", [
    ("cameras", "camera"), ("Monitoring", "monitor"), ("sensors", "sensor"),
    ("CCTV", "cctv"), ("CCTVs", "cctv"), ("IoT", "iot"), ("AI", "ai"), ("SaaS", "saas"),
    ("IT", "it"), ("US", "us"), ("5G", "5g"), ("roads.", "road"),
])
def test_english_terms(form, term):
    assert english_term(form) == term


@pytest.mark.parametrize("word", ["the", "is", "and", "it", "The", "Which"])
def test_english_stop_words_dropped_unless_written_as_acronyms(word):
    assert english_term(word) is None


def test_acronym_rule():
    assert is_acronym("CCTV") and is_acronym("IoT") and is_acronym("ATMs")
    assert not is_acronym("Camera") and not is_acronym("DIGITAL") and not is_acronym("iPhone")


def test_query_and_document_forms_meet():
    """Lower-case queries reach documents written with capitals or plurals, and vice versa."""
    assert analyse("cctv camera") == analyse("CCTV cameras") == ["cctv", "camera"]
    assert analyse("AI monitoring of IoT sensors") == ["ai", "monitor", "iot", "sensor"]


def test_latin_only_text_matches_the_kiwi_path():
    """English inside Korean text (Kiwi) and alone (no Kiwi) gives the same English terms."""
    alone = analyse("Smart streetlights with CCTV cameras")
    mixed = analyse("스마트 가로등: Smart streetlights with CCTV cameras")
    assert alone == ["smart", "streetlight", "cctv", "camera"]
    assert mixed[-len(alone):] == alone
    assert is_latin_text("IoT 5G, e-mail!") and not is_latin_text("IoT 센서") \
        and not is_latin_text("café")
    assert [t.form for t in latin_tokens("5G mp4 don't")] == ["5", "G", "mp", "4", "don", "t"]


def test_stemming_ranks_inflected_documents_first():
    docs = [{"id": "1", "title": "", "text": "Parking sensors monitor free spaces"},
            {"id": "2", "title": "", "text": "A library for parsing JSON documents"}]
    queries = [{"id": "q", "title": "", "text": "sensor monitoring of parking"}]
    assert [d for d, _ in rank(docs, queries)["q"]][:1] == ["1"]
    cosine = TextIndex(refit_every=None).fit(docs)
    assert cosine.search("monitored sensor")[0][0] == "1"
