"""Rewrites the main series file into a fresh one when it is mostly free blocks, since DuckDB never shrinks a file.

After compaction moves a closed day out, the blocks that held its raw rows stay in the file (DuckDB only
reuses them), so the file keeps the size of its busiest day. The rewrite copies the live tables into
`<file>.rewrite`, makes that durable, and renames it over the file: a crash leaves either the old file
or the new one, both whole; a leftover `.rewrite` is deleted at open.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from forewarn.core.durable import fsync_path
from forewarn.monitoring.series.dayfiles import sql_path

MIN_FREE_BYTES = 8 * 2**20  # below this a rewrite gains too little to be worth the stall, short as it is


def temp_path(path: Path) -> Path:
    return path.with_name(path.name + ".rewrite")


def recover(path: Path) -> None:
    """Delete the remains of a rewrite that a crash interrupted before its rename."""
    temp_path(path).unlink(missing_ok=True)
    temp_path(path).with_name(temp_path(path).name + ".wal").unlink(missing_ok=True)


def worth_it(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the free blocks outweigh both the live ones and MIN_FREE_BYTES."""
    # fetchall, not fetchone: a result not read to its end keeps the connection's transaction open,
    # and every later CHECKPOINT then fails with "other write transactions active".
    (used, free, size), = con.execute("SELECT used_blocks, free_blocks, block_size FROM pragma_database_size() "
                                      "WHERE database_name = current_database()").fetchall()
    return free * size > max(MIN_FREE_BYTES, used * size)


def rewrite(con: duckdb.DuckDBPyConnection, path: Path, config: dict[str, str]) -> None:
    """Copy every table of the checkpointed main database into a fresh file and swap it in.

    Always closes `con` (the caller holds every lock and reopens); nothing may write meanwhile.
    """
    temp = temp_path(path)
    recover(path)
    try:
        main = con.execute("SELECT current_database()").fetchall()[0][0]
        block = int(config.get("default_block_size", 262_144))
        con.execute(f"ATTACH '{sql_path(temp)}' AS fresh (BLOCK_SIZE {block})")
        con.execute(f'COPY FROM DATABASE "{main}" TO fresh')
        con.execute("DETACH fresh")
    except duckdb.Error:
        con.close()
        recover(path)
        raise
    con.close()  # checkpoints; with no writes since the caller's CHECKPOINT the WAL is empty
    wal = path.with_name(path.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:  # would be replayed onto the new file: keep the old one
        recover(path)
        return
    fsync_path(temp)
    os.replace(temp, path)
    fsync_path(path.parent)


