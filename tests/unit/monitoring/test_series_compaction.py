"""Compaction moves closed days into their own smaller files without changing any answer; disk follows data."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import (
    DuckDBSeriesStore,
    MemorySeriesStore,
    SeriesStore,
    compaction,
    dayfiles,
    vacuum,
)

T0 = 1_700_006_400.0  # midnight UTC
DAY = 86_400.0
AFTER_DAY = T0 + DAY + compaction.LAG  # the first moment the first day counts as closed


def mixed_day(rng: np.random.Generator, n_series: int, per_series: int, day: int = 0) -> SampleBatch:
    """Monitoring-like values in arrival order: percentages, latencies, counters, codes and raw doubles."""
    k = np.repeat(np.arange(per_series), n_series)
    ids = np.tile(np.arange(n_series), per_series)
    ts = T0 + day * DAY + k * (DAY / per_series) + rng.uniform(0, DAY / per_series - 1, len(k))
    kind = ids % 5
    values = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [np.round(rng.uniform(0, 100, len(k)), 1), np.round(rng.gamma(2, 20, len(k)), 3),
         np.floor(ids * 1e9 + k * 12_345.0), np.full(len(k), 200.0)],
        rng.normal(0, 1e6, len(k)) * 10.0 ** rng.integers(-300, 300, len(k)))  # any double at all
    return SampleBatch(ids, ts, values)


def samples_in(path: Path) -> dict[str, int]:
    """Samples in the main file's raw table and in each day file beside it (by file name)."""
    with duckdb.connect(str(path), read_only=True) as con:
        out = {"samples": con.execute("SELECT count(*) FROM samples").fetchone()[0]}
    for part in sorted(dayfiles.directory(path).glob("*.duckdb")):
        with duckdb.connect(str(part), read_only=True) as con:
            out[part.name] = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    return out


def assert_same_answers(a: SeriesStore, b: SeriesStore, ids: np.ndarray, start: float, end: float) -> None:
    for max_points in (None, 2, 97, 500):
        left, right = a.read_many(ids, start, end, max_points), b.read_many(ids, start, end, max_points)
        for sid in ids.tolist():
            # Samples sharing a timestamp come back in no particular order: compare them sorted.
            order = [np.lexsort((r[sid].values, r[sid].timestamps)) if max_points is None else slice(None)
                     for r in (left, right)]
            for field in ("timestamps", "values", "min", "max", "count"):
                x, y = getattr(left[sid], field), getattr(right[sid], field)
                x, y = (x, y) if x is None or y is None else (x[order[0]], y[order[1]])
                if field == "values" and max_points is not None:  # sums of ±1e9 in another order differ
                    np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-4)  # in the last bits
                else:
                    np.testing.assert_array_equal(x, y, err_msg=f"series {sid} {field} at {max_points} points")
    for x, y in zip(a.latest(ids), b.latest(ids), strict=True):
        np.testing.assert_array_equal(x, y)


def test_a_compacted_day_answers_exactly_as_before_in_less_than_half_the_space(tmp_path: Path):
    rng = np.random.default_rng(1)
    day1, day2 = mixed_day(rng, 2_000, 60), mixed_day(rng, 2_000, 60, day=1)
    reference = MemorySeriesStore()
    store = DuckDBSeriesStore(tmp_path / "series.duckdb")
    for b in (day1, day2):
        reference.append(b)
        store.append(b)
    store.checkpoint()
    raw_bytes = _used_bytes(store)

    assert store.compact(AFTER_DAY - 1) == 0  # the first day is not closed yet
    assert store.compact(AFTER_DAY) == len(day1)  # only the closed day moves
    assert store.compact(AFTER_DAY) == 0  # and only once
    ids = np.arange(2_001)
    assert_same_answers(reference, store, ids, T0, T0 + 2 * DAY)
    assert_same_answers(reference, store, ids[::7], T0 + 0.3 * DAY, T0 + 1.2 * DAY)  # across the boundary

    freed = raw_bytes - _used_bytes(store)  # day 1's raw blocks
    store.close()
    day_file = tmp_path / "series-days" / "2023-11-15.0.duckdb"
    assert samples_in(tmp_path / "series.duckdb") == {"samples": len(day2), day_file.name: len(day1)}
    compacted = day_file.stat().st_size
    print(f"raw {freed / len(day1):.2f} B/sample, day file {compacted / len(day1):.2f} B/sample")
    assert compacted < 0.5 * freed  # day 1 shrank to less than half, arbitrary doubles included


