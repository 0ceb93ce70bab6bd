"""The story index's words counted without scikit-learn: its own stop words, kept in the cache folder, and
no import of it where the cache is there (a Batch API collect run forks its workers after `terms.load`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from summarizer.stories import terms

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    terms.stop_words.cache_clear()
    yield terms._cache_path()
    terms.stop_words.cache_clear()


def test_the_stop_words_are_scikit_learns_and_are_kept_for_the_next_process(cache: Path) -> None:
    assert not cache.exists()
    assert terms.stop_words() == ENGLISH_STOP_WORDS
    assert frozenset(json.loads(cache.read_text("utf-8"))) == ENGLISH_STOP_WORDS
    terms.stop_words.cache_clear()
    cache.write_text(json.dumps(["kept", "words"]), "utf-8")  # what is kept is what is read
    assert terms.stop_words() == {"kept", "words"}


@pytest.mark.parametrize("content", ["", "{not json", "[]", "[1, 2]", '{"a": 1}'])
def test_an_unusable_cache_is_read_from_scikit_learn_again(cache: Path, content: str) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text(content, "utf-8")
    assert terms.stop_words() == ENGLISH_STOP_WORDS
    assert frozenset(json.loads(cache.read_text("utf-8"))) == ENGLISH_STOP_WORDS


def test_counting_a_briefs_words_does_not_import_scikit_learn_once_the_cache_is_there(cache: Path) -> None:
    terms.stop_words()
    probe = (
        "import sys\n"
        "from summarizer.stories import similarity, terms\n"
        "terms.load()\n"
        "row = similarity.counted_row('Kyiv shelling of the city')\n"
        "print(len(row), any(m == 'sklearn' or m.startswith('sklearn.') for m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["24", "False"]  # three columns and their counts, 4 bytes each
