"""The timeseries' CVL percentiles are numpy's, float for float, whichever way they are computed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.analysis.metrics import SMALL, percentiles

CVLS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
ANY = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=2000, deadline=None)
@given(st.lists(CVLS | st.sampled_from([0.0, 100.0, 125.5, 140.0]), min_size=1, max_size=SMALL + 8))
def test_the_percentiles_of_a_row_are_numpys_to_the_last_bit(values):
    array = np.array(values, dtype=np.float64)
    expected = tuple(float(v) for v in np.percentile(array, [5, 50, 95]))
    assert percentiles(array) == expected


@settings(max_examples=500, deadline=None)
@given(st.lists(ANY, min_size=1, max_size=SMALL))
def test_with_infinities_or_nans_they_are_still_numpys(values):
    array = np.array(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf in numpy's interpolation, as in ours
        expected = np.percentile(array, [5, 50, 95])
        assert np.array_equal(np.array(percentiles(array)), expected, equal_nan=True)


def test_a_row_with_a_nan_is_left_to_numpy():
    array = np.array([150.0, np.nan, 120.0])
    assert all(np.isnan(v) for v in percentiles(array))