def _used_bytes(store: DuckDBSeriesStore) -> int:
    store.checkpoint()
    with store._write_lock:  # the store's own connection: the file is held open for writing
        blocks, size = store._cursor().execute("SELECT used_blocks, block_size FROM pragma_database_size()").fetchone()
    return blocks * size


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), chunk_rows=st.sampled_from([7, 100, 1_000_000]),
       compact_at=st.lists(st.floats(0.0, 4.0), min_size=1, max_size=3))
def test_reads_match_an_uncompacted_store_whenever_compaction_ran(tmp_path_factory, monkeypatch, seed, chunk_rows,
                                                                 compact_at):
    """Late samples for compacted days, duplicates, rollups and retention, against the memory store."""
    monkeypatch.setattr(compaction, "CHUNK_ROWS", chunk_rows)
    rng = np.random.default_rng(seed)
    retention = {"raw_retention": 3 * DAY, "five_minute_retention": 5 * DAY, "hourly_retention": 9 * DAY}
    reference = MemorySeriesStore(**retention)
    store = DuckDBSeriesStore(tmp_path_factory.mktemp("c") / "series.duckdb", **retention)
    try:
        used = np.empty(0)
        for when in sorted(compact_at) + [4.5]:
            # Some land in days already compacted; none repeats a second, as the newest of two samples
            # sharing one is either.
            ts = np.setdiff1d(np.floor(T0 + rng.uniform(0, when, int(rng.integers(1, 300))) * DAY), used)
            used = np.union1d(used, ts)
            ts, n = rng.permutation(ts) + 0.25, len(ts)
            ids = rng.integers(0, 12, n)
            values = np.where(ids % 2 == 0, np.round(rng.normal(50, 20, n), 2), rng.normal(0, 1e9, n))
            for s in (reference, store):
                s.append(SampleBatch(ids, ts, values))
                s.rollup(T0 + when * DAY)
            store.compact(T0 + when * DAY)
            assert_same_answers(reference, store, np.arange(13), T0, T0 + 5 * DAY)
        assert store.apply_retention(T0 + 4.5 * DAY) == reference.apply_retention(T0 + 4.5 * DAY)
        assert_same_answers(reference, store, np.arange(13), T0, T0 + 5 * DAY)
    finally:
        store.close()


def test_retention_drops_compacted_samples_exactly_at_the_horizon(tmp_path: Path):
    store = DuckDBSeriesStore(tmp_path / "series.duckdb", raw_retention=1.5 * DAY,
                              five_minute_retention=10 * DAY, hourly_retention=100 * DAY)
    n = 3 * 24 * 60
    store.append(SampleBatch(np.ones(n, dtype=np.int64), T0 + np.arange(n) * 60.0, np.arange(n, dtype=float)))
    assert store.compact(T0 + 3 * DAY + compaction.LAG) == n  # all three days are closed
    assert store.apply_retention(T0 + 3 * DAY) == 1.5 * 24 * 60  # one and a half of them expire
    kept = store.read(1, T0, T0 + 3 * DAY)
    assert kept.timestamps[0] == T0 + 1.5 * DAY and len(kept) == 1.5 * 24 * 60
    np.testing.assert_array_equal(kept.values, np.arange(1.5 * 24 * 60, n))
    store.close()


# The child appends a day at a time and compacts after each; a line is printed only once append returned.
WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from forewarn.core.records import SampleBatch
    from forewarn.monitoring.series import DuckDBSeriesStore, compaction, vacuum

    compaction.CHUNK_ROWS = 20_000  # many chunks per day file, so the kill can land inside one
    vacuum.MIN_FREE_BYTES = int(sys.argv[2])  # 0: the main file is rewritten after every compaction
    store = DuckDBSeriesStore(sys.argv[1])
    per_day = 24 * 60
    k = 0
    while True:
        ids = np.repeat(np.arange(100), per_day)
        ts = 1_700_006_400.0 + k * 86_400.0 + np.tile(np.arange(per_day) * 60.0, 100)
        store.append(SampleBatch(ids, ts, ids * 1000.0 + k))
        print(f"appended {k}", flush=True)
        store.compact(1_700_006_400.0 + (k + 1) * 86_400.0 + 600)
        k += 1
