"""Hashed TF-IDF vectors and the online assignment of a night's briefs to stories (scikit-learn, NumPy).

Why this and not MinHash or plain hashing (measured with benchmarks/story_grouping.py, figures in
docs/STORIES.md): a story retold the next day shares its actors and its topic words with the first
telling but few of its word sequences, so shingle-based MinHash finds wire copies and misses rewrites,
while a weighted bag of words with the actors as whole-name tokens finds both. The vectoriser is
`HashingVectorizer` (no vocabulary to store or refit: a night's vectors are made without reading the
past), the inverse document frequencies come from counts kept in the index, and each story is the sum
of its members' unit vectors (an online centroid: adding a brief is one addition).

A brief joins the story whose centroid is most similar, when that similarity, decayed with the days
since the story was last seen (halved every HALF_LIFE_DAYS), reaches THRESHOLD; otherwise it starts a
story. Briefs are taken in a fixed order, and stories started earlier the same night are candidates for
the later briefs, so a night's result depends only on the index before it and the night's briefs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from summarizer.stories import terms

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer

N_FEATURES = terms.N_FEATURES
THRESHOLD = 0.3
HALF_LIFE_DAYS = 14.0
MAX_AGE_DAYS = 90  # stories not seen for this long are no longer candidates (the index keeps them)
_CHUNK = 256  # rows of the night scored against every candidate at once (bounds memory)



@lru_cache(maxsize=1)
def _vectorizer() -> HashingVectorizer:
    # Imported on first use: scikit-learn takes 1.5 s to import, which every run of the command paid,
    # and a night with no new brief (a Batch API run that only submits) indexes nothing.
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        stop_words="english",
        token_pattern=terms.TOKEN_PATTERN,
        dtype=np.float32,
    )


def raw_counts(texts: Iterable[str]) -> sparse.csr_matrix:
    """Hashed term counts, one row per text (read one at a time: a night's texts need not be held at once)."""
    return sparse.csr_matrix(_vectorizer().transform(texts), dtype=np.float32)


def counted_row(text: str) -> bytes:
    """`pack_rows(raw_counts([text]))[0]`, for one text without the vectoriser's per-call cost (~0.3 ms of
    parameter checks and sparse matrices, many times its hashing of a brief's few dozen words): the same
    tokens, hashed to the same columns (`abs(hash) % N_FEATURES`, as its FeatureHasher does) and counted,
    in column order, with neither the vectoriser nor scikit-learn (`terms`). tests/stories/test_counted_row.py
    compares the two on random and real texts."""
    tally = Counter(terms.columns(text))
    columns = sorted(tally)
    counts = [tally[c] for c in columns]
    return np.array(columns, dtype="<i4").tobytes() + np.array(counts, dtype="<f4").tobytes()


def pack(row: sparse.csr_matrix) -> bytes:
    """One sparse row as bytes: its column indices then its values, little-endian 4-byte each."""
    row = sparse.csr_matrix(row)
    return row.indices.astype("<i4").tobytes() + row.data.astype("<f4").tobytes()


def pack_rows(matrix: sparse.csr_matrix) -> list[bytes]:
    """Every row of a CSR matrix packed as `pack` does, without slicing the matrix row by row."""
    matrix = sparse.csr_matrix(matrix)
    matrix.sort_indices()
    indices = matrix.indices.astype("<i4")
    data = matrix.data.astype("<f4")
    ptr = matrix.indptr
    return [indices[ptr[r] : ptr[r + 1]].tobytes() + data[ptr[r] : ptr[r + 1]].tobytes() for r in range(matrix.shape[0])]


def unpack_rows(blobs: Sequence[bytes], width: int = N_FEATURES) -> sparse.csr_matrix:
    """Rows packed by `pack`, as one CSR matrix."""
    indptr = np.zeros(len(blobs) + 1, dtype=np.int64)
    sizes = np.fromiter((len(blob) // 8 for blob in blobs), dtype=np.int64, count=len(blobs))
    np.cumsum(sizes, out=indptr[1:])
    joined = b"".join(blobs)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    offset = 0
    for i, blob in enumerate(blobs):
        n = int(sizes[i])
        start = int(indptr[i])
        indices[start : start + n] = np.frombuffer(joined, dtype="<i4", count=n, offset=offset)
        data[start : start + n] = np.frombuffer(joined, dtype="<f4", count=n, offset=offset + 4 * n)
        offset += 8 * n
    return sparse.csr_matrix((data, indices, indptr), shape=(len(blobs), width))


def idf(df: np.ndarray, documents: int) -> np.ndarray:
    """Smoothed inverse document frequency, as scikit-learn's TfidfTransformer computes it."""
    return (np.log((1.0 + documents) / (1.0 + df)) + 1.0).astype(np.float32)


def tfidf(raw: sparse.csr_matrix, weights: np.ndarray) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows: sublinear term frequency times the inverse document frequency."""
    out = raw.copy().astype(np.float32)
    out.data = (1.0 + np.log(out.data)) * weights[out.indices]
    return unit_rows(sparse.csr_matrix(out))


def unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """`matrix` (float32 CSR) with each row divided by its L2 norm, in place; an all-zero row is left as it
    is. The arithmetic of scikit-learn's `normalize(norm="l2")`, to the last bit: each value squared in
    float32, the squares added in order in double precision, each value divided by the root in double and
    rounded back. A run whose briefs were counted by its workers no longer imports scikit-learn (1-2 s)
    for this alone."""
    data, indptr = matrix.data, matrix.indptr
    squares = (data * data).astype(np.float64)
    for row in range(matrix.shape[0]):
        start, end = int(indptr[row]), int(indptr[row + 1])
        if start == end:
            continue
        total = np.add.accumulate(squares[start:end])[-1]  # accumulate adds in order (a sum may not)
        if total != 0.0:
            data[start:end] = (data[start:end].astype(np.float64) / np.sqrt(total)).astype(np.float32)
    return matrix


def decay(age_days: np.ndarray) -> np.ndarray:
    return np.power(0.5, np.maximum(age_days, 0.0) / HALF_LIFE_DAYS)


@dataclass
class Candidates:
    """The stories a night's briefs may join: centroid sums, and the decay for the days since each was seen."""

    centroids: sparse.csr_matrix
    decay: np.ndarray
    norms: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        squared = np.asarray(self.centroids.multiply(self.centroids).sum(axis=1)).ravel()
        self.norms = np.sqrt(squared).astype(np.float64)


def assign(vectors: sparse.csr_matrix, candidates: Candidates, threshold: float = THRESHOLD) -> list[int]:
    """For each row of `vectors` (unit TF-IDF, in the night's order): the candidate it joins (0..K-1), or
    K + m when it joins (or starts) the m-th story started this night.

    A centroid grows as rows join it, so a row's similarity to it is the dot with the stored centroid
    plus the dots with the rows of this night that joined before it (from the night's Gram matrix);
    both are computed for all stories at once per row.
    """
    k = candidates.centroids.shape[0]
    n = vectors.shape[0]
    squared = candidates.norms.astype(np.float64) ** 2  # |centroid|^2, updated as rows join
    story_of = np.full(n, -1, dtype=np.int64)  # what each earlier row of the night joined: 0..K-1, or K + m
    new_squared: list[float] = []
    out: list[int] = []
    centroids_t = candidates.centroids.T.tocsc()
    for begin in range(0, n, _CHUNK):
        block = vectors[begin : begin + _CHUNK]
        dots = (block @ centroids_t).toarray().astype(np.float64)
        # The block's rows of the night's Gram matrix (brief x brief similarities), up to its last brief:
        # the whole matrix would be dense n x n (800 MB for a night of 10,000 briefs).
        gram = (block @ vectors[: begin + block.shape[0]].T).toarray().astype(np.float64)
        for r in range(block.shape[0]):
            i = begin + r
            extra = np.bincount(story_of[:i], weights=gram[r, :i], minlength=k + len(new_squared))
            total = extra.astype(np.float64)  # an empty bincount is integer
            total[:k] += dots[r]
            norms = np.sqrt(np.concatenate([squared, np.asarray(new_squared)]))
            with np.errstate(divide="ignore", invalid="ignore"):
                scores = np.where(norms > 0, total / norms, 0.0)
            scores[:k] *= candidates.decay
            best = int(np.argmax(scores)) if scores.size else -1
            if best >= 0 and scores[best] >= threshold:
                grow = 2 * total[best] + gram[r, i]
                if best < k:
                    squared[best] += grow
                else:
                    new_squared[best - k] += grow
            else:
                best = k + len(new_squared)
                new_squared.append(float(gram[r, i]))
            story_of[i] = best
            out.append(best)
    return out
