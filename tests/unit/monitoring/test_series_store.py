"""Both SeriesStore implementations keep samples, downsample, roll up and expire them the same way."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import DuckDBSeriesStore, MemorySeriesStore, SampleError, SeriesStore

T0 = 1_700_006_400.0  # midnight UTC, so bucket edges of every width fall on round numbers
MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
KINDS = ["memory", "duckdb"]

StoreFactory = Callable[..., SeriesStore]


def open_store(kind: str, directory: Path, **retention: float) -> SeriesStore:
    if kind == "memory":
        return MemorySeriesStore(**retention)
    return DuckDBSeriesStore(directory / "series.duckdb", **retention)


@pytest.fixture(params=KINDS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    opened: list[SeriesStore] = []

    def make(**retention: float) -> SeriesStore:
        store = open_store(request.param, tmp_path / str(len(opened)), **retention)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> SeriesStore:
    return make_store()


def batch(ids, ts, values) -> SampleBatch:  # noqa: ANN001
    return SampleBatch(np.asarray(ids), np.asarray(ts, dtype=float), np.asarray(values, dtype=float))


def every_minute(series_id: int, start: float, n: int, values: np.ndarray | None = None) -> SampleBatch:
    vals = np.arange(n, dtype=float) if values is None else values
    return batch(np.full(n, series_id), start + np.arange(n) * MIN, vals)


def reference(ts: np.ndarray, values: np.ndarray, start: float, end: float, step: float) -> dict[str, np.ndarray]:
    """Bucket means/min/max/count the slow obvious way: whole aligned buckets touched by [start, end]."""
    secs = np.rint(ts).astype(np.int64)  # the store keeps whole seconds
    step_s = int(step)
    lo = math.ceil(start) // step_s * step_s
    hi = math.floor(end) // step_s * step_s + step_s
    keep = (secs >= lo) & (secs < hi)
    buckets = secs[keep] // step_s * step_s
    kept = values[keep]
    starts = np.unique(buckets)
    return {
        "timestamps": starts.astype(float),
        "values": np.array([kept[buckets == b].mean() for b in starts]),
        "min": np.array([kept[buckets == b].min() for b in starts]),
        "max": np.array([kept[buckets == b].max() for b in starts]),
        "count": np.array([(buckets == b).sum() for b in starts]),
    }


def assert_matches(rng, expected: dict[str, np.ndarray]) -> None:  # noqa: ANN001
    np.testing.assert_array_equal(rng.timestamps, expected["timestamps"])
    np.testing.assert_allclose(rng.values, expected["values"], rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(rng.min, expected["min"])
    np.testing.assert_array_equal(rng.max, expected["max"])
    np.testing.assert_array_equal(rng.count, expected["count"])


# --- append and raw reads ---------------------------------------------------------------------


def test_raw_read_returns_the_samples_of_one_series_in_time_order(store):
    assert store.append(batch([7, 8, 7, 7], [T0 + 120, T0, T0, T0 + 60], [3.0, 99.0, 1.0, 2.0])) == 4
    rng = store.read(7, T0, T0 + 120)
    np.testing.assert_array_equal(rng.timestamps, [T0, T0 + 60, T0 + 120])
    np.testing.assert_array_equal(rng.values, [1.0, 2.0, 3.0])
    assert rng.min is None and rng.step is None


def test_range_bounds_are_inclusive_and_timestamps_are_whole_seconds(store):
    store.append(batch([1, 1, 1, 1], [T0 - 1, T0 + 0.4, T0 + 10.2, T0 + 11], [0, 1, 2, 3]))
    rng = store.read(1, T0 - 0.5, T0 + 10.5)
    np.testing.assert_array_equal(rng.timestamps, [T0, T0 + 10])
    np.testing.assert_array_equal(rng.values, [1.0, 2.0])
    np.testing.assert_array_equal(store.read(1, T0 + 10, T0 + 11).values, [2.0, 3.0])


def test_an_empty_batch_stores_nothing_and_returns_zero(store):
    assert store.append(batch([], [], [])) == 0
    assert len(store.read(1, 0, 4e9)) == 0


def test_reads_of_unknown_series_or_backward_ranges_are_empty(store):
    store.append(every_minute(1, T0, 10))
    assert len(store.read(2, T0, T0 + HOUR)) == 0
    assert len(store.read(1, T0 + HOUR, T0)) == 0
    empty = store.read(1, T0 + DAY, T0 + 2 * DAY, max_points=100)
    assert len(empty) == 0 and empty.step is not None and len(empty.min) == 0


# --- rejected input ---------------------------------------------------------------------------


@pytest.mark.parametrize(("ts", "value", "words"), [
    (T0, float("nan"), "NaN or infinite"),
    (T0, float("inf"), "NaN or infinite"),
    (float("nan"), 1.0, "timestamps"),
    (-5.0, 1.0, "timestamps"),
    (T0 * 1000, 1.0, "milliseconds by mistake"),
])
def test_a_batch_with_one_bad_sample_is_rejected_whole_with_a_sentence(store, ts, value, words):
    bad = batch([1, 1, 1], [T0, ts, T0 + 60], [1.0, value, 2.0])
    with pytest.raises(SampleError, match=words) as err:
        store.append(bad)
    assert "index 1" in str(err.value) and "nothing was stored" in str(err.value)
    assert len(store.read(1, 0, 4e9)) == 0


def test_series_ids_outside_uint32_are_rejected(store):
    with pytest.raises(SampleError, match="series ids"):
        store.append(batch([-1], [T0], [1.0]))
    with pytest.raises(SampleError, match="series ids"):
        store.append(batch([2**32], [T0], [1.0]))


def test_columns_of_different_lengths_are_rejected(store):
    with pytest.raises(ValueError, match="differ in length"):
        batch([1, 2], [T0], [1.0, 2.0])
    mutated = batch([1, 2], [T0, T0], [1.0, 2.0])
    mutated.values = np.array([1.0])  # SampleBatch is mutable: the store checks again
    with pytest.raises(SampleError, match="differ in length"):
        store.append(mutated)
    assert len(store.read(1, 0, 4e9)) == 0


# --- downsampling -----------------------------------------------------------------------------


def test_downsampled_buckets_carry_mean_min_max_and_count(store):
    store.append(batch([1] * 6, T0 + np.array([0, 100, 200, 300, 400, 599]), [1, 5, 3, 10, 20, 30]))
    rng = store.read(1, T0, T0 + 599, max_points=3)
    assert rng.step == 300.0
    np.testing.assert_array_equal(rng.timestamps, [T0, T0 + 300])
    np.testing.assert_array_equal(rng.values, [3.0, 20.0])
    np.testing.assert_array_equal(rng.min, [1.0, 10.0])
    np.testing.assert_array_equal(rng.max, [5.0, 30.0])
    np.testing.assert_array_equal(rng.count, [3, 3])


def test_buckets_are_aligned_to_the_clock_whatever_the_range_start(store):
    store.append(every_minute(1, T0, 24 * 60))
    a = store.read(1, T0 + 17, T0 + DAY - 1, max_points=200)
    b = store.read(1, T0 + 431, T0 + DAY - 1, max_points=200)
    assert a.step == b.step and np.all(a.timestamps % a.step == 0)
    np.testing.assert_array_equal(a.values[1:], b.values[-(len(a) - 1):])


def test_gaps_leave_buckets_out_instead_of_nan(store):
    store.append(every_minute(1, T0, 60))
    store.append(every_minute(1, T0 + 5 * HOUR, 60))
    rng = store.read(1, T0, T0 + 6 * HOUR, max_points=50)
    assert len(rng) > 0 and not np.isnan(rng.values).any() and np.all(rng.count > 0)
    assert rng.timestamps.max() >= T0 + 5 * HOUR and not ((rng.timestamps > T0 + HOUR) & (rng.timestamps < T0 + 5 * HOUR)).any()


def test_max_points_below_two_is_refused(store):
    store.append(every_minute(1, T0, 5))
    with pytest.raises(ValueError, match="at least 2"):
        store.read(1, T0, T0 + 300, max_points=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    span=st.sampled_from([10.0, 600.0, 7 * HOUR, 2 * DAY]),
    max_points=st.integers(2, 700),
    rollup_at=st.one_of(st.none(), st.floats(0.0, 1.0)),
)
def test_downsampling_matches_a_slow_reference_before_and_after_rollups(make_store, seed, span, max_points,
                                                                        rollup_at):
    rnd = np.random.default_rng(seed)
    n = int(rnd.integers(1, 400))
    ts = np.round(T0 + rnd.uniform(0, span, n), 3)
    values = np.round(rnd.normal(50, 20, n), 2)
    store = make_store()
    if rollup_at is None:
        store.append(batch(np.ones(n, int), ts, values))
    else:  # half before a rollup, half after: the second half includes late samples behind the watermark
        half = n // 2
        store.append(batch(np.ones(half, int), ts[:half], values[:half]))
        store.rollup(T0 + rollup_at * span)
        store.append(batch(np.ones(n - half, int), ts[half:], values[half:]))
    start, end = T0 + span * rnd.uniform(0, 0.5), T0 + span * rnd.uniform(0.5, 1.0)
    rng = store.read(1, start, end, max_points=max_points)
    assert len(rng) <= max_points
    assert_matches(rng, reference(ts, values, start, end, rng.step))


# --- many series, latest ----------------------------------------------------------------------


def test_read_many_answers_every_requested_id_like_single_reads(store):
    for sid in (3, 1, 2):
        store.append(every_minute(sid, T0, 120, np.arange(120.0) * sid))
    many = store.read_many([1, 2, 3, 4], T0, T0 + 2 * HOUR, max_points=20)
    assert set(many) == {1, 2, 3, 4} and len(many[4]) == 0
    for sid in (1, 2, 3):
        one = store.read(sid, T0, T0 + 2 * HOUR, max_points=20)
        np.testing.assert_array_equal(many[sid].values, one.values)
        np.testing.assert_array_equal(many[sid].timestamps, one.timestamps)
    raw = store.read_many(np.array([2, 3]), T0, T0 + 2 * MIN)
    np.testing.assert_array_equal(raw[3].values, [0.0, 3.0, 6.0])



def test_reads_of_some_series_among_many_match_the_reference_as_ticks_roll_up_and_arrive_late(store):
    # The simulator's pattern: one batch of every series per minute, rollups now and then, reads of a
    # few series. The memory store finds these rows by time slice and by series index, not by scan.
    rnd = np.random.default_rng(5)
    ids = rnd.permutation(np.arange(1, 41))
    kept: dict[int, list[tuple[float, float]]] = {int(i): [] for i in ids}

    def tick(t: float) -> None:
        values = np.round(rnd.normal(50, 20, ids.size), 2)
        store.append(batch(ids, np.full(ids.size, t), values))
        for sid, v in zip(ids.tolist(), values.tolist(), strict=True):
            kept[sid].append((t, v))

    def check(wanted: list[int], end: float) -> None:
        got = store.read_many(wanted, T0, end, max_points=50)
        for sid in wanted:
            if sid not in kept:
                assert len(got[sid]) == 0
                continue
            ts, values = (np.array(c) for c in zip(*kept[sid], strict=True))
            assert_matches(got[sid], reference(ts, values, T0, end, got[sid].step))

    for k in range(6 * 60 + 10):
        tick(T0 + k * MIN)
        if k == 100:  # a sample stamped ahead of the others (a skewed clock): raw is no longer in time order
            store.append(batch([ids[3]], [T0 + 6 * HOUR + 5 * MIN + 7], [-1000.0]))
            kept[int(ids[3])].append((T0 + 6 * HOUR + 5 * MIN + 7, -1000.0))
        if k % 90 == 89:
            store.rollup(T0 + k * MIN)
            check([int(ids[3]), int(ids[17]), 999], T0 + k * MIN)
    # Late samples: one behind the newest in raw (after the last rollup), one behind the rollup mark.
    for late in (T0 + 6 * HOUR + 2 * MIN + 7, T0 + 30 * MIN + 7):
        store.append(batch([ids[3]], [late], [1000.0]))
        kept[int(ids[3])].append((late, 1000.0))
    tick(T0 + 6 * HOUR + 10 * MIN)
    check([int(i) for i in ids[:5]], T0 + 6 * HOUR + 10 * MIN)

def test_latest_is_the_newest_sample_by_time_not_by_arrival(store):
    store.append(batch([1, 2], [T0 + 60, T0], [10.0, 20.0]))
    store.append(batch([1], [T0 + 30], [5.0]))  # arrives later but is older
    ts, values = store.latest([2, 9, 1])
    np.testing.assert_array_equal(ts[[0, 2]], [T0, T0 + 60])
    np.testing.assert_array_equal(values[[0, 2]], [20.0, 10.0])
    assert np.isnan(ts[1]) and np.isnan(values[1])


def test_latest_of_an_empty_store_is_all_nan(store):
    ts, values = store.latest([1, 2])
    assert np.isnan(ts).all() and np.isnan(values).all()


# --- rollups and retention --------------------------------------------------------------------


def test_rollup_is_idempotent_and_does_not_change_answers(store):
    store.append(every_minute(1, T0, 6 * 60))
    before = store.read(1, T0, T0 + 6 * HOUR, max_points=10)
    assert store.rollup(T0 + 6 * HOUR) > 0
    assert store.rollup(T0 + 6 * HOUR) == 0
    after = store.read(1, T0, T0 + 6 * HOUR, max_points=10)
    np.testing.assert_array_equal(before.values, after.values)
    np.testing.assert_array_equal(before.count, after.count)


def test_retention_drops_raw_samples_but_rollups_still_answer(make_store):
    store = make_store(raw_retention=DAY, five_minute_retention=10 * DAY, hourly_retention=100 * DAY)
    values = np.sin(np.arange(3 * 24 * 60) / 50.0)
    store.append(every_minute(1, T0, len(values), values))
    before = store.read(1, T0, T0 + DAY, max_points=300)
    assert before.step == 300.0
    dropped = store.apply_retention(T0 + 3 * DAY)
    assert dropped == 2 * 24 * 60  # the first two days
    assert len(store.read(1, T0, T0 + DAY)) == 0
    after = store.read(1, T0, T0 + DAY, max_points=300)
    np.testing.assert_allclose(after.values, before.values, rtol=1e-12)
    np.testing.assert_array_equal(after.count, before.count)
    np.testing.assert_array_equal(after.min, before.min)


def test_reads_before_the_raw_horizon_are_coarsened_to_rollup_buckets(make_store):
    store = make_store(raw_retention=DAY, five_minute_retention=10 * DAY, hourly_retention=100 * DAY)
    store.append(every_minute(1, T0, 3 * 24 * 60))
    store.apply_retention(T0 + 3 * DAY)
    rng = store.read(1, T0, T0 + HOUR - 1, max_points=500)  # one minute would do, but raw is gone
    assert rng.step == 300.0 and rng.count.sum() == 60


def test_a_year_long_read_is_served_by_hourly_rollups_after_finer_levels_expire(make_store):
    store = make_store(raw_retention=DAY, five_minute_retention=7 * DAY, hourly_retention=400 * DAY)
    n_hours = 24 * 365
    ts = T0 + np.arange(n_hours) * HOUR + 1800  # one sample an hour for a year, mid-hour
    store.append(batch(np.ones(n_hours, int), ts, np.arange(n_hours, dtype=float)))
    store.apply_retention(T0 + 365 * DAY)
    assert len(store.read(1, T0, T0 + 300 * DAY)) == 0  # raw is gone for most of the year
    rng = store.read(1, T0, T0 + 365 * DAY, max_points=400)
    assert rng.step % HOUR == 0 and len(rng) <= 400
    assert rng.count.sum() == n_hours and rng.min[0] == 0.0 and rng.max[-1] == n_hours - 1
    store.apply_retention(T0 + 500 * DAY)  # now the hourly rollups expire too, up to day 100
    assert store.read(1, T0, T0 + 365 * DAY, max_points=400).count.sum() == n_hours - 100 * 24


def test_late_samples_behind_the_watermark_still_count_in_rollups(make_store):
    store = make_store(raw_retention=DAY, five_minute_retention=10 * DAY, hourly_retention=100 * DAY)
    store.append(every_minute(1, T0, 120, np.ones(120)))
    store.rollup(T0 + 3 * HOUR)
    store.append(batch([1, 1], [T0 + 30, T0 + 90 * MIN], [100.0, -100.0]))  # both behind the watermark
    store.apply_retention(T0 + 5 * DAY)  # raw is gone: only rollups can know about them
    rng = store.read(1, T0, T0 + 2 * HOUR, max_points=2)
    assert rng.step == 2 * HOUR
    np.testing.assert_array_equal(rng.count, [122])
    np.testing.assert_array_equal([rng.min[0], rng.max[0]], [-100.0, 100.0])


def test_retention_durations_must_grow_with_coarser_levels(make_store):
    with pytest.raises(ValueError, match="coarser level"):
        make_store(raw_retention=10 * DAY, five_minute_retention=DAY)


# --- concurrency and lifecycle ----------------------------------------------------------------


def test_appends_and_reads_from_many_threads_lose_nothing(store):
    errors: list[BaseException] = []

    def worker(sid: int) -> None:
        try:
            for k in range(20):
                store.append(every_minute(sid, T0 + k * HOUR, 60))
                store.read_many([sid, sid + 1], T0, T0 + DAY, max_points=50)
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(sid,)) for sid in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = store.read_many(range(6), T0, T0 + DAY, max_points=2)
    assert [int(r.count.sum()) for r in counts.values()] == [1200] * 6


def test_a_closed_store_refuses_work(make_store):
    store = make_store()
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.append(every_minute(1, T0, 3))
