"""Lays out closed days of arrival-order samples to compress well; dayfiles.py stores them.

Samples arrive interleaved (every series of a poll, then the next poll), which DuckDB's per-vector
compression handles badly: one 1,024-value vector mixes percentages, latencies and counters. A
closed block is rewritten once, sorted by series, with series of similar values next to each other:

* series are ordered by (decimals needed, magnitude of the scaled values, id group, smallest value),
  so that ALP's per-vector exponent and frame of reference fit all of a vector's values;
* time is kept as `tpos = position of the series in the block × SPAN + seconds into the block`.
  That column only ever grows, so DuckDB's delta bitpacking stores about log2(2 × interval) bits a
  sample instead of log2(SPAN) for raw timestamps; `ts = block_start + tpos % SPAN` decodes it.

The order is only a compression hint: a series that fits no class still round-trips exactly.
`samples_compact` in the main file is where layout version 2 kept compacted days; it is still read
and expired, and no longer written (days now go to their own files, dayfiles.py).
"""

from __future__ import annotations

import math

import duckdb
import numpy as np

SPAN = 86_400  # one day: long enough that sparse series (one sample an hour) still form runs
LAG = 600  # a block is compacted once its end is this far behind `now`, so stragglers land first
CHUNK_ROWS = 4_000_000  # rows laid out at a time (≈ 100 MB of numpy); bounds memory
MAX_DECIMALS = 6  # values needing more digits than this are treated as arbitrary doubles
CLASS_PROBE = 4  # values of each series looked at to tell its class
ID_GROUP = 4_096  # measured on benchmarks/ingest.py: 4.03 → 3.93 bytes/sample, one-series reads unchanged

SCHEMA = ("CREATE TABLE IF NOT EXISTS samples_compact (series_id UINTEGER NOT NULL, "
          "block_start UINTEGER NOT NULL, tpos UBIGINT NOT NULL, value DOUBLE NOT NULL)")
TS = f"(block_start + tpos % {SPAN})::UINTEGER"


def raw_selects(id_filter: str, lo: int, hi: int) -> list[str]:
    """SELECTs of the raw samples (series_id, ts, value) with lo ≤ ts < hi in the main file's two tables."""
    first_block = max(lo, 0) // SPAN * SPAN  # lets DuckDB skip row groups by block_start's min/max
    return [f"SELECT series_id, ts, value FROM samples WHERE {id_filter} AND ts >= {lo} AND ts < {hi}",
            f"SELECT series_id, {TS} AS ts, value FROM samples_compact WHERE {id_filter} "
            f"AND block_start >= {first_block} AND block_start < {hi} AND {TS} >= {lo} AND {TS} < {hi}"]


def target(now: float) -> int:
    """Raw samples with ts below this lie in blocks that are closed at `now`."""
    return max(0, (math.floor(now) - LAG) // SPAN * SPAN)


def where(day: int, horizon: int) -> str:
    """The raw rows of one closed day that compaction moves: those retention has not dropped yet."""
    return f"ts >= {max(day, horizon)} AND ts < {day + SPAN}"


def days(cur: duckdb.DuckDBPyConnection, below: int, horizon: int) -> list[int]:
    """Starts of the days with raw rows at or after the raw horizon and below `below`."""
    rows = cur.execute(f"SELECT DISTINCT ts // {SPAN} * {SPAN} AS day FROM samples "
                       f"WHERE ts >= {horizon} AND ts < {below} ORDER BY day").fetchall()
    return [int(r[0]) for r in rows]


def chunks(cur: duckdb.DuckDBPyConnection, day: int, horizon: int) -> list[tuple[int, int]]:
    """(first id, last id) pieces of one day's raw rows, each ≤ CHUNK_ROWS rows (bounds memory)."""
    rows = cur.execute(f"SELECT series_id, count(*) AS n FROM samples WHERE {where(day, horizon)} "
                       "GROUP BY ALL ORDER BY series_id").fetchnumpy()
    if len(rows["series_id"]) == 0:
        return []
    ids, counts = rows["series_id"], np.cumsum(rows["n"])
    cut = np.searchsorted(counts, np.arange(CHUNK_ROWS, counts[-1], CHUNK_ROWS), side="right")
    return [(int(ids[a]), int(ids[b - 1])) for a, b in zip(np.r_[0, cut], np.r_[cut, len(ids)], strict=True) if a < b]


def read_chunk(cur: duckdb.DuckDBPyConnection, day: int, horizon: int, first: int,
               last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One chunk's raw rows in compact order (see `layout`)."""
    cols = cur.execute(f"SELECT series_id, ts, value FROM samples WHERE {where(day, horizon)} "
                       f"AND series_id BETWEEN {first} AND {last}").fetchnumpy()
    return layout(cols["series_id"], cols["ts"], cols["value"], day)


def layout(sid: np.ndarray, ts: np.ndarray, values: np.ndarray,
           block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A block's rows in compact order: (series ids, tpos, values), series grouped by value class."""
    # One integer key sorts by (series, ts) in a tenth of the time DuckDB's ORDER BY takes here.
    by_series = np.argsort((sid.astype(np.uint64) << np.uint64(32)) | ts.astype(np.uint64))
    sid, ts, values = sid[by_series], ts[by_series], values[by_series]
    starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
    lengths = np.diff(np.r_[starts, len(sid)])
    # A series' class is judged by its first few values: the class only steers compression, and
    # testing every value was most of compaction's time.
    probe = (starts[:, None] + np.arange(CLASS_PROBE)).ravel()
    probe = probe[probe < np.repeat(starts + lengths, CLASS_PROBE)]
    decimals = np.zeros(len(starts), dtype=np.int64)
    np.maximum.at(decimals, np.searchsorted(starts, probe, side="right") - 1, _decimals(values[probe]))
    with np.errstate(over="ignore"):  # huge values scale to inf: they sort last, which is all we need
        scaled = np.maximum.reduceat(np.abs(values), starts) * 10.0**decimals
        magnitude = np.ceil(np.log2(scaled + 1.0))
    # Within a class, series of each run of ID_GROUP ids go by their smallest value, so a vector holds
    # similar levels (narrower frame of reference); a series' rows stay within a row group or two
    # of its id's neighbours, which keeps reads of one series pruning row groups by id.
    ids = sid[starts]
    series_order = np.lexsort((ids, np.minimum.reduceat(values, starts), ids // ID_GROUP, magnitude, decimals))
    # Gather each series' run of rows, in the new series order, without sorting the rows again.
    run_lengths = lengths[series_order]
    run_starts = np.r_[0, np.cumsum(run_lengths)[:-1]]
    order = np.arange(len(sid)) + np.repeat(starts[series_order] - run_starts, run_lengths)
    position = np.repeat(np.arange(len(starts), dtype=np.uint64), run_lengths)
    tpos = position * np.uint64(SPAN) + (ts[order] - block).astype(np.uint64)
    return sid[order], tpos, values[order]


def _decimals(values: np.ndarray) -> np.ndarray:
    """Per value, the fewest decimals (0..MAX_DECIMALS) that write it exactly, else MAX_DECIMALS + 1."""
    out = np.full(len(values), MAX_DECIMALS + 1, dtype=np.int64)
    left = np.arange(len(values))  # values not yet written exactly; most go at 0 to 3 decimals
    with np.errstate(over="ignore", invalid="ignore"):
        for d in range(MAX_DECIMALS + 1):
            scaled = values[left] * 10.0**d
            exact = np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(np.abs(scaled), 1.0)
            out[left[exact]] = d
            left = left[~exact]
    return out