""")


@pytest.mark.parametrize(("days_before_kill", "min_free", "delay"),
                         [(3, vacuum.MIN_FREE_BYTES, 0.0), (6, vacuum.MIN_FREE_BYTES, 0.1), (2, 0, 0.0), (4, 0, 0.15)])
def test_a_kill_during_compaction_loses_no_acknowledged_sample(tmp_path: Path, days_before_kill: int, min_free: int,
                                                              delay: float):
    path = tmp_path / "series.duckdb"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(min_free)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        acked = -1
        while acked < days_before_kill:
            line = child.stdout.readline()
            assert line, f"writer died: {child.stderr.read()}"
            acked = int(line.split()[1])
        time.sleep(delay)  # land the kill in a later phase: writing the day file, or rewriting the main file
        os.kill(child.pid, signal.SIGKILL)  # the child is compacting day `acked` or appending the next
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    store = DuckDBSeriesStore(path)
    try:
        per_day = 100 * 24 * 60
        counts = store.read_many(np.arange(100), 0, 4e9, max_points=2)
        total = sum(int(r.count.sum()) for r in counts.values())
        assert total in ((acked + 1) * per_day, (acked + 2) * per_day)
        day = store.read(42, T0 + acked * DAY, T0 + (acked + 1) * DAY - 1)
        np.testing.assert_array_equal(day.values, np.full(24 * 60, 42_000.0 + acked))
        store.compact(T0 + 100 * DAY)  # a half-done compaction leaves nothing that stops the next one
        assert sum(int(r.count.sum()) for r in store.read_many(np.arange(100), 0, 4e9, max_points=2).values()) \
            == total
    finally:
        store.close()


def test_layout_orders_series_by_value_class_with_growing_time_positions():
    sid = np.array([5, 9, 5, 7, 9, 7], dtype=np.uint32)
    ts = np.array([10, 20, 5, 30, 1, 2], dtype=np.uint32) + np.uint32(86_400)
    values = np.array([1.25, 3.0, 2.5, 1e12, 4.0, 7.0])  # 5: two decimals; 9: integers; 7: big integers
    out_sid, tpos, out_values = compaction.layout(sid, ts, values, 86_400)
    np.testing.assert_array_equal(out_sid, [9, 9, 7, 7, 5, 5])
    np.testing.assert_array_equal(out_values, [4.0, 3.0, 7.0, 1e12, 2.5, 1.25])
    np.testing.assert_array_equal(tpos, [1, 20, 86_400 + 2, 86_400 + 30, 2 * 86_400 + 5, 2 * 86_400 + 10])
    # Same class and id group: the series with the smaller values goes first, whatever its id.
    sid, ts, values = np.array([1, 2, 2], np.uint32), np.array([0, 0, 5], np.uint32), np.array([90.0, 10.0, 11.0])
    np.testing.assert_array_equal(compaction.layout(sid, ts, values, 0)[0], [2, 2, 1])


def test_a_version_1_file_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    with duckdb.connect(str(path)) as con:  # the layout forewarn wrote before compaction existed
        con.execute("CREATE TABLE samples (series_id UINTEGER NOT NULL, ts UINTEGER NOT NULL, value DOUBLE NOT NULL)")
        con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)")
        con.execute("INSERT INTO store_meta VALUES ('schema_version', 1)")
        con.execute(f"INSERT INTO samples VALUES (1, {int(T0)}, 2.5)")
    store = DuckDBSeriesStore(path)
    assert store.compact(AFTER_DAY) == 1
    assert store.read(1, T0, T0 + 1).values.tolist() == [2.5]
    store.close()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone() == (4,)



def test_a_version_3_file_with_not_null_rollup_columns_takes_one_sample_rollups(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    with duckdb.connect(str(path)) as con:  # rollups as layout version 3 wrote them
        for table in ("rollup_5m", "rollup_1h"):
            con.execute(f"CREATE TABLE {table} (series_id UINTEGER NOT NULL, bucket UINTEGER NOT NULL, "
                        "mn DOUBLE NOT NULL, mx DOUBLE NOT NULL, sm DOUBLE NOT NULL, cnt UBIGINT NOT NULL)")
            con.execute(f"INSERT INTO {table} VALUES (1, {int(T0)}, 1.0, 3.0, 4.0, 2)")
        con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)")
        con.execute("INSERT INTO store_meta VALUES ('schema_version', 3), ('five_minute', ?), ('hourly', ?)",
                    [int(T0) + 3600, int(T0) + 3600])
    store = DuckDBSeriesStore(path)
    store.append(SampleBatch(np.array([1, 2]), np.array([T0 + 3600, T0 + 3700]), np.array([7.5, 2.0])))
    store.rollup(T0 + 2 * 3600)
    hour = store.read_many([1, 2], T0, T0 + 2 * 3600 - 1, max_points=3)  # hourly buckets
    assert (hour[1].min.tolist(), hour[1].max.tolist(), hour[1].count.tolist()) == ([1.0, 7.5], [3.0, 7.5], [2, 1])
    assert hour[1].values.tolist() == [2.0, 7.5] and hour[2].values.tolist() == [2.0]
    store.close()
    with duckdb.connect(str(path), read_only=True) as con:  # one-sample buckets store the value once
        assert con.execute("SELECT mn, mx, sm, cnt FROM rollup_5m WHERE series_id = 2").fetchall() == \
            [(2.0, None, None, 1)]


# Day files and the main file's rewrite.

def minutely(series: int, days: float, start: float = T0, value: float = 0.0) -> SampleBatch:
    n = int(days * 24 * 60)
    return SampleBatch(np.full(n, series), start + np.arange(n) * 60.0, value + np.arange(n, dtype=float))


def test_each_closed_day_gets_a_file_and_retention_deletes_whole_files(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    store = DuckDBSeriesStore(path, raw_retention=1.5 * DAY, five_minute_retention=10 * DAY, hourly_retention=20 * DAY)
    store.append(minutely(1, 3.5))
    assert store.compact(T0 + 3 * DAY + compaction.LAG) == 3 * 24 * 60
    days = sorted(p.name for p in dayfiles.directory(path).iterdir())
    assert days == ["2023-11-15.0.duckdb", "2023-11-16.0.duckdb", "2023-11-17.0.duckdb"]

    assert store.apply_retention(T0 + 3 * DAY) == 1.5 * 24 * 60  # day 1 and half of day 2
    assert sorted(p.name for p in dayfiles.directory(path).iterdir()) == days[1:]  # day 1's file is gone
    kept = store.read(1, T0, T0 + 4 * DAY)
    assert kept.timestamps[0] == T0 + 1.5 * DAY and len(kept) == 2 * 24 * 60
    assert store.apply_retention(T0 + 3 * DAY) == 0  # hidden samples are counted once
    store.close()
    reopened = DuckDBSeriesStore(path, raw_retention=1.5 * DAY, five_minute_retention=10 * DAY,
                                 hourly_retention=20 * DAY)
    np.testing.assert_array_equal(reopened.read(1, T0, T0 + 4 * DAY).values, kept.values)
    reopened.close()


def test_late_samples_for_a_compacted_day_go_to_a_second_part(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    store, reference = DuckDBSeriesStore(path), MemorySeriesStore()
    for batch in (minutely(1, 1), minutely(2, 0.5, start=T0 + 30.0)):
        for s in (store, reference):
            s.append(batch)
        store.compact(AFTER_DAY)
    assert_same_answers(reference, store, np.arange(4), T0, T0 + DAY)
    store.close()
    assert samples_in(path) == {"samples": 0, "2023-11-15.0.duckdb": 1440, "2023-11-15.1.duckdb": 720}


def test_a_day_file_renamed_but_never_listed_is_dropped_at_open_without_loss_or_duplicates(tmp_path: Path):
    """The crash between the day file's rename and the commit that lists it and deletes the raw rows."""
    batch = mixed_day(np.random.default_rng(3), 50, 100)
    done = DuckDBSeriesStore(tmp_path / "done" / "series.duckdb")
    done.append(batch)
    done.compact(AFTER_DAY)
    done.close()
    crashed = tmp_path / "crashed" / "series.duckdb"
    store = DuckDBSeriesStore(crashed)
    store.append(batch)
    store.close()
    # What the crash leaves: the finished day file in place, the raw rows still in the main file.
    shutil.copytree(dayfiles.directory(done.path), dayfiles.directory(crashed))
    (dayfiles.directory(crashed) / "2023-11-15.1.duckdb.tmp").write_bytes(b"half written")

    store, reference = DuckDBSeriesStore(crashed), MemorySeriesStore()
    reference.append(batch)
    assert list(dayfiles.directory(crashed).iterdir()) == []
    assert_same_answers(reference, store, np.arange(51), T0, T0 + DAY)
    assert store.compact(AFTER_DAY) == len(batch)  # and the day compacts again, once
    assert_same_answers(reference, store, np.arange(51), T0, T0 + DAY)
    store.close()


