"""Deduplication of a batch of signals by fingerprint, as alerting's record_signal does it one at a time:
one row per condition with counts and first/last seen, read with one query and written with executemany."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from forewarn.alerting.models import SignalRow
from forewarn.core.enums import SignalState
from forewarn.core.ids import new_id
from forewarn.core.records import Signal

_CHUNK = 500  # fingerprints per IN query: well inside every driver's parameter limit
_TABLE = SignalRow.__table__
_CHANGING = ("severity", "state", "summary", "last_seen", "flapping", "evidence", "count", "first_seen",
             "suppressed")
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("b_id")).values(
    {c: bindparam(f"b_{c}") for c in _CHANGING})


class Recorder:
    """The signal rows a batch touches, as the batch leaves them; `write` stores them in one go."""

    def __init__(self, existing: dict[str, dict[str, Any]]) -> None:
        self.rows = existing  # fingerprint → row (column → value)
        self.new: set[str] = set()
        self.written: set[str] = set()  # fingerprints this batch changed

    @classmethod
    def load(cls, session: Session, signals: Sequence[Signal]) -> Recorder:
        fingerprints = list(dict.fromkeys(s.fingerprint for s in signals))
        cols = [_TABLE.c.id, _TABLE.c.fingerprint, _TABLE.c.state, _TABLE.c.first_seen, _TABLE.c.count,
                _TABLE.c.suppressed]
        rows: dict[str, dict[str, Any]] = {}
        for k in range(0, len(fingerprints), _CHUNK):
            stmt = select(*cols).where(_TABLE.c.fingerprint.in_(fingerprints[k:k + _CHUNK]))
            for r in session.execute(stmt):
                rows[r.fingerprint] = dict(r._mapping)
        return cls(rows)

    def record(self, signal: Signal) -> dict[str, Any]:
        """The row after this signal: a new episode restarts first_seen and clears the suppression."""
        fp = signal.fingerprint
        row = self.rows.get(fp)
        if row is None:
            row = {"id": new_id(), "fingerprint": fp, "tenant_id": signal.tenant_id, "asset_id": signal.asset_id,
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
        inserts = [self.rows[fp] for fp in self.written if fp in self.new]
        updates = [{f"b_{c}": self.rows[fp][c] for c in ("id", *_CHANGING)}
                   for fp in self.written if fp not in self.new]
        if inserts:
            session.execute(_TABLE.insert(), inserts)
        if updates:
            session.execute(_UPDATE, updates)
        self.new -= self.written
        self.written.clear()
