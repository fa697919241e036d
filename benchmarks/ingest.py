"""Ingest benchmark: samples/s and bytes/sample of the series store against bare DuckDB and SQLite.

Run: .venv/bin/python benchmarks/ingest.py [--samples 2000000] [--series 100000] [--profile mixed]

Bytes/sample is the store's size over the samples it holds, after a checkpoint: as ingested
(arrival order, the figure before compaction existed), after the maintenance step compacts the
closed day (the day files alone, and the whole store directory after close: what `du` counts), and in
a steady state of several simulated days with retention (--steady-days). The default profile is sparse
(20 samples per series a day); the realistic profile (ingest_realistic.py, --realistic-hosts) samples
every 10 s as the agent does, which is the workload the ≤ 4 bytes/sample goal is about.

Each section is a function taking the same batches and returning a `Result`, so more sections
(the HTTP batch endpoint, say) can be added to `main()` beside these.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
from ingest_http import bench_http
from ingest_realistic import bench_realistic, directory_bytes
from rich.console import Console
from rich.table import Table

from forewarn.core.records import SampleBatch
from forewarn.db import Database, migrate
from forewarn.monitoring import IngestService, SeriesRegistry
from forewarn.monitoring.series import (
    FIVE_MINUTE_RETENTION,
    HOURLY_RETENTION,
    RAW_RETENTION,
    DuckDBSeriesStore,
    compaction,
    dayfiles,
)
from forewarn.monitoring.series.duckdb_store import DUCKDB_CONFIG

T0 = 1_700_006_400.0  # midnight UTC; the data covers the day after it
DAY = 86_400.0
T = TypeVar("T")


@dataclass
class Result:
    name: str
    rows: int
    seconds: float
    bytes_on_disk: int | None = None
    notes: dict[str, str] = field(default_factory=dict)
    storage: dict[str, float] = field(default_factory=dict)  # bytes/sample at each step, and seconds

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def bytes_per_row(self) -> float | None:
        return None if self.bytes_on_disk is None else self.bytes_on_disk / self.rows


def make_batches(n_samples: int, n_series: int, series_per_batch: int, ts_per_batch: int, profile: str,
                 seed: int = 1) -> list[SampleBatch]:
    """One day of samples, as a poller would push them: a group of series × a few timestamps.

    Hosts of 20 series share a collection phase, each collection jitters by ~0.2 s (ms precision).
    Profile "gauges": values with one decimal around a per-series level. Profile "mixed": a quarter
    each of percentages (1 decimal), latencies (3 decimals), growing counters and constant codes.
    """
    rng = np.random.default_rng(seed)
    per_series = max(1, n_samples // n_series)
    interval = DAY / per_series
    phase = rng.uniform(0, interval, n_series // 20 + 1)[np.arange(n_series) // 20]
    level = rng.uniform(0, 100, n_series)
    kind = rng.integers(0, 4, n_series) if profile == "mixed" else np.zeros(n_series, dtype=np.int64)
    batches = []
    for g in range(0, n_series, series_per_batch):
        group = np.arange(g, min(g + series_per_batch, n_series))
        for k0 in range(0, per_series, ts_per_batch):
            k = np.repeat(np.arange(k0, min(k0 + ts_per_batch, per_series)), len(group))
            ids = np.tile(group, len(k) // len(group))
            ts = np.round(T0 + k * interval + phase[ids] + rng.normal(0, 0.2, len(ids)), 3)
            batches.append(SampleBatch(ids, ts, _values(kind[ids], level[ids], k, rng)))
    return batches


def _values(kind: np.ndarray, level: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    gauge = np.round(level + rng.normal(0, 2, len(kind)))
    latency = np.round(rng.gamma(2.0, 20.0, len(kind)), 3)
    counter = np.floor(level * 1e7 + k * level * 1e4)
    return np.select([kind == 0, kind == 1, kind == 2], [gauge, latency, counter], 200.0)


def bench_store(batches: list[SampleBatch], directory: Path) -> Result:
    """Appends timed alone; then the maintenance step that compacts the closed day, timed apart."""
    path = directory / "store.duckdb"
    store = DuckDBSeriesStore(path)
    started = time.perf_counter()
    rows = sum(store.append(b) for b in batches)
    seconds = time.perf_counter() - started
    store.checkpoint()  # the WAL is folded into the compressed file
    arrival = _size(path)
    compact_seconds, moved = _timed(lambda: store.compact(T0 + DAY + compaction.LAG))
    store.close()
    day_files = sum(p.stat().st_size for p in dayfiles.directory(path).glob("*.duckdb"))
    storage = {"arrival": arrival / rows, "live": day_files / rows, "file": directory_bytes(path) / rows,
               "compact_s": compact_seconds, "moved": moved}
    return Result("DuckDBSeriesStore.append", rows, seconds, arrival, storage=storage)


def bench_steady(days: int, raw_days: int, args: argparse.Namespace, directory: Path) -> dict[str, float]:
    """`days` days of the same profile, each followed by the platform's maintenance (rollup,
    retention, compaction) once the day has closed: the file then holds `raw_days` days of raw
    samples and the free blocks that tomorrow's samples will reuse."""
    path = directory / "steady.duckdb"
    store = DuckDBSeriesStore(path, raw_retention=raw_days * DAY)
    kept = []
    for day in range(days):
        for b in make_batches(args.samples, args.series, args.batch_series, args.batch_ts, args.profile, seed=day + 1):
            kept.append(store.append(SampleBatch(b.series_ids, b.timestamps + day * DAY, b.values)))
        now = T0 + (day + 1) * DAY + compaction.LAG
        store.rollup(now)
        store.apply_retention(now)
        store.compact(now)
    raw = sum(kept[-raw_days * len(kept) // days:])
    store.close()
    rollups = _table_bytes(path, ("rollup_5m", "rollup_1h"), directory / "rollups.duckdb")
    whole = directory_bytes(path)
    return {"days": days, "raw_days": raw_days, "file": whole / raw, "rollups": rollups / raw,
            "raw": (whole - rollups) / raw}


def bench_ingest_service(batches: list[SampleBatch], directory: Path) -> Result:
    """The platform's in-process path: IngestService.append_columns (finite filter, then the store)."""
    db = Database(f"sqlite:///{directory / 'state.db'}")
    migrate(db.engine)
    store = DuckDBSeriesStore(directory / "store.duckdb")
    ingest = IngestService(db, store, SeriesRegistry(db))
    started = time.perf_counter()
    rows = sum(len(ingest.append_columns(b.series_ids, b.timestamps, b.values)) for b in batches)
    seconds = time.perf_counter() - started
    store.close()
    db.dispose()
    return Result("in-process IngestService", rows, seconds, _size(directory / "store.duckdb"))


def bench_bare_duckdb(batches: list[SampleBatch], directory: Path, compact: bool = False) -> Result:
    """The floor: the batch's arrays registered and inserted with nothing else — as they are, or
    (compact) cast to the store's column types, which isolates the store's own overhead."""
    path = directory / "bare.duckdb"
    con = duckdb.connect(str(path))
    types = "UINTEGER, ts UINTEGER" if compact else "BIGINT, ts DOUBLE"
    con.execute(f"CREATE TABLE samples (series_id {types}, value DOUBLE)")
    started = time.perf_counter()
    for b in batches:
        ids, ts = (b.series_ids.astype(np.uint32), np.rint(b.timestamps).astype(np.uint32)) if compact \
            else (b.series_ids, b.timestamps)
        con.register("batch", {"series_id": ids, "ts": ts, "value": b.values})
        con.execute("INSERT INTO samples SELECT * FROM batch")
        con.unregister("batch")
    seconds = time.perf_counter() - started
    con.execute("CHECKPOINT")
    con.close()
    name = "bare DuckDB, store's column types" if compact else "bare DuckDB INSERT from numpy"
    return Result(name, sum(len(b) for b in batches), seconds, _size(path))


def bench_sqlite(batches: list[SampleBatch], directory: Path) -> Result:
    """One row per sample through executemany, one transaction per batch, WAL as the state DB uses."""
    path = directory / "bare.sqlite"
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE samples (series_id INTEGER, ts REAL, value REAL)")
    started = time.perf_counter()
    for b in batches:
        with con:
            con.executemany("INSERT INTO samples VALUES (?, ?, ?)",
                            zip(b.series_ids.tolist(), b.timestamps.tolist(), b.values.tolist(), strict=True))
    seconds = time.perf_counter() - started
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return Result("bare SQLite executemany", sum(len(b) for b in batches), seconds, _size(path))


def bench_query(path: Path, n_series: int, max_points: int = 500, repeats: int = 5) -> list[Result]:
    """One-day reads at `max_points`: all series in one read_many, and single series, raw then rolled up."""
    store = DuckDBSeriesStore(path)
    rng = np.random.default_rng(2)
    ids = np.arange(n_series)
    out = []
    try:
        for label in ("raw", "rolled up"):
            if label == "rolled up":
                started = time.perf_counter()
                written = store.rollup(T0 + DAY + 3600)
                out.append(Result("rollup(now) over the day", written, time.perf_counter() - started,
                                  notes={"what": f"{written:,} rollup rows written"}))
            many = _timed(lambda: store.read_many(ids, T0, T0 + DAY, max_points))
            points = sum(len(r) for r in many[1].values())
            out.append(Result(f"read_many {n_series:,} series, 1 day → {max_points} pts ({label})", points,
                              many[0], notes={"what": f"{points:,} buckets returned"}))
            single = [_timed(lambda s=int(s): store.read(s, T0, T0 + DAY, max_points))[0]
                      for s in rng.choice(ids, repeats)]
            out.append(Result(f"read 1 series, 1 day → {max_points} pts ({label}, median of {repeats})", 1,
                              statistics.median(single)))
            asset = [_timed(lambda g=int(g): store.read_many(np.arange(g, g + 50), T0, T0 + DAY, max_points))[0]
                     for g in rng.choice(n_series - 50, repeats)]
            out.append(Result(f"read_many 50 series (an asset page), 1 day → {max_points} pts ({label}, "
                              f"median of {repeats})", 50, statistics.median(asset)))
        seconds, _ = _timed(lambda: store.latest(ids))
        out.append(Result(f"latest() of {n_series:,} series", n_series, seconds))
    finally:
        store.close()
    return out


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _fresh(directory: Path, name: str, i: int) -> Path:
    path = directory / f"{name}-{i}"
    path.mkdir()
    return path


def _median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.seconds)[len(results) // 2]


def _table_bytes(path: Path, tables: tuple[str, ...], scratch: Path) -> int:
    """What the tables take on their own: copied in row order into a fresh file of the same block size."""
    con = duckdb.connect(str(scratch), config=DUCKDB_CONFIG)
    con.execute(f"ATTACH '{path}' AS src (READ_ONLY)")
    for table in tables:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
    con.execute("DETACH src")
    con.execute("CHECKPOINT")
    con.close()
    return _size(scratch) - _size_of_empty(scratch.with_name("empty.duckdb"))


def _size_of_empty(path: Path) -> int:
    duckdb.connect(str(path), config=DUCKDB_CONFIG).close()
    return _size(path)


def _size(path: Path) -> int:
    wal = [path.with_name(path.name + suffix) for suffix in (".wal", "-wal")]
    return path.stat().st_size + sum(p.stat().st_size for p in wal if p.exists())


def report(console: Console, ingest: list[Result], queries: list[Result], args: argparse.Namespace,
           steady: dict[str, float] | None = None, realistic: dict[str, float] | None = None) -> None:
    store, bare = ingest[0], ingest[1]
    sqlite = next((r for r in ingest if "SQLite" in r.name), None)
    table = Table(title=f"ingest: {store.rows:,} samples, {args.series:,} series, profile {args.profile}, "
                        f"batches of {args.batch_series:,} series × {args.batch_ts} timestamps, "
                        f"{args.cores} core(s)")
    for col in ("what", "samples/s", "bytes/sample on disk", "vs bare DuckDB (speed)", "vs SQLite (speed)"):
        table.add_column(col, justify="left" if col == "what" else "right")
    for r in ingest:
        table.add_row(r.name, f"{r.rows_per_s:,.0f}", f"{r.bytes_per_row:.2f}",
                      f"{r.rows_per_s / bare.rows_per_s:.2f}×",
                      "—" if sqlite is None else f"{r.rows_per_s / sqlite.rows_per_s:.1f}×")
    console.print(table)
    st = store.storage
    storage = Table(title=f"bytes/sample of the store, sparse profile ({args.profile}, "
                          f"{args.samples // args.series} samples per series a day) (goal ≤ 4)")
    storage.add_column("what")
    storage.add_column("bytes/sample", justify="right")
    storage.add_row("as ingested, arrival order (the figure before compaction)", f"{st['arrival']:.2f}")
    storage.add_row(f"after compact() of the closed day ({st['moved']:,.0f} samples in {st['compact_s']:.2f} s): "
                    "the day files alone", f"{st['live']:.2f}")
    storage.add_row("  the whole store directory after close (main file with rollups, WAL, day files)",
                    f"{st['file']:.2f}")
    if steady:
        storage.add_row(f"steady state: {steady['days']:.0f} days with maintenance, {steady['raw_days']:.0f} days of raw "
                        "kept: whole store directory per raw sample kept", f"{steady['file']:.2f}")
        storage.add_row("  of which rollups (5-minute and hourly buckets)", f"{steady['rollups']:.2f}")
        storage.add_row("  the rest: raw samples, compacted and in arrival order, with free blocks", f"{steady['raw']:.2f}")
    console.print(storage)
    if realistic:
        _report_realistic(console, realistic)
    queries_table = Table(title="queries on the store file")
    queries_table.add_column("what")
    queries_table.add_column("seconds", justify="right")
    queries_table.add_column("notes")
    for r in queries:
        queries_table.add_row(r.name, f"{r.seconds:.4f}", r.notes.get("what", ""))
    console.print(queries_table)


def _report_realistic(console: Console, r: dict[str, float]) -> None:
    table = Table(title=f"realistic profile: {r['series']:,.0f} series (agent metrics every 10 s, checks every 60 s), "
                        f"1 day = {r['rows']:,.0f} samples (goal ≤ 4 bytes/sample)")
    table.add_column("what")
    table.add_column("bytes/sample", justify="right")
    table.add_row(f"appends, batches of 5 minutes × all series: {r['append_rate']:,.0f} samples/s "
                  f"({r['append_rate'] / r['bare_rate']:.2f}× bare DuckDB with the store's column types: "
                  f"{r['bare_rate']:,.0f}/s)", "")
    table.add_row("as ingested, arrival order, rollups every 5 minutes: whole store directory", f"{r['arrival']:.2f}")
    table.add_row(f"after compact() of the closed day ({r['moved']:,.0f} samples in {r['compact_s']:.2f} s): "
                  "the day file alone (data only)", f"{r['day_files']:.2f}")
    table.add_row("  the whole store directory after close: what du says (the figure against the goal)",
                  f"{r['whole']:.2f}")
    table.add_row("  of which the main file (rollups, open-day raw rows, metadata)", f"{r['main']:.2f}")
    table.add_row(f"  of which rollups, measured apart: 5-minute {r['five_minute']:.2f}, hourly {r['hourly']:.2f}",
                  f"{r['rollups']:.2f}")
    raw, five, hour = (x / DAY for x in (RAW_RETENTION, FIVE_MINUTE_RETENTION, HOURLY_RETENTION))
    # Arithmetic, not a measurement: each level's one-day cost times the days it is kept, plus the
    # open day's arrival-order blocks, over the raw samples kept.
    projected = r["day_files"] + (r["peak"] + five * r["five_minute"] + hour * r["hourly"]) / raw
    table.add_row(f"projected steady state with the default retention ({raw:.0f} d raw, {five:.0f} d 5-minute, "
                  f"{hour:.0f} d hourly): whole store per raw sample kept (rollups outlive raw samples)",
                  f"{projected:.2f}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2_000_000)
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--batch-series", type=int, default=10_000, help="series per appended batch")
    parser.add_argument("--batch-ts", type=int, default=5, help="timestamps per series per batch")
    parser.add_argument("--profile", choices=("mixed", "gauges"), default="mixed")
    parser.add_argument("--cores", type=int, default=1, help="pin the process to this many CPUs (Linux)")
    parser.add_argument("--repeat", type=int, default=3, help="ingest runs each (alternating); medians shown")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--steady-days", type=int, default=5, help="days simulated for the steady state (0: skip)")
    parser.add_argument("--steady-raw-days", type=int, default=3, help="raw retention in that simulation, days")
    parser.add_argument("--realistic-hosts", type=int, default=200,
                        help="hosts of 10 series each in the realistic profile (0: skip)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])
    console = Console(width=max(Console().width, 130))
    batches = make_batches(args.samples, args.series, args.batch_series, args.batch_ts, args.profile)
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as tmp:
        directory = Path(tmp)
        runs: dict[str, list[Result]] = {"store": [], "bare": [], "compact": [], "service": []}
        for i in range(args.repeat):  # alternate so a noisy neighbour hurts both sides alike
            with console.status(f"run {i + 1}/{args.repeat}: appending through DuckDBSeriesStore"):
                runs["store"].append(bench_store(batches, _fresh(directory, "store", i)))
            with console.status(f"run {i + 1}/{args.repeat}: appending to bare DuckDB"):
                runs["bare"].append(bench_bare_duckdb(batches, _fresh(directory, "bare", i)))
            with console.status(f"run {i + 1}/{args.repeat}: appending through the in-process IngestService"):
                runs["service"].append(bench_ingest_service(batches, _fresh(directory, "service", i)))
            with console.status(f"run {i + 1}/{args.repeat}: appending to bare DuckDB, compact types"):
                runs["compact"].append(bench_bare_duckdb(batches, _fresh(directory, "compact", i), compact=True))
        store, bare, compact, service = (_median(runs[k]) for k in ("store", "bare", "compact", "service"))
        ingest = [store, bare, compact, service]
        if not args.skip_http:
            with console.status("posting batches to the HTTP ingest endpoint of a running forewarn"):
                ingest.append(bench_http(batches, directory / "http", console))
        if not args.skip_sqlite:
            with console.status("appending to SQLite one row per sample"):
                ingest.append(bench_sqlite(batches, directory))
        steady = None
        if args.steady_days:
            with console.status(f"simulating {args.steady_days} days with daily maintenance"):
                steady = bench_steady(args.steady_days, args.steady_raw_days, args, directory)
        realistic = None
        if args.realistic_hosts:
            with console.status(f"one day of the realistic profile, {args.realistic_hosts} hosts"):
                realistic = bench_realistic(args.realistic_hosts, directory, _table_bytes,
                                            lambda b, d: bench_bare_duckdb(b, _fresh(d.parent, d.name, 0), compact=True))
        with console.status("querying"):
            queries = bench_query(directory / "store-0" / "store.duckdb", args.series)
        report(console, ingest, queries, args, steady, realistic)


if __name__ == "__main__":
    main()
