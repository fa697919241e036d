"""The forecaster's fast row median gives numpy's nanmedian bit for bit, NaN padding and odd/even widths alike."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from forewarn.analysis.forecast.prepare import nanmedian_rows, rolling_median


@pytest.mark.parametrize("seed", range(8))
def test_row_medians_equal_nanmedian_with_nan_inf_ties_and_every_width(seed):
    rng = np.random.default_rng(seed)
    for _ in range(300):
        width, n = int(rng.integers(1, 17)), int(rng.integers(0, 40))
        rows = np.round(rng.normal(size=(n, width)), int(rng.integers(0, 3)))  # rounding makes ties
        rows[rng.random(rows.shape) < rng.choice([0.0, 0.2, 0.6])] = np.nan
        rows[rng.random(rows.shape) < rng.choice([0.0, 0.05])] = rng.choice([np.inf, -np.inf])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on all-NaN rows
            expected = np.nanmedian(rows, axis=1)
        got = nanmedian_rows(rows)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


def test_rolling_median_is_the_trailing_median_and_damps_a_spike():
    values = np.array([1.0, 5.0, 2.0, 100.0, 3.0, 4.0])
    np.testing.assert_array_equal(rolling_median(values, 3), [1.0, 3.0, 2.0, 5.0, 3.0, 4.0])
