"""Compacted days as their own read-only DuckDB files beside the series file: naming, writing, reconciling.

A day part `<stem>-days/2026-12-06.0.duckdb` holds `samples(series_id, tpos, value)` of one closed day in
compaction.layout's order (`ts = day + tpos % SPAN`). Parts exist so that the disk follows the data:
retention deletes whole files and the main file never holds a compacted day's raw blocks for long.
More samples arriving for a compacted day make another part (`.1`, `.2`, …) the next time round.

A part counts only once the main file's `day_parts` table lists it, which happens in the same
transaction that deletes its raw rows; a file not listed there (a crash between the rename and that
commit, or after retention's commit) is settled at open (`reconcile`), so every sample is in exactly
one place.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from pathlib import Path

import duckdb
import numpy as np

from forewarn.core.durable import fsync_path
from forewarn.monitoring.series import compaction

SCHEMA = "CREATE TABLE IF NOT EXISTS day_parts (name VARCHAR PRIMARY KEY, day UINTEGER NOT NULL, rows UBIGINT NOT NULL)"
PART_SCHEMA = "CREATE TABLE samples (series_id UINTEGER NOT NULL, tpos UBIGINT NOT NULL, value DOUBLE NOT NULL)"
log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d+)\.duckdb$")


def directory(main: Path) -> Path:
    """Where a series file's day parts live."""
    return main.with_name(f"{main.stem}-days")


def part_name(day: int, taken: set[str]) -> str:
    """The first free part name for the day starting at unix second `day`."""
    date = dt.datetime.fromtimestamp(day, dt.UTC).strftime("%Y-%m-%d")
    seq = 0
    while f"{date}.{seq}.duckdb" in taken:
        seq += 1
    return f"{date}.{seq}.duckdb"


def alias(name: str) -> str:
    """The catalog name a part is attached under: stable, so reads can name it from `day_parts`."""
    match = _NAME.match(name)
    if match is None:
        raise ValueError(f"not a day part file name: {name!r}")
    return f"part_{match.group(1).replace('-', '_')}_{match.group(2)}"


class PartWriter:
    """Builds one part under a temporary name; `finish` makes it durable and gives it its real name."""

    def __init__(self, folder: Path, name: str, config: dict[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.final = folder / name
        self.temp = folder / f"{name}.tmp"
        self.temp.unlink(missing_ok=True)
        self._con = duckdb.connect(str(self.temp), config=config)
        self._con.execute(PART_SCHEMA)
        self._positions = 0  # series already written: tpos keeps growing across chunks
        self.rows = 0

    def add(self, sid: np.ndarray, tpos: np.ndarray, values: np.ndarray) -> None:
        """One chunk from compaction.layout; its series positions follow the previous chunk's."""
        shifted = tpos + np.uint64(self._positions * compaction.SPAN)
        self._con.register("_part", {"series_id": sid, "tpos": shifted, "value": values})
        try:
            self._con.execute("INSERT INTO samples SELECT * FROM _part")
        finally:
            self._con.unregister("_part")
        self._positions += int(np.count_nonzero(np.r_[True, sid[1:] != sid[:-1]])) if len(sid) else 0
        self.rows += len(sid)

    def finish(self) -> Path:
        self._con.execute("CHECKPOINT")
        self._con.close()
        fsync_path(self.temp)
        os.replace(self.temp, self.final)
        fsync_path(self.final.parent)  # the rename itself must survive a power cut before day_parts lists it
        return self.final

    def abandon(self) -> None:
        try:
            self._con.close()
        except duckdb.Error:
            pass
        self.temp.unlink(missing_ok=True)
        self.final.unlink(missing_ok=True)


def reconcile(con: duckdb.DuckDBPyConnection, folder: Path, listed: set[str], raw_horizon: int) -> None:
    """Settle part files the main file does not list; refuse to open if a listed one is missing.

    An unlisted part is deleted when it is expired (retention's commit came before the unlink) or a
    duplicate (its rename came before the commit that would have deleted its raw rows: they are all
    still raw). Anything else (say, a main file restored from an older backup) is moved to
    `orphaned/` rather than deleted, since it may hold the only copy of its samples.
    """
    present = {p.name for p in folder.iterdir() if _NAME.match(p.name)} if folder.exists() else set()
    for temp in folder.glob("*.tmp") if folder.exists() else ():
        temp.unlink()
    for name in sorted(present - listed):
        day = int(dt.datetime.strptime(name[:10], "%Y-%m-%d").replace(tzinfo=dt.UTC).timestamp())
        if day + compaction.SPAN <= raw_horizon or _rows(con, folder / name) <= _raw_rows(con, day, raw_horizon):
            (folder / name).unlink()
        else:
            (folder / "orphaned").mkdir(exist_ok=True)
            os.replace(folder / name, folder / "orphaned" / name)
            log.warning("series day file %s is not listed by the series file and its samples are not raw there; "
                        "moved to %s", name, folder / "orphaned")
    missing = listed - present
    if missing:
        raise RuntimeError(f"the series file lists compacted day files that are gone from {folder}: "
                           f"{', '.join(sorted(missing))}; restore them from a backup, or remove their rows "
                           "from the day_parts table to accept losing those days")


def attach(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    """ATTACH a database file read-only, its path quoted as an SQL string."""
    con.execute(f"ATTACH '{sql_path(path)}' AS {name} (READ_ONLY)")


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _rows(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    attach(con, path, "_unlisted")
    try:
        return int(con.execute("SELECT count(*) FROM _unlisted.samples").fetchall()[0][0])
    finally:
        con.execute("DETACH _unlisted")


def _raw_rows(con: duckdb.DuckDBPyConnection, day: int, raw_horizon: int) -> int:
    return int(con.execute(f"SELECT count(*) FROM samples WHERE {compaction.where(day, raw_horizon)}").fetchall()[0][0])


def relation(parts: list[tuple[str, int]], id_filter: str, lo: int, hi: int) -> list[str]:
    """SELECTs of (series_id, ts, value) with lo ≤ ts < hi from the parts whose day overlaps [lo, hi)."""
    out = []
    for name, day in parts:
        if day + compaction.SPAN <= lo or day >= hi:
            continue
        t = f"({day} + tpos % {compaction.SPAN})::UINTEGER"
        bounds = "" if lo <= day and day + compaction.SPAN <= hi else f" AND {t} >= {lo} AND {t} < {hi}"
        out.append(f"SELECT series_id, {t} AS ts, value FROM {alias(name)}.samples WHERE {id_filter}{bounds}")
    return out
