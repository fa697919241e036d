"""The embedded SeriesStore: one DuckDB file holding raw samples plus 5-minute and hourly rollups.

Layout: `samples(series_id UINTEGER, ts UINTEGER unix seconds, value DOUBLE)` in arrival order for
the open day(s); each closed day rewritten for compression into its own file (compaction.py lays it
out, dayfiles.py stores it, `day_parts` lists the files; reads union them with `samples`);
`rollup_5m`/`rollup_1h(series_id, bucket ms, mn, mx, sm, cnt)` whose rows are mergeable partials
(several rows may share a series and bucket: late samples are folded in as extra rows); a row of
one sample leaves mx and sm NULL (both equal mn), see queries.py.
`store_meta` holds the rollup watermarks and retention horizons, read in the same snapshot as data.
Because DuckDB never shrinks a file, the main file is rewritten (vacuum.py) when compaction has left
it mostly free blocks.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import compaction, dayfiles, plan, vacuum
from forewarn.monitoring.series.base import (
    FIVE_MINUTE_RETENTION,
    HOURLY_RETENTION,
    RAW_RETENTION,
    SeriesRange,
    SeriesStore,
    check_retention,
)
from forewarn.monitoring.series.grouping import last_per_series, split
from forewarn.monitoring.series.queries import (
    RAW_PARTIAL,
    ROLLUP_PARTIAL,
    TABLES,
    bucket_query,
    count,
    snapshot,
    transaction,
    wanted,
)
from forewarn.monitoring.series.rwlock import SharedLock
from forewarn.monitoring.series.validate import storage_columns

# 2 added samples_compact, 3 day_parts, 4 let rollups' mx/sm be NULL; older files are upgraded in place.
SCHEMA_VERSION = 4
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS samples (series_id UINTEGER NOT NULL, ts UINTEGER NOT NULL, value DOUBLE NOT NULL)",
    compaction.SCHEMA,
    dayfiles.SCHEMA,
    *(f"CREATE TABLE IF NOT EXISTS {t} (series_id UINTEGER NOT NULL, bucket UINTEGER NOT NULL, mn DOUBLE NOT NULL, "
      "mx DOUBLE, sm DOUBLE, cnt UBIGINT NOT NULL)" for t in ("rollup_5m", "rollup_1h")),
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)",
)
MARK_KEYS = ("five_minute", "hourly", "raw_horizon", "five_minute_horizon")
# New files use 64 KB blocks: each column segment of a row group fills whole blocks, and at 256 KB a
# segment of ~12-bit values (190 KB) wastes a quarter of its block (measured: 2.23 → 1.65 bytes/sample).
DUCKDB_CONFIG = {"default_block_size": "65536"}
Parts = list[tuple[str, int]]  # (file name, day start) of the listed day parts


class DuckDBSeriesStore(SeriesStore):
    """Appends are one INSERT from registered numpy columns; a commit is in the WAL before return.

    Locks, always taken in this order: `_compact_lock` (one compaction at a time), `_write_lock`
    (one writer), `_gate` (readers share it; attaching/detaching parts and the vacuum take it alone).
    """

    def __init__(self, path: str | Path, *, raw_retention: float = RAW_RETENTION,
                 five_minute_retention: float = FIVE_MINUTE_RETENTION,
                 hourly_retention: float = HOURLY_RETENTION) -> None:
        self.path = Path(path)
        self.days = dayfiles.directory(self.path)
        self.retention = check_retention(raw_retention, five_minute_retention, hourly_retention)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock()
        self._compact_lock = threading.Lock()
        self._cursor_lock = threading.Lock()
        self._gate = SharedLock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._generation = 0  # bumped when the vacuum reopens the file: older cursors are gone
        self._closed = self._closing = False
        vacuum.recover(self.path)
        self._open()
        for statement in SCHEMA:
            self._con.execute(statement)
        self._check_version()
        self._marks = self._load_marks(self._con)
        self._attach_listed(reconcile=True)

    def _open(self) -> None:
        try:
            self._con = duckdb.connect(str(self.path), config=DUCKDB_CONFIG)
        except duckdb.IOException as exc:
            raise RuntimeError(f"cannot open the series file {self.path}: {exc}. DuckDB allows one process "
                               "to write it; other processes reach metrics through the API.") from exc

    def _attach_listed(self, reconcile: bool = False) -> None:
        listed = self._parts(self._con)
        if reconcile:
            dayfiles.reconcile(self._con, self.days, {name for name, _ in listed}, self._marks.raw_horizon)
        for name, _ in listed:
            dayfiles.attach(self._con, self.days / name, dayfiles.alias(name))

    def _check_version(self) -> None:
        row = next(iter(self._con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchall()), None)
        if row is None or row[0] in (1, 2, 3):  # older versions lacked tables created above
            for table in TABLES.values():  # and had mx/sm NOT NULL
                for column in ("mx", "sm"):
                    self._con.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")
            self._con.execute("INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif row[0] != SCHEMA_VERSION:
            raise RuntimeError(f"the series file {self.path} has layout version {row[0]}, this forewarn "
                               f"reads version {SCHEMA_VERSION}; upgrade forewarn or move the file aside")

    @staticmethod
    def _load_marks(cur: duckdb.DuckDBPyConnection) -> plan.Marks:
        rows = dict(cur.execute("SELECT key, value FROM store_meta").fetchall())
        return plan.Marks(*(int(rows.get(k, 0)) for k in MARK_KEYS))

    @staticmethod
    def _parts(cur: duckdb.DuckDBPyConnection) -> Parts:
        return [(str(n), int(d)) for n, d in cur.execute("SELECT name, day FROM day_parts ORDER BY day, name").fetchall()]

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        # DuckDB connections are not thread-safe; a cursor per thread shares the database and cache.
        cur, generation = getattr(self._local, "cursor", (None, -1))
        if cur is None or generation != self._generation:
            with self._cursor_lock:
                if self._closed:
                    raise RuntimeError("the series store is closed")
                cur = self._con.cursor()
                self._cursors.append(cur)
            self._local.cursor = (cur, self._generation)
        return cur

    def _raw(self, cur: duckdb.DuckDBPyConnection, parts: Parts, marks: plan.Marks, id_filter: str):
        """(lo, hi) → SQL for the raw samples with lo ≤ ts < hi in the main file and the day parts."""
        def relation(lo: int, hi: int) -> str:
            # Day parts are read-only: samples in them past the raw horizon are hidden, not deleted.
            selects = dayfiles.relation(parts, id_filter, max(lo, marks.raw_horizon), hi)
            return "(" + " UNION ALL ".join(compaction.raw_selects(id_filter, lo, hi) + selects) + ")"
        return relation

    def append(self, batch: SampleBatch) -> int:
        sid, ts, values = storage_columns(batch)
        if len(sid) == 0:
            return 0
        with self._write_lock:
            self._check_open()
            cur = self._cursor()
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
        with transaction(cur):
            cur.execute("INSERT INTO samples SELECT series_id, ts, value FROM _batch")
            for level, width, mark in ((plan.FIVE_MINUTE, plan.FIVE_MINUTES, self._marks.five_minute),
                                       (plan.HOURLY, plan.HOUR, self._marks.hourly)):
                cur.execute(f"INSERT INTO {TABLES[level]} SELECT series_id, ts // {width} * {width}, {RAW_PARTIAL} "
                            f"FROM _batch WHERE ts < {mark} GROUP BY ALL")

    def read(self, series_id: int, start: float, end: float, max_points: int | None = None) -> SeriesRange:
        return self._read(np.asarray([series_id], dtype=np.int64), start, end, max_points)[int(series_id)]

    def read_many(self, series_ids: Sequence[int] | np.ndarray, start: float, end: float,
                  max_points: int | None = None) -> dict[int, SeriesRange]:
        return self._read(np.asarray(series_ids, dtype=np.int64), start, end, max_points)

    def _read(self, wanted_ids: np.ndarray, start: float, end: float, max_points: int | None) -> dict[int, SeriesRange]:
        start_s, end_s = plan.range_ticks(start, end)
        known = wanted_ids[(wanted_ids >= 0) & (wanted_ids < 2**32)]
        with self._gate.shared():
            cur = self._cursor()
            with snapshot(cur), wanted(cur, known) as id_filter:
                marks = self._load_marks(cur)
                step = None if max_points is None else plan.choose_step(start_s, end_s, max_points, marks)
                raw = self._raw(cur, self._parts(cur), marks, id_filter)
                if len(known) == 0 or end_s < start_s:
                    cols = {"series_id": np.empty(0, np.uint32)}
                elif step is None:
                    cols = cur.execute(f"SELECT series_id, ts, value FROM {raw(start_s, end_s + 1)} "
                                       "ORDER BY series_id, ts").fetchnumpy()
                else:
                    cols = cur.execute(bucket_query(raw, id_filter, start_s, end_s, step, marks)).fetchnumpy()
        if len(cols["series_id"]) == 0:
            return {int(i): SeriesRange.empty(None if step is None else float(step)) for i in wanted_ids}
        return split(wanted_ids, cols["series_id"], cols, step)

    def latest(self, series_ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wanted_ids = np.asarray(series_ids, dtype=np.int64)
        known = wanted_ids[(wanted_ids >= 0) & (wanted_ids < 2**32)]
        with self._gate.shared():
            cur = self._cursor()
            with snapshot(cur), wanted(cur, known) as id_filter:
                raw = self._raw(cur, self._parts(cur), self._load_marks(cur), id_filter)
                cols = cur.execute(f"SELECT series_id, max(ts) AS ts, arg_max(value, ts) AS value FROM "
                                   f"{raw(0, 2**32)} GROUP BY series_id").fetchnumpy()
        return last_per_series(wanted_ids, cols["series_id"], cols["ts"], cols["value"])

    def rollup(self, now: float) -> int:
        with self._write_lock:
            self._check_open()
            cur = self._cursor()
            with transaction(cur):
                written, marks = self._rollup(cur, math.floor(now))
                self._save_marks(cur, marks)
            self._marks = marks
        return written

    def _rollup(self, cur: duckdb.DuckDBPyConnection, now_s: int) -> tuple[int, plan.Marks]:
        """Called with the write lock held, which is also what keeps the listed parts attached."""
        m = self._marks
        five, hourly = plan.rollup_targets(now_s, m)
        written = 0
        if five > m.five_minute:  # sorted by series so each series' rows sit together on disk
            raw = self._raw(cur, self._parts(cur), m, "TRUE")
            written += count(cur.execute(
                f"INSERT INTO rollup_5m SELECT series_id, ts // {plan.FIVE_MINUTES} * {plan.FIVE_MINUTES} "
                f"AS bucket, {RAW_PARTIAL} FROM {raw(m.five_minute, five)} GROUP BY ALL ORDER BY series_id, bucket"))
        if hourly > m.hourly:
            written += count(cur.execute(
                f"INSERT INTO rollup_1h SELECT series_id, bucket // {plan.HOUR} * {plan.HOUR} AS hour, "
                f"{ROLLUP_PARTIAL} FROM rollup_5m WHERE bucket >= {m.hourly} "
                f"AND bucket < {hourly} GROUP BY ALL ORDER BY series_id, hour"))
        return written, plan.Marks(five, hourly, m.raw_horizon, m.five_minute_horizon)

    def _save_marks(self, cur: duckdb.DuckDBPyConnection, marks: plan.Marks) -> None:
        cur.execute("INSERT OR REPLACE INTO store_meta VALUES " + ", ".join(["(?, ?)"] * len(MARK_KEYS)),
                    [v for k in MARK_KEYS for v in (k, getattr(marks, k))])

    def apply_retention(self, now: float) -> int:
        now_s = math.floor(now)
        raw_h, five_h, hour_h = (math.floor(now - r) for r in self.retention)
        with self._write_lock:
            self._check_open()
            cur = self._cursor()
            with transaction(cur):
                _, m = self._rollup(cur, now_s)
                parts = self._parts(cur)
                new_h = max(m.raw_horizon, raw_h)
                # Samples in day parts are dropped by moving the horizon past them; count those newly hidden.
                hidden = dayfiles.relation(parts, "TRUE", m.raw_horizon, new_h)
                dropped = count(cur.execute(f"SELECT count(*) FROM ({' UNION ALL '.join(hidden)})")) if hidden else 0
                dropped += count(cur.execute(f"DELETE FROM samples WHERE ts < {raw_h}"))
                dropped += count(cur.execute(f"DELETE FROM samples_compact WHERE block_start < {raw_h} "
                                             f"AND {compaction.TS} < {raw_h}"))
                cur.execute(f"DELETE FROM rollup_5m WHERE bucket < {five_h}")
                cur.execute(f"DELETE FROM rollup_1h WHERE bucket < {hour_h}")
                expired = [name for name, day in parts if day + compaction.SPAN <= new_h]
                if expired:
                    cur.execute("DELETE FROM day_parts WHERE list_contains(?, name)", [expired])
                marks = plan.Marks(m.five_minute, m.hourly, new_h, max(m.five_minute_horizon, five_h))
                self._save_marks(cur, marks)
            self._marks = marks
            self._drop_parts(expired)  # after the commit: a crash before this leaves unlisted files, deleted at open
            if dropped:  # hand the freed blocks back for reuse now rather than at the next auto-checkpoint
                cur.execute("CHECKPOINT")
        return dropped

    def _drop_parts(self, names: list[str]) -> None:
        if not names:
            return
        with self._gate.exclusive():  # no read is using them
            for name in names:
                self._con.execute(f"DETACH {dayfiles.alias(name)}")
                (self.days / name).unlink(missing_ok=True)

    def compact(self, now: float) -> int:
        """Write raw samples of days closed at `now` into day files; returns samples moved.

        Each day is read in one snapshot and written to its file without the write lock, so appends
        wait only for the final step: one transaction that lists the file and deletes exactly the
        rows that snapshot saw (rows arriving meanwhile stay raw and go in the next pass).
        """
        with self._compact_lock:
            self._check_open()
            cur = self._con.cursor()
            try:
                with snapshot(cur):
                    days = compaction.days(cur, compaction.target(now), self._load_marks(cur).raw_horizon)
                moved = sum(self._compact_day(cur, day) for day in days)
            finally:
                cur.close()
            if moved:
                self.checkpoint()  # free the raw rows' blocks for new samples
                self._vacuum_if_mostly_free()
        return moved

    def _compact_day(self, cur: duckdb.DuckDBPyConnection, day: int) -> int:
        cur.execute("BEGIN TRANSACTION")
        writer = None
        try:
            horizon = self._load_marks(cur).raw_horizon
            pieces = compaction.chunks(cur, day, horizon)
            if not pieces:
                cur.execute("ROLLBACK")
                return 0
            taken = {name for name, _ in self._parts(cur)} | set(p.name for p in self.days.glob("*.duckdb"))
            writer = dayfiles.PartWriter(self.days, dayfiles.part_name(day, taken), DUCKDB_CONFIG)
            for first, last in pieces:
                if self._closing:
                    raise RuntimeError("the series store is closing")
                writer.add(*compaction.read_chunk(cur, day, horizon, first, last))
            path = writer.finish()
            with self._write_lock:
                self._check_open()
                with self._gate.exclusive():
                    dayfiles.attach(self._con, path, dayfiles.alias(path.name))
                moved = count(cur.execute(f"DELETE FROM samples WHERE {compaction.where(day, horizon)}"))
                if moved != writer.rows:
                    raise RuntimeError(f"compaction of {path.name} deleted {moved} raw rows, wrote {writer.rows}")
                cur.execute("INSERT INTO day_parts VALUES (?, ?, ?)", [path.name, day, writer.rows])
                cur.execute("COMMIT")
            return moved
        except BaseException:
            try:
                cur.execute("ROLLBACK")
            except duckdb.Error:  # a failed COMMIT has already ended the transaction
                pass
            if writer is not None:
                self._forget(writer)
            raise

    def _forget(self, writer: dayfiles.PartWriter) -> None:
        """Undo a part that was never listed: detach it if attached, then delete its files."""
        alias = dayfiles.alias(writer.final.name)
        with self._gate.exclusive():
            if not self._closed and self._con.execute(
                    "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [alias]).fetchall()[0][0]:
                self._con.execute(f"DETACH {alias}")
        writer.abandon()

    def _vacuum_if_mostly_free(self) -> None:
        with self._write_lock:
            self._check_open()
            if not vacuum.worth_it(self._con):
                return
            with self._gate.exclusive(), self._cursor_lock:
                self._con.execute("CHECKPOINT")
                for cur in self._cursors:
                    cur.close()
                self._cursors.clear()
                self._generation += 1
                try:
                    vacuum.rewrite(self._con, self.path, DUCKDB_CONFIG)  # closes the connection
                finally:
                    self._open()
                    self._attach_listed()

    def checkpoint(self) -> None:
        """Write the WAL into the compressed main file (DuckDB also does this when the WAL passes 16 MB)."""
        with self._write_lock:
            self._check_open()
            self._cursor().execute("CHECKPOINT")

    def close(self) -> None:
        self._closing = True  # a running compaction gives up between chunks
        with self._compact_lock, self._write_lock, self._gate.exclusive(), self._cursor_lock:
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
