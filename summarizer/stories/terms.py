"""The words of a text the story index counts, and the column each is counted in, without scikit-learn.

The index's vectoriser (`similarity._vectorizer`, scikit-learn's HashingVectorizer) lower-cases a text,
takes its tokens with the token pattern, drops scikit-learn's English stop words, and counts each token
in column `abs(MurmurHash3(token)) % N_FEATURES` (the 32-bit x86 hash of its UTF-8 bytes, seed 0, signed).
A Batch API night counts every brief's words this way in its workers, and importing scikit-learn for it
cost ~2 s before they forked, in every collect run. The stop words are scikit-learn's own: read from it
once per installed version and kept in the user's cache folder; the hash is the `murmurhash` package's
(a spaCy dependency), which is the same function. tests/stories/test_counted_row.py compares the counts
with the vectoriser's on random and real texts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from summarizer.atomic import write_atomically
from summarizer.cache import cache_folder

N_FEATURES = 2**18
# Words that start with a letter: numbers are what changes between tellings of a story, not what it is.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]\w+\b"
_TOKENS = re.compile(TOKEN_PATTERN)


def load() -> None:
    """Read the stop words and load the hash now (before worker processes fork and share them)."""
    stop_words()
    token_hash()


def columns(text: str) -> list[int]:
    """The column of each of the text's tokens, in order (a token as often as it occurs)."""
    stop, murmur = stop_words(), token_hash()
    return [abs(murmur(token)) % N_FEATURES for token in _TOKENS.findall(text.lower()) if token not in stop]


@lru_cache(maxsize=1)
def token_hash() -> Callable[[str], int]:
    """MurmurHash3 (x86, 32-bit, signed) of a token's UTF-8 bytes with seed 0, as the vectoriser hashes it."""
    from murmurhash.mrmr import hash as murmur

    return murmur


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words: from the cache folder, or from scikit-learn (then kept there)."""
    path = _cache_path()
    try:
        words = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(words, list) and words and all(isinstance(w, str) for w in words):
            return frozenset(words)
    except (OSError, ValueError):
        pass
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    try:
        # Whole or absent: a concurrent reader never sees half a file.
        write_atomically(path, json.dumps(sorted(ENGLISH_STOP_WORDS)), durable=False)
    except OSError:
        pass  # no usable cache folder: scikit-learn is read again next time
    return frozenset(ENGLISH_STOP_WORDS)


def _cache_path() -> Path:
    from importlib.metadata import version

    return cache_folder() / f"scikit-learn-{version('scikit-learn')}-stop-words.json"
