"""SQL pieces of the DuckDB series store: downsampling over levels, transactions and id filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import numpy as np

from forewarn.monitoring.series import plan

TABLES = {plan.FIVE_MINUTE: "rollup_5m", plan.HOURLY: "rollup_1h"}
# A rollup row of one sample stores only mn: its mx and sm are NULL, meaning "equal to mn". Sparse
# series (a sample every few minutes or more) make mostly such rows, and two NULL columns cost about
# nothing where two copies of the value cost ~12 of the row's ~20 bytes (benchmarks/ingest.py).
MX, SM = "coalesce(mx, mn)", "coalesce(sm, mn)"
RAW_PARTIAL = ("min(value), CASE WHEN count(*) > 1 THEN max(value) END, "
               "CASE WHEN count(*) > 1 THEN sum(value) END, count(*)")
ROLLUP_PARTIAL = f"min(mn), CASE WHEN sum(cnt) > 1 THEN max({MX}) END, CASE WHEN sum(cnt) > 1 THEN sum({SM}) END, sum(cnt)"
# Aggregates per level: as mergeable partials, or as the final answer when one level serves alone.
_PARTIAL = {plan.RAW: "min(value) AS mn, max(value) AS mx, sum(value) AS sm, count(*) AS cnt",
            "rollup": f"min(mn) AS mn, max({MX}) AS mx, sum({SM}) AS sm, sum(cnt) AS cnt"}
_FINAL = {plan.RAW: "avg(value) AS value, min(value) AS min, max(value) AS max, count(*) AS count",
          "rollup": f"sum({SM}) / sum(cnt) AS value, min(mn) AS min, max({MX}) AS max, sum(cnt) AS count"}

Raw = Callable[[int, int], str]  # (lo, hi) → a relation of raw (series_id, ts, value) with lo ≤ ts < hi


def bucket_query(raw: Raw, id_filter: str, start: int, end: int, step: int, marks: plan.Marks) -> str:
    """Buckets from each serving level over whole aligned buckets, merged per (series, bucket)."""
    lo, hi = plan.bucket_span(start, end, step)
    spans = [(src.level, max(lo, src.lo), min(hi, src.hi)) for src in plan.sources(step, marks)]
    spans = [(level, a, b) for level, a, b in spans if a < b]

    def select(level: str, a: int, b: int, aggregates: dict[str, str]) -> str:
        if level == plan.RAW:
            return f"SELECT series_id, ts // {step} * {step} AS ts, {aggregates[plan.RAW]} FROM {raw(a, b)} GROUP BY ALL"
        return (f"SELECT series_id, bucket // {step} * {step} AS ts, {aggregates['rollup']} FROM {TABLES[level]} "
                f"WHERE {id_filter} AND bucket >= {a} AND bucket < {b} GROUP BY ALL")

    if len(spans) == 1:  # the usual case; skipping the second aggregation saves about a third
        return select(*spans[0], _FINAL) + " ORDER BY series_id, ts"
    union = " UNION ALL ".join(select(*span, _PARTIAL) for span in spans)
    return f"SELECT series_id, ts, {_FINAL['rollup']} FROM ({union}) GROUP BY ALL ORDER BY series_id, ts"


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing for writes; one consistent snapshot (watermarks and data) for reads."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")


snapshot = transaction


@contextmanager
def wanted(cur: duckdb.DuckDBPyConnection, ids: np.ndarray) -> Iterator[str]:
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


def count(result: duckdb.DuckDBPyConnection) -> int:
    rows = result.fetchall()  # to the end: a half-read result keeps its transaction open (see vacuum.py)
    return int(rows[0][0]) if rows else 0
