"""The embedded SeriesStore: one DuckDB file holding raw samples plus 5-minute and hourly rollups.

Layout: `samples(series_id UINTEGER, ts UINTEGER unix seconds, value DOUBLE)` in arrival order,
`samples_compact` holding closed days rewritten for compression (compaction.py; reads union both),
`rollup_5m`/`rollup_1h(series_id, bucket ms, mn, mx, sm, cnt)` whose rows are mergeable partials
(several rows may share a series and bucket: late samples are folded in as extra rows).
`store_meta` holds the rollup watermarks and retention horizons, read in the same snapshot as data.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import compaction, plan
from forewarn.monitoring.series.base import (
    FIVE_MINUTE_RETENTION,
    HOURLY_RETENTION,
    RAW_RETENTION,
    SeriesRange,
    SeriesStore,
    check_retention,
)
from forewarn.monitoring.series.grouping import last_per_series, split
from forewarn.monitoring.series.validate import storage_columns

SCHEMA_VERSION = 2  # 2 added samples_compact; a version-1 file is upgraded in place (the table is new)
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS samples (series_id UINTEGER NOT NULL, ts UINTEGER NOT NULL, value DOUBLE NOT NULL)",
    compaction.SCHEMA,
    *(f"CREATE TABLE IF NOT EXISTS {t} (series_id UINTEGER NOT NULL, bucket UINTEGER NOT NULL, mn DOUBLE NOT NULL, "
      "mx DOUBLE NOT NULL, sm DOUBLE NOT NULL, cnt UBIGINT NOT NULL)" for t in ("rollup_5m", "rollup_1h")),
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)",
)
TABLES = {plan.FIVE_MINUTE: "rollup_5m", plan.HOURLY: "rollup_1h"}
MARK_KEYS = ("five_minute", "hourly", "raw_horizon", "five_minute_horizon")
# New files use 64 KB blocks: each column segment of a row group fills whole blocks, and at 256 KB a
# segment of ~12-bit values (190 KB) wastes a quarter of its block (measured: 2.23 → 1.65 bytes/sample).
DUCKDB_CONFIG = {"default_block_size": "65536"}


class DuckDBSeriesStore(SeriesStore):
    """Appends are one INSERT from registered numpy columns; a commit is in the WAL before return."""

    def __init__(self, path: str | Path, *, raw_retention: float = RAW_RETENTION,
                 five_minute_retention: float = FIVE_MINUTE_RETENTION,
                 hourly_retention: float = HOURLY_RETENTION) -> None:
        self.path = Path(path)
        self.retention = check_retention(raw_retention, five_minute_retention, hourly_retention)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), config=DUCKDB_CONFIG)
        except duckdb.IOException as exc:
            raise RuntimeError(f"cannot open the series file {self.path}: {exc}. DuckDB allows one process "
                               "to write it; other processes reach metrics through the API.") from exc
        self._write_lock = threading.Lock()  # one writer at a time; readers use their own cursor
        self._cursor_lock = threading.Lock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._closed = False
        for statement in SCHEMA:
            self._con.execute(statement)
        self._check_version()
        self._marks = self._load_marks(self._con)

    def _check_version(self) -> None:
        row = self._con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] == 1:  # version 1 lacked only samples_compact, created above
            self._con.execute("INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif row[0] != SCHEMA_VERSION:
            raise RuntimeError(f"the series file {self.path} has layout version {row[0]}, this forewarn "
                               f"reads version {SCHEMA_VERSION}; upgrade forewarn or move the file aside")

    @staticmethod
    def _load_marks(cur: duckdb.DuckDBPyConnection) -> plan.Marks:
        rows = dict(cur.execute("SELECT key, value FROM store_meta").fetchall())
        return plan.Marks(*(int(rows.get(k, 0)) for k in MARK_KEYS))

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        # DuckDB connections are not thread-safe; a cursor per thread shares the database and cache.
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            with self._cursor_lock:
                if self._closed:
                    raise RuntimeError("the series store is closed")
                cur = self._con.cursor()
                self._cursors.append(cur)
            self._local.cursor = cur
        return cur

    def append(self, batch: SampleBatch) -> int:
        sid, ts, values = storage_columns(batch)
        if len(sid) == 0:
            return 0
        cur = self._cursor()
        with self._write_lock:
            self._check_open()
            cur.register("_batch", {"series_id": sid, "ts": ts, "value": values})
            try:
                if int(ts.min()) >= self._marks.five_minute:  # the common case: one autocommitted INSERT
                    cur.execute("INSERT INTO samples SELECT series_id, ts, value FROM _batch")
                else:
                    self._append_late(cur)
            finally:
                cur.unregister("_batch")
        return len(sid)

    def _append_late(self, cur: duckdb.DuckDBPyConnection) -> None:
        # Samples behind a watermark would be missed by the rollup: fold them in as extra partials.
        with _transaction(cur):
            cur.execute("INSERT INTO samples SELECT series_id, ts, value FROM _batch")
            for level, width, mark in ((plan.FIVE_MINUTE, plan.FIVE_MINUTES, self._marks.five_minute),
                                       (plan.HOURLY, plan.HOUR, self._marks.hourly)):
                cur.execute(f"INSERT INTO {TABLES[level]} SELECT series_id, ts // {width} * {width}, min(value), "
                            f"max(value), sum(value), count(*) FROM _batch WHERE ts < {mark} GROUP BY ALL")

    def read(self, series_id: int, start: float, end: float, max_points: int | None = None) -> SeriesRange:
        return self._read(np.asarray([series_id], dtype=np.int64), start, end, max_points)[int(series_id)]

    def read_many(self, series_ids: Sequence[int] | np.ndarray, start: float, end: float,
                  max_points: int | None = None) -> dict[int, SeriesRange]:
        return self._read(np.asarray(series_ids, dtype=np.int64), start, end, max_points)

    def _read(self, wanted: np.ndarray, start: float, end: float, max_points: int | None) -> dict[int, SeriesRange]:
        start_s, end_s = plan.range_ticks(start, end)
        known = wanted[(wanted >= 0) & (wanted < 2**32)]
        cur = self._cursor()
        with _snapshot(cur), _wanted(cur, known) as id_filter:
            marks = self._load_marks(cur)
            step = None if max_points is None else plan.choose_step(start_s, end_s, max_points, marks)
            if len(known) == 0 or end_s < start_s:
                cols = {"series_id": np.empty(0, np.uint32)}
            elif step is None:
                cols = cur.execute(f"SELECT series_id, ts, value FROM "
                                   f"{compaction.raw_relation(id_filter, start_s, end_s + 1)} "
                                   "ORDER BY series_id, ts").fetchnumpy()
            else:
                cols = cur.execute(_bucket_query(id_filter, start_s, end_s, step, marks)).fetchnumpy()
        if len(cols["series_id"]) == 0:
            return {int(i): SeriesRange.empty(None if step is None else float(step)) for i in wanted}
        return split(wanted, cols["series_id"], cols, step)

    def latest(self, series_ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wanted = np.asarray(series_ids, dtype=np.int64)
        known = wanted[(wanted >= 0) & (wanted < 2**32)]
        cur = self._cursor()
        with _snapshot(cur), _wanted(cur, known) as id_filter:
            cols = cur.execute(f"SELECT series_id, max(ts) AS ts, arg_max(value, ts) AS value FROM "
                               f"{compaction.raw_relation(id_filter, 0, 2**32)} GROUP BY series_id").fetchnumpy()
        return last_per_series(wanted, cols["series_id"], cols["ts"], cols["value"])

    def rollup(self, now: float) -> int:
        cur = self._cursor()
        with self._write_lock:
            self._check_open()
            with _transaction(cur):
                written, marks = self._rollup(cur, math.floor(now))
                self._save_marks(cur, marks)
            self._marks = marks
        return written

    def _rollup(self, cur: duckdb.DuckDBPyConnection, now_s: int) -> tuple[int, plan.Marks]:
        m = self._marks
        five, hourly = plan.rollup_targets(now_s, m)
        written = 0
        if five > m.five_minute:  # sorted by series so each series' rows sit together on disk
            written += _count(cur.execute(
                f"INSERT INTO rollup_5m SELECT series_id, ts // {plan.FIVE_MINUTES} * {plan.FIVE_MINUTES} "
                f"AS bucket, min(value), max(value), sum(value), count(*) FROM "
                f"{compaction.raw_relation('TRUE', m.five_minute, five)} GROUP BY ALL ORDER BY series_id, bucket"))
        if hourly > m.hourly:
            written += _count(cur.execute(
                f"INSERT INTO rollup_1h SELECT series_id, bucket // {plan.HOUR} * {plan.HOUR} AS hour, "
                f"min(mn), max(mx), sum(sm), sum(cnt) FROM rollup_5m WHERE bucket >= {m.hourly} "
                f"AND bucket < {hourly} GROUP BY ALL ORDER BY series_id, hour"))
        return written, plan.Marks(five, hourly, m.raw_horizon, m.five_minute_horizon)

    def _save_marks(self, cur: duckdb.DuckDBPyConnection, marks: plan.Marks) -> None:
        cur.executemany("INSERT OR REPLACE INTO store_meta VALUES (?, ?)",
                        [[k, getattr(marks, k)] for k in MARK_KEYS])

    def apply_retention(self, now: float) -> int:
        now_s = math.floor(now)
        raw_h, five_h, hour_h = (math.floor(now - r) for r in self.retention)
        cur = self._cursor()
        with self._write_lock:
            self._check_open()
            with _transaction(cur):
                _, m = self._rollup(cur, now_s)
                dropped = _count(cur.execute(f"DELETE FROM samples WHERE ts < {raw_h}"))
                dropped += _count(cur.execute(f"DELETE FROM samples_compact WHERE block_start < {raw_h} "
                                              f"AND {compaction.TS} < {raw_h}"))
                cur.execute(f"DELETE FROM rollup_5m WHERE bucket < {five_h}")
                cur.execute(f"DELETE FROM rollup_1h WHERE bucket < {hour_h}")
                marks = plan.Marks(m.five_minute, m.hourly, max(m.raw_horizon, raw_h),
                                   max(m.five_minute_horizon, five_h))
                self._save_marks(cur, marks)
            self._marks = marks
            if dropped:  # hand the freed blocks back for reuse now rather than at the next auto-checkpoint
                cur.execute("CHECKPOINT")
        return dropped

    def compact(self, now: float) -> int:
        """Rewrite raw samples of days closed at `now` into the compressed layout; returns rows moved.

        The write lock is taken per chunk, so appends wait at most one chunk (a few seconds).
        """
        cur = self._cursor()
        with self._write_lock:
            self._check_open()
            pieces = compaction.chunks(cur, compaction.target(now))
        moved = 0
        for piece in pieces:
            with self._write_lock:
                self._check_open()
                with _transaction(cur):
                    moved += compaction.move_chunk(cur, *piece)
        if moved:  # write the compressed rows now and free the raw rows' blocks for new samples
            self.checkpoint()
        return moved

    def checkpoint(self) -> None:
        """Write the WAL into the compressed main file (DuckDB also does this when the WAL passes 16 MB)."""
        with self._write_lock:
            self._check_open()
            self._cursor().execute("CHECKPOINT")

    def close(self) -> None:
        with self._write_lock, self._cursor_lock:
            if self._closed:
                return
            self._closed = True
            for cur in self._cursors:
                cur.close()
            self._con.execute("CHECKPOINT")
            self._con.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the series store is closed")


# Aggregates per level: as mergeable partials, or as the final answer when one level serves alone.
_PARTIAL = {plan.RAW: "min(value) AS mn, max(value) AS mx, sum(value) AS sm, count(*) AS cnt",
            "rollup": "min(mn) AS mn, max(mx) AS mx, sum(sm) AS sm, sum(cnt) AS cnt"}
_FINAL = {plan.RAW: "avg(value) AS value, min(value) AS min, max(value) AS max, count(*) AS count",
          "rollup": "sum(sm) / sum(cnt) AS value, min(mn) AS min, max(mx) AS max, sum(cnt) AS count"}


def _bucket_query(id_filter: str, start: int, end: int, step: int, marks: plan.Marks) -> str:
    """Buckets from each serving level over whole aligned buckets, merged per (series, bucket)."""
    lo, hi = plan.bucket_span(start, end, step)
    spans = [(src.level, max(lo, src.lo), min(hi, src.hi)) for src in plan.sources(step, marks)]
    spans = [(level, a, b) for level, a, b in spans if a < b]

    def select(level: str, a: int, b: int, aggregates: dict[str, str]) -> str:
        if level == plan.RAW:
            return (f"SELECT series_id, ts // {step} * {step} AS ts, {aggregates[plan.RAW]} FROM "
                    f"{compaction.raw_relation(id_filter, a, b)} GROUP BY ALL")
        return (f"SELECT series_id, bucket // {step} * {step} AS ts, {aggregates['rollup']} FROM {TABLES[level]} "
                f"WHERE {id_filter} AND bucket >= {a} AND bucket < {b} GROUP BY ALL")

    if len(spans) == 1:  # the usual case; skipping the second aggregation saves about a third
        return select(*spans[0], _FINAL) + " ORDER BY series_id, ts"
    union = " UNION ALL ".join(select(*span, _PARTIAL) for span in spans)
    return (f"SELECT series_id, ts, {_FINAL['rollup']} FROM ({union}) GROUP BY ALL ORDER BY series_id, ts")


@contextmanager
def _transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing for writes; one consistent snapshot (watermarks and data) for reads."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")


_snapshot = _transaction


@contextmanager
def _wanted(cur: duckdb.DuckDBPyConnection, ids: np.ndarray) -> Iterator[str]:
    """A WHERE clause selecting the ids: a literal for one, a semi-join on a registered array for many."""
    if len(ids) == 0:
        yield "FALSE"
        return
    if len(ids) == 1:
        yield f"series_id = {int(ids[0])}"
        return
    cur.register("_wanted", {"id": np.unique(ids).astype(np.uint32)})
    try:  # the BETWEEN lets DuckDB skip row groups by their min/max before the join
        yield (f"series_id BETWEEN {int(ids.min())} AND {int(ids.max())} "
               "AND series_id IN (SELECT id FROM _wanted)")
    finally:
        cur.unregister("_wanted")


def _count(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0
