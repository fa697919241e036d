"""Deduplication of a batch of signals by fingerprint, as alerting's record_signal does it one at a time:
one row per condition with counts and first/last seen, read with one query and written with executemany."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from forewarn.core.enums import SignalState
from forewarn.core.records import Signal
from forewarn.incidents.batch_sql import BulkSql, IdPool, dumps, many

_CHUNK = 500  # fingerprints per IN query: well inside every driver's parameter limit
_READ = ("id", "fingerprint", "state", "first_seen", "count", "suppressed")
_NEW = ("id", "fingerprint", "tenant_id", "asset_id", "check_id", "kind", "severity", "state", "summary",
        "first_seen", "last_seen", "count", "flapping", "evidence", "suppressed")
_CHANGING = ("severity", "state", "summary", "last_seen", "flapping", "evidence", "count", "first_seen",
             "suppressed")


class Recorder:
    """The signal rows a batch touches, as the batch leaves them; `write` stores them in one go."""

    def __init__(self, existing: dict[str, dict[str, Any]], next_id: IdPool) -> None:
        self.next_id = next_id
        self.rows = existing  # fingerprint → row (column → value)
        self.new: set[str] = set()
        self.written: set[str] = set()  # fingerprints this batch changed

    @classmethod
    def load(cls, session: Session, signals: Sequence[Signal], next_id: IdPool) -> Recorder:
        fingerprints = list(dict.fromkeys(s.fingerprint for s in signals))
        sql = BulkSql(session)
        rows: dict[str, dict[str, Any]] = {}
        conn = session.connection()
        for k in range(0, len(fingerprints), _CHUNK):
            part = fingerprints[k:k + _CHUNK]
            query = f"SELECT {', '.join(_READ)} FROM signals WHERE fingerprint IN ({sql.marks(len(part))})"
            for r in conn.exec_driver_sql(query, tuple(part)):
                rows[r[1]] = dict(zip(_READ, r, strict=True))
        return cls(rows, next_id)

    def record(self, signal: Signal) -> dict[str, Any]:
        """The row after this signal: a new episode restarts first_seen and clears the suppression."""
        fp = signal.fingerprint
        row = self.rows.get(fp)
        if row is None:
            row = {"id": self.next_id(), "fingerprint": fp, "tenant_id": signal.tenant_id, "asset_id": signal.asset_id,
                   "check_id": signal.check_id, "kind": signal.kind, "first_seen": signal.ts, "count": 0,
                   "state": None, "suppressed": None}
            self.rows[fp] = row
            self.new.add(fp)
        elif row["state"] == SignalState.RESOLVED.value and signal.state is SignalState.FIRING:
            row["first_seen"] = signal.ts
            row["suppressed"] = None
        row["count"] += 1
        row["severity"], row["state"], row["summary"] = signal.severity.value, signal.state.value, signal.summary[:1000]
        row["last_seen"], row["flapping"], row["evidence"] = signal.ts, signal.flapping, signal.evidence
        self.written.add(fp)
        return row

    def write(self, session: Session) -> None:
        sql = BulkSql(session)
        rows = self.rows
        many(session, sql.insert("signals", _NEW, ["evidence"]),
             [tuple(dumps(v) if c == "evidence" else v for c, v in ((c, rows[fp][c]) for c in _NEW))
              for fp in self.written if fp in self.new])
        many(session, sql.update("signals", _CHANGING, ["id"], ["evidence"]),
             [(*(dumps(rows[fp][c]) if c == "evidence" else rows[fp][c] for c in _CHANGING), rows[fp]["id"])
              for fp in self.written if fp not in self.new])
        self.new -= self.written
        self.written.clear()
