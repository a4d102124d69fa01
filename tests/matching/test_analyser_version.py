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
