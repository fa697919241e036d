"""Plain SQL for correlation's bulk statements, in the connected database's parameter style: one driver
executemany per statement, without per-row statement compilation (the batch path's main cost otherwise)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from forewarn.core.ids import new_ids


class BulkSql:
    """Statements for one dialect; JSON columns are serialised here and cast where the database needs it."""

    def __init__(self, session: Session) -> None:
        dialect = session.get_bind().dialect
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.json_mark = self.mark if dialect.name == "sqlite" else f"CAST({self.mark} AS JSON)"

    def insert(self, table: str, cols: Sequence[str], json_cols: Iterable[str] = ()) -> str:
        marks = ", ".join(self._mark(c, set(json_cols)) for c in cols)
        return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"

    def update(self, table: str, cols: Sequence[str], keys: Sequence[str], json_cols: Iterable[str] = ()) -> str:
        sets = ", ".join(f"{c} = {self._mark(c, set(json_cols))}" for c in cols)
        where = " AND ".join(f"{k} = {self.mark}" for k in keys)
        return f"UPDATE {table} SET {sets} WHERE {where}"

    def delete(self, table: str, keys: Sequence[str]) -> str:
        return f"DELETE FROM {table} WHERE " + " AND ".join(f"{k} = {self.mark}" for k in keys)

    def marks(self, n: int) -> str:
        return ", ".join([self.mark] * n)

    def _mark(self, col: str, json_cols: set[str]) -> str:
        return self.json_mark if col in json_cols else self.mark


class IdPool:
    """Row ids for one batch, made 256 at a time: one id alone costs a clock read and a urandom call."""

    def __init__(self) -> None:
        self._ids: list[str] = []

    def __call__(self) -> str:
        if not self._ids:
            self._ids = new_ids(256)
        return self._ids.pop()


def many(session: Session, sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        session.connection().exec_driver_sql(sql, rows)


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: json.dumps builds one per call


def dumps(value: Any) -> str:  # noqa: ANN401 - any JSON value
    return _ENCODE(value) if value else "{}" if isinstance(value, dict) else _ENCODE(value)
