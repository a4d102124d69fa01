"""matching.ANALYSER_VERSION: one identifier of the terms the default analyser gives."""
from __future__ import annotations

import os
import subprocess
import sys

import matching
from matching.text import KoreanAnalyzer, analyser_version


def test_the_version_is_the_same_in_every_process():
    code = "import matching; print(matching.ANALYSER_VERSION)"
    printed = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2", "3")}
    assert printed == {matching.ANALYSER_VERSION}


def test_settings_that_change_the_terms_change_the_version():
    versions = {analyser_version(KoreanAnalyzer()), analyser_version(KoreanAnalyzer(english=False)),
                analyser_version(KoreanAnalyzer(use_synonyms=False)),
                analyser_version(KoreanAnalyzer(min_latin_len=3))}
    assert len(versions) == 4
    assert analyser_version(KoreanAnalyzer()) == matching.ANALYSER_VERSION


#: Texts whose terms stand for the analyser's behaviour (particles, compounds, numbers, English
#: words, acronyms, stop words, synonyms).
SAMPLES = (
    "지하차도에 물이 차오르면 스마트 침수 경보가 울립니다.",
    "어르신 고독사 예방을 위한 IoT 전력 사용 패턴 안부 확인 서비스",
    "5G 기반 CCTV 영상으로 불법 주정차를 단속하고 드론 배송을 실증했습니다",
    "Flood monitoring sensors warn drivers before the underpasses are flooded.",
    "수요응답형 교통(DRT) 호출 앱과 AI 배차 플랫폼, 미세먼지 측정",
)
#: The version and the terms' fingerprint it was recorded with.
RECORDED_VERSION = "r2-54441fff6d6b"
RECORDED_FINGERPRINT = "d5133153e016232c"


def _fingerprint() -> str:
    import hashlib
    import json

    terms = matching.analyse_many(SAMPLES)
    return hashlib.sha256(json.dumps(terms, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def test_terms_change_only_with_the_version():
    """Guards ANALYSER_REVISION: code that changes the terms must bump it (stored rows go stale)."""
    fingerprint = _fingerprint()
    if matching.ANALYSER_VERSION != RECORDED_VERSION:
        raise AssertionError(
            f"analyser version is now {matching.ANALYSER_VERSION}: record it with its terms' "
            f"fingerprint {fingerprint} in RECORDED_VERSION / RECORDED_FINGERPRINT")
    assert fingerprint == RECORDED_FINGERPRINT, (
        "the analyser's terms changed but its version did not: bump "
        "matching.text.ANALYSER_REVISION (then record the new version and fingerprint here)")
