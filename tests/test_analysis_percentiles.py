"""The timeseries' CVL percentiles are numpy's, float for float, whichever way they are computed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.analysis.metrics import SMALL, percentiles

CVLS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=2000, deadline=None)
@given(st.lists(CVLS | st.sampled_from([0.0, 100.0, 125.5, 140.0]), min_size=1, max_size=SMALL + 8))
def test_the_percentiles_of_a_row_are_numpys_to_the_last_bit(values):
    array = np.array(values, dtype=np.float64)
    expected = tuple(float(v) for v in np.percentile(array, [5, 50, 95]))
    assert percentiles(array) == expected


def test_a_row_with_a_nan_is_left_to_numpy():
    array = np.array([150.0, np.nan, 120.0])
    assert all(np.isnan(v) for v in percentiles(array))
