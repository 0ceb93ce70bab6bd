"""Which language a document is written in: py3langid's naive Bayes model (shipped in the package, 97
languages), or the language the user gave.

Detection reads at most SAMPLE_CHARS from the start of the text: a news article does not change language
halfway, and the model's cost grows with the text. An override (`--language fr`, `language="fr"`) is
taken as is and its confidence is None: nothing was measured, so no number is invented for it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from summarizer.cache import cache_folder

SAMPLE_CHARS = 5_000
# Too little text to say anything (an empty page, a headline of three words): the default language is kept
# with a confidence of 0.0, so a reader sees the guess was not made on evidence.
MIN_LETTERS = 20
DEFAULT = "en"
# Below this probability the model is unsure (a sentence or two of text, names and numbers mostly): a
# caller that reads only some languages takes the likeliest of those instead of refusing the text.
UNSURE = 0.5
# Fewer letters than this is a headline's worth, where the model's probability means little (four English
# words came out as Nigerian Pidgin at 0.73): such a text counts as unsure whatever the probability says.
# A sentence of German (about 80 letters) is above it, and still refused by rules that cannot read it.
SURE_LETTERS = 40
_CODE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True)
class Identified:
    """An ISO 639-1 code, and the model's probability for it in [0, 1] (None when the user gave the code)."""

    code: str
    confidence: float | None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's model, loaded on first use. The package ships it LZMA-compressed, and decompressing it
    takes 0.7-1.5 s, on every command: the decompressed arrays are kept once in the user's cache folder
    (about 70 MB) and read from there in a few milliseconds; without a usable cache folder the package's
    own loader runs."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    walked = _walked_class(LanguageIdentifier)
    try:
        return _from_cache(walked)
    except Exception:  # noqa: BLE001 - any problem with the cache: the package's own loader is always right
        return walked.from_model_file(MODEL_FILE, norm_probs=True)


# The model's features are byte n-grams found by an Aho-Corasick automaton whose deepest state is WALK_DEPTH
# bytes from the start: the state after any byte depends only on the WALK_DEPTH bytes that end there
# (tests/test_language.py checks the shipped model's depth and the counts on many texts).
WALK_DEPTH = 6


def _walked_class(base: Any) -> Any:
    """py3langid's identifier, counting its features with numpy instead of a Python loop over the bytes.

    The package walks the automaton one byte at a time (about 1 ms per 5,000 bytes, run for every document
    at submit and at collect). Since each state depends only on the last WALK_DEPTH bytes, every position's
    state is found at once: WALK_DEPTH vectorised steps over the whole text. The counts are handed to the
    package's own scoring in the order it would have built them (first occurrence), so every probability is
    the same to the last bit."""
    import numpy

    class Walked(base):
        __slots__ = ("_next", "_row", "_feature", "_pair")

        def __init__(self, nb_ptc: Any, *args: Any, **kwargs: Any) -> None:
            # The package keeps its scores as float16 and multiplies them with float32 counts: numpy casts
            # the document's rows to float32 on every call, over half the cost of scoring one (0.3-0.5 ms
            # for ~1,300 features). Cast once here (about 30 MB more, shared by forked workers): the
            # product is the same float32 sum of the same float32 numbers, so every probability is too.
            super().__init__(numpy.asarray(nb_ptc, dtype=numpy.float32), *args, **kwargs)
            moves = self.tk_nextmove
            typecode = getattr(moves, "typecode", None)
            self._next = numpy.frombuffer(moves, dtype=typecode) if typecode else numpy.asarray(moves)
            self._row = numpy.asarray(self._rowbase, dtype=numpy.int64)
            self._feature = numpy.asarray(self.tk_output, dtype=numpy.int64)
            # The state after any two bytes read from the start state (256 KB): the walk's first two steps
            # in one look-up, in a table that stays in the processor's cache (the full one is 39 MB).
            pairs = numpy.arange(65_536)
            after_one = self._next[self._row[0] + (pairs >> 8)]
            self._pair = self._next[self._row[after_one] + (pairs & 255)]

        def _raw_score(self, text: bytes) -> Any:
            visits = _feature_counts(self._next, self._row, self._feature, self._pair, text) if isinstance(text, bytes) else None
            if visits:
                return self._sparse_score(visits, self.nb_ptc)
            return super()._raw_score(text)

    return Walked