def test_an_unlisted_day_file_whose_samples_are_not_raw_is_moved_aside_not_deleted(tmp_path: Path):
    """Say the main file was restored from a backup older than the day file: it may be the only copy."""
    done = DuckDBSeriesStore(tmp_path / "done" / "series.duckdb")
    done.append(minutely(1, 1))
    done.compact(AFTER_DAY)
    done.close()
    restored = tmp_path / "restored" / "series.duckdb"
    DuckDBSeriesStore(restored).close()
    shutil.copytree(dayfiles.directory(done.path), dayfiles.directory(restored))
    store = DuckDBSeriesStore(restored)
    assert len(store.read(1, T0, T0 + DAY)) == 0
    store.close()
    assert [p.name for p in (dayfiles.directory(restored) / "orphaned").iterdir()] == ["2023-11-15.0.duckdb"]


def test_a_listed_day_file_that_went_missing_stops_the_open_with_a_sentence(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    store = DuckDBSeriesStore(path)
    store.append(minutely(1, 1))
    store.compact(AFTER_DAY)
    store.close()
    (dayfiles.directory(path) / "2023-11-15.0.duckdb").unlink()
    with pytest.raises(RuntimeError, match=r"gone from .*series-days: 2023-11-15\.0\.duckdb; restore them"):
        DuckDBSeriesStore(path)


def test_the_main_file_is_rewritten_smaller_when_compaction_leaves_it_mostly_free(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(vacuum, "MIN_FREE_BYTES", 0)
    rng = np.random.default_rng(5)
    day1, day2 = mixed_day(rng, 100, 2_880), mixed_day(rng, 100, 30, day=1)  # every 30 s, as checks go
    path = tmp_path / "series.duckdb"
    store, reference = DuckDBSeriesStore(path), MemorySeriesStore()
    for s in (store, reference):
        s.append(day1)
        s.append(day2)
        s.rollup(AFTER_DAY)
    store.checkpoint()
    before = path.stat().st_size
    reader = store._cursor()  # a cursor from before the rewrite must not be reused after it
    assert store.compact(AFTER_DAY) == len(day1)
    assert path.stat().st_size < 0.5 * before
    assert store._cursor() is not reader
    ids = np.arange(101)
    assert_same_answers(reference, store, ids, T0, T0 + 2 * DAY)
    more = mixed_day(rng, 100, 3, day=1)
    for s in (store, reference):  # the rewritten file takes appends, rollups and retention as before
        s.append(more)
        s.rollup(AFTER_DAY + DAY)
    assert store.apply_retention(T0 + 2.5 * DAY) == reference.apply_retention(T0 + 2.5 * DAY)
    store.close()
    vacuum.temp_path(path).write_bytes(b"an interrupted rewrite")
    reopened = DuckDBSeriesStore(path)
    assert not vacuum.temp_path(path).exists()
    assert_same_answers(reference, reopened, ids[::3], T0, T0 + 2 * DAY)
    reopened.close()


def test_appends_and_reads_during_compaction_lose_nothing_and_double_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(compaction, "CHUNK_ROWS", 5_000)  # many chunks: a slow compaction to race against
    monkeypatch.setattr(vacuum, "MIN_FREE_BYTES", 0)  # and a rewrite of the main file at its end
    rng = np.random.default_rng(9)
    store, reference = DuckDBSeriesStore(tmp_path / "series.duckdb"), MemorySeriesStore()
    first = mixed_day(rng, 500, 200)
    for s in (store, reference):
        s.append(first)
    late = [SampleBatch(np.full(10, 600 + i), T0 + rng.uniform(0, 2 * DAY, 10).round(), np.arange(10.0))
            for i in range(200)]  # half for the day being compacted, half for the open day
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for batch in late:
                store.append(batch)
                store.read_many(np.arange(0, 700, 7), T0, T0 + 2 * DAY, 100)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    moved = store.compact(AFTER_DAY + DAY)
    thread.join()
    assert errors == []
    for batch in late:
        reference.append(batch)
    assert len(first) <= moved <= len(first) + sum(len(b) for b in late)
    store.compact(AFTER_DAY + DAY)  # the stragglers of the first pass
    assert_same_answers(reference, store, np.arange(800), T0, T0 + 2 * DAY)
    store.close()
    counts = samples_in(store.path)
    assert counts.pop("samples") == 0 and sum(counts.values()) == len(first) + sum(len(b) for b in late)
