"""The DuckDB series file survives kill -9 after an acknowledged append, and reopens as it was left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pytest

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import DuckDBSeriesStore

T0 = 1_700_006_400.0
BATCH = 50_000
# The child appends numbered batches forever and acknowledges each one only after append returned.
WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from forewarn.core.records import SampleBatch
    from forewarn.monitoring.series import DuckDBSeriesStore

    store = DuckDBSeriesStore(sys.argv[1])
    n = int(sys.argv[2])
    k = 0
    while True:
        ids = np.arange(n) % 1000
        ts = np.full(n, 1_700_006_400.0 + k * 60.0)
        store.append(SampleBatch(ids, ts, np.full(n, float(k))))
        print(f"appended {k}", flush=True)
        k += 1
""")


def test_acknowledged_appends_survive_kill_9(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(BATCH)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        acked = -1
        # Enough batches (≈ 1 MB of WAL each) that DuckDB's 16 MB auto-checkpoint runs at least once.
        while acked < 24:
            line = child.stdout.readline()
            assert line, f"writer died: {child.stderr.read()}"
            acked = int(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    store = DuckDBSeriesStore(path)
    try:
        counts = store.read_many(range(1000), 0, 4e9, max_points=2)
        total = sum(int(r.count.sum()) for r in counts.values())
        # Each batch is one transaction: the one in flight at the kill is either all there or absent.
        assert total in ((acked + 1) * BATCH, (acked + 2) * BATCH)
        rng = store.read(7, T0, T0 + acked * 60.0 + 59)
        np.testing.assert_array_equal(np.unique(rng.values), np.arange(acked + 1, dtype=float))
        assert len(rng) == (acked + 1) * BATCH // 1000
    finally:
        store.close()


def test_samples_rollups_and_horizons_persist_across_reopen(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    day = 86_400.0
    store = DuckDBSeriesStore(path, raw_retention=day, five_minute_retention=10 * day, hourly_retention=100 * day)
    n = 3 * 24 * 60
    store.append(SampleBatch(np.ones(n, dtype=np.int64), T0 + np.arange(n) * 60.0, np.arange(n, dtype=float)))
    store.apply_retention(T0 + 3 * day)
    before = store.read(1, T0, T0 + 3 * day, max_points=100)
    store.close()

    reopened = DuckDBSeriesStore(path, raw_retention=day, five_minute_retention=10 * day,
                                 hourly_retention=100 * day)
    try:
        after = reopened.read(1, T0, T0 + 3 * day, max_points=100)
        np.testing.assert_array_equal(after.values, before.values)
        np.testing.assert_array_equal(after.count, before.count)
        assert after.count.sum() == n
        assert len(reopened.read(1, T0, T0 + day)) == 0  # raw stays dropped
        assert reopened.rollup(T0 + 3 * day) == 0  # the watermarks came back too
    finally:
        reopened.close()


def test_a_file_held_by_another_process_gives_a_clear_error(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
         "sys.stdin.read()", str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(RuntimeError, match="one process"):
            DuckDBSeriesStore(path)
    finally:
        holder.kill()
        holder.wait()


def test_storage_columns_are_compact_types(tmp_path: Path):
    path = tmp_path / "series.duckdb"
    store = DuckDBSeriesStore(path)
    store.append(SampleBatch(np.array([1]), np.array([T0 + 0.6]), np.array([1.5])))
    assert store.read(1, T0, T0 + 2).timestamps[0] == T0 + 1  # whole seconds, rounded
    store.close()
    with duckdb.connect(str(path), read_only=True) as con:
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'samples'").fetchall())
    assert types == {"series_id": "UINTEGER", "ts": "UINTEGER", "value": "DOUBLE"}