def _feature_counts(next_state: Any, row: Any, feature: Any, pair: Any, data: bytes) -> Counter[int] | None:
    """{feature: count} in order of first occurrence, as py3langid's visit_counts gives them; None if none.
    `pair`: the state after each two bytes read from the start state (index 256 * first + second)."""
    import numpy

    letters = numpy.frombuffer(data, dtype=numpy.uint8).astype(numpy.int64)
    n = len(letters)
    state = numpy.zeros(n, dtype=numpy.int64)
    # Step k reads, for every position i, the byte i - k: position i ends at the state of its last
    # WALK_DEPTH bytes (fewer at the start of the text, from the start state). The first two steps of a
    # full window are one look-up in `pair`; the position whose window is one byte shorter takes one step.
    top = WALK_DEPTH - 1
    if n > top:
        state[top:] = pair[letters[: n - top] * 256 + letters[1 : n - top + 1]]
    if n > top - 1:
        state[top - 1] = next_state[row[0] + letters[0]]
    for k in range(top - 2, -1, -1):
        if n > k:
            state[k:] = next_state[row[state[k:]] + letters[: n - k]]
    found = feature[state]
    found = found[found >= 0]
    # Counted as the package counts them: a Counter keeps the order of first occurrence.
    return Counter(found.tolist()) if len(found) else None


def _cache_path() -> Path:
    from importlib.metadata import version

    return cache_folder() / f"py3langid-{version('py3langid')}.npz"


def _from_cache(identifier_class: Any) -> Any:
    import numpy
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import _to_array, load_model

    path = _cache_path()
    if not path.exists():
        ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
        numpy.savez(
            partial, ptc=ptc, pc=pc, classes=numpy.array(classes), nextmove=numpy.asarray(nextmove),
            nextmove_row=numpy.asarray(row), out_feat=numpy.asarray(output, dtype=numpy.int32),
        )
        os.replace(partial, path)  # whole or absent: a concurrent reader never sees half a file
    with numpy.load(path, allow_pickle=False) as data:
        return identifier_class(
            numpy.asarray(data["ptc"]), numpy.asarray(data["pc"]), data["classes"].tolist(),
            _to_array(data["nextmove"]), data["out_feat"].tolist(), norm_probs=True,
            tk_row=_to_array(data["nextmove_row"]),
        )


def load() -> None:
    """Load the model now rather than on first use: worker processes forked after this share its arrays."""
    _identifier()


def has_letters(text: str, count: int) -> bool:
    """Whether `text` has at least `count` letters (str.isalpha). Stops at the count-th letter: counting
    all of a 5,000-character sample in a generator cost more than the identification itself."""
    return count <= 0 or next(islice(filter(str.isalpha, text), count - 1, None), None) is not None


def identify(text: str) -> Identified:
    """The language `text` is most likely written in, with the model's probability."""
    return _identify_sample(text[:SAMPLE_CHARS])


# The engine and the brief's source both ask about the same cleaned text: it is read once.
@lru_cache(maxsize=16)
def _identify_sample(sample: str) -> Identified:
    if not has_letters(sample, MIN_LETTERS):
        return Identified(DEFAULT, 0.0)
    code, probability = _identifier().classify(sample)
    return Identified(str(code), round(min(max(float(probability), 0.0), 1.0), 4))


def is_unsure(text: str, found: Identified) -> bool:
    """Whether `found` was detected (not given) on too little evidence to refuse the text over it."""
    if found.confidence is None:
        return False
    return found.confidence < UNSURE or not has_letters(text[:SAMPLE_CHARS], SURE_LETTERS)


def normalize_code(code: str) -> str:
    """'FR', ' fr ', 'fr-FR' and 'fr_CA' -> 'fr'; ValueError unless it starts with a two-letter code."""
    head = code.strip().lower().replace("_", "-").split("-")[0]
    if not _CODE.match(head):
        raise ValueError(f"{code!r} is not an ISO 639-1 language code (two letters, e.g. en, fr, de)")
    return head


def language_of(text: str, override: str | None = None) -> Identified:
    """The override when given (confidence None), else what `identify` finds."""
    if override:
        return Identified(normalize_code(override), None)
    return identify(text)


def likeliest(text: str, among: tuple[str, ...]) -> str:
    """The most likely of a few languages for `text` (the first of them when there is no text to judge)."""
    sample = text[:SAMPLE_CHARS]
    if not has_letters(sample, MIN_LETTERS):
        return among[0]
    ranked = [code for code, _ in _identifier().rank(sample) if code in among]
    return str(ranked[0]) if ranked else among[0]
