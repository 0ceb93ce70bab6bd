"""Unit-length rows without scikit-learn: bit for bit what its `normalize(norm="l2")` makes of the story
index's float32 rows (any sizes, empty and zero rows, tiny and huge values)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.preprocessing import normalize

from summarizer.stories.similarity import unit_rows

_VALUE = st.one_of(
    st.floats(min_value=-(2.0**60), max_value=2.0**60, allow_nan=False, width=32),
    st.sampled_from([0.0, 1.0, 1e-30, 3.0e-38, 2.5, 1.0 / 3.0]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_VALUE, max_size=300), min_size=1, max_size=12))
def test_rows_are_those_scikit_learn_normalises(rows: list[list[float]]) -> None:
    width = max((len(r) for r in rows), default=0) + 1
    dense = np.zeros((len(rows), width), dtype=np.float32)
    for i, row in enumerate(rows):
        dense[i, : len(row)] = row
    matrix = sparse.csr_matrix(dense)
    matrix.data[::3] = 0.0  # stored zeros, as a CSR matrix may hold them
    expected = normalize(matrix.copy(), norm="l2", copy=False)
    got = unit_rows(matrix.copy())
    assert got.dtype == np.float32
    assert np.array_equal(got.indptr, expected.indptr) and np.array_equal(got.indices, expected.indices)
    assert got.data.tobytes() == expected.data.tobytes()
