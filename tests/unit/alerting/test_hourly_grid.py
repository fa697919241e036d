"""The hourly grid the forecast screen reads: means of whole hours from per-tick batches, as a plain loop gets them."""

from __future__ import annotations

import numpy as np

from forewarn.alerting.hourly_grid import HOUR, HourlyGrid

T0 = 1_700_006_400.0  # midnight UTC


def test_tick_batches_give_each_whole_hours_mean_in_the_ring_and_nothing_older():
    rnd = np.random.default_rng(2)
    ids = np.array([40, 7, 19, 3, 88])  # not sorted, as the simulator's batches are not
    hours = 24
    grid = HourlyGrid(hours)
    grid.warm({int(i): (np.zeros(0), np.zeros(0), None) for i in ids[:4]}, T0)  # 88 is never warmed
    sums: dict[tuple[int, int], float] = {}
    counts: dict[tuple[int, int], int] = {}
    minutes = 30 * 60 + 17  # more hours than the ring holds, and an hour under way at the end
    for k in range(1, minutes + 1):
        t = T0 + 60.0 * k
        values = np.round(rnd.normal(50, 10, ids.size), 3)
        values[rnd.random(ids.size) < 0.05] = np.nan  # gaps are skipped
        grid.add(ids, np.full(ids.size, t), values)
        for sid, v in zip(ids.tolist(), values.tolist(), strict=True):
            if np.isfinite(v):
                key = (sid, int(t // HOUR))
                sums[key] = sums.get(key, 0.0) + v  # in arrival order, as the grid adds them
                counts[key] = counts.get(key, 0) + 1
    now = T0 + 60.0 * minutes
    y, mask, t = grid.matrix(ids, now)
    first = int(now // HOUR) - hours
    np.testing.assert_array_equal(t, ((first + np.arange(hours)) * HOUR + HOUR / 2 - now) / 86_400.0)
    for r, sid in enumerate(ids.tolist()):
        for c in range(hours):
            key = (sid, first + c)
            # The ring has `hours` slots and the hour under way already took the oldest hour's slot.
            if sid == 88 or key not in counts or c == 0:
                assert not mask[r, c] and y[r, c] == 0.0
            else:
                assert mask[r, c] and y[r, c] == sums[key] / counts[key]
    # The layout the screen's sums have always seen (they follow it, so it is part of the result).
    assert y.flags.f_contiguous and mask.flags.f_contiguous
