"""The batch correlator: takes a batch of signals, records and correlates them against an in-memory model
of each tenant (dependency graph, open incidents indexed by asset and signal), then writes the whole batch
in the caller's one transaction with executemany.

Assumption: one correlator per tenant at a time (one process runs the incidents stage). The model is
rebuilt from the database on first use, whenever the tenant's topology version changes (read as
batch_watch says: at once after an inventory commit in this process, else every few seconds), and whenever a
batch this correlator wrote was not committed; before every batch it re-reads which incidents are open,
so technicians' resolutions and reopenings are followed. Nothing lives only in memory.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forewarn.alerting.models import SignalRow, SilenceRow
from forewarn.core.records import Signal
from forewarn.incidents.batch_graph import TenantGraph
from forewarn.incidents.batch_priority import rate
from forewarn.incidents.batch_record import Recorder
from forewarn.incidents.batch_rules import TenantBatch
from forewarn.incidents.batch_sql import IdPool
from forewarn.incidents.batch_state import TenantState
from forewarn.incidents.batch_watch import WATCH
from forewarn.incidents.batch_write import write_batch
from forewarn.inventory import asset_briefs, topology_version
from forewarn.inventory.models import AssetRow

_TOKEN = "forewarn.correlation.token"
_tokens = itertools.count(1)


class Correlator:
    """Per-tenant in-memory correlation state shared by every batch of this process."""

    def __init__(self) -> None:
        self._states: dict[str, TenantState] = {}
        self._unconfirmed: dict[str, int] = {}  # tenant → token of the session whose writes await commit
        self._lock = threading.Lock()
        # Rate impact/priority and start SLA timers in the batch's transaction; off only to measure what it costs.
        self.prioritise = True

    def correlate(self, session: Session, signals: Sequence[Signal]) -> list[str | None]:
        """Record (deduplicate) and correlate a batch in arrival order; the incident each signal touched."""
        with self._lock:
            next_id = IdPool()
            recorder = Recorder.load(session, signals, next_id)
            items = [(s, recorder.record(s)) for s in signals]
            return self._run(session, items, recorder, next_id)

    def correlate_recorded(self, session: Session, signal: Signal, signal_id: str) -> str | None:
        """One signal its caller already recorded (alerting's record_signal)."""
        with self._lock:
            row = session.get(SignalRow, signal_id)
            if row is None:
                raise LookupError(f"signal {signal_id!r} is not recorded")
            values = {"id": row.id, "severity": row.severity, "summary": row.summary, "first_seen": row.first_seen,
                      "suppressed": row.suppressed}
            [incident_id] = self._run(session, [(signal, values)], None, IdPool())
            if values["suppressed"] != row.suppressed:
                row.suppressed = values["suppressed"]
            return incident_id

    def forget(self, tenant_id: str | None = None) -> None:
        """Drop the in-memory model (all tenants by default): the next batch rebuilds it from the database."""
        with self._lock:
            if tenant_id is None:
                self._states.clear()
            else:
                self._states.pop(tenant_id, None)
            WATCH.reset(tenant_id)

    def _run(self, session: Session, items: list[tuple[Signal, dict[str, Any]]],
             recorder: Recorder | None, next_id: IdPool) -> list[str | None]:
        by_tenant: dict[str, list[int]] = {}
        for k, (signal, _) in enumerate(items):
            by_tenant.setdefault(signal.tenant_id, []).append(k)
        results: list[str | None] = [None] * len(items)
        batches: list[TenantBatch] = []
        try:
            for tenant_id, positions in by_tenant.items():
                batch = self._prepare(session, tenant_id, [items[k][0] for k in positions], next_id)
                for k in positions:
                    results[k] = batch.apply(*items[k])
                batch.finish()
                if self.prioritise:
                    rate(session, batch, max(items[k][0].ts for k in positions))
                batches.append(batch)
            if recorder is not None:
                recorder.write(session)  # signal rows first: links point at them
            for batch in batches:
                write_batch(session, batch)
        except BaseException:
            for tenant_id in by_tenant:  # memory may be ahead of the database now: rebuild next time
                self._states.pop(tenant_id, None)
            raise
        self._await_commit(session, by_tenant)
        return results

    def _prepare(self, session: Session, tenant_id: str, signals: list[Signal], next_id: IdPool) -> TenantBatch:
        state = self._state(session, tenant_id)
        graph = state.graph
        unknown = {s.asset_id for s in signals if s.asset_id not in graph.index}
        for asset_id, (name, _) in asset_briefs(session, unknown).items():
            graph.node(asset_id, name)
        for asset_id in unknown - set(graph.index):
            graph.node(asset_id, "unknown asset")
        latest = max(s.ts for s in signals)
        silences = list(session.scalars(select(SilenceRow).where(SilenceRow.tenant_id == tenant_id,
                                                                 SilenceRow.starts_at <= latest)))
        tags: dict[str, list[str]] = {}
        if any(s.tag for s in silences):  # tags change without a topology version: read them fresh
            assets = list({s.asset_id for s in signals})
            for k in range(0, len(assets), 500):
                rows = session.execute(select(AssetRow.id, AssetRow.tags).where(AssetRow.id.in_(assets[k:k + 500])))
                tags.update({i: list(t or []) for i, t in rows})
        return TenantBatch(state, silences, tags, next_id)

    def _state(self, session: Session, tenant_id: str) -> TenantState:
        state = self._states.get(tenant_id)
        if state is not None and not WATCH.due(tenant_id):
            version = state.graph.version
        else:
            generation = WATCH.generation
            version = topology_version(session, tenant_id)
            WATCH.checked(tenant_id, generation)
        pending = self._unconfirmed.get(tenant_id)
        if pending is not None and pending != session.info.get(_TOKEN):
            state = None  # a batch written but never committed: the database is the truth
        if state is None or state.graph.version != version:
            graph = state.graph if state is not None and state.graph.version == version else \
                TenantGraph.load(session, tenant_id, version)
            state = self._states[tenant_id] = TenantState(tenant_id, graph)
            self._unconfirmed.pop(tenant_id, None)
        state.sync(session)
        return state

    def _await_commit(self, session: Session, tenants: dict[str, list[int]]) -> None:
        token = session.info.get(_TOKEN)
        if token is None:
            token = session.info[_TOKEN] = next(_tokens)

            def committed(_session: Session) -> None:
                with self._lock:
                    for tenant_id, t in list(self._unconfirmed.items()):
                        if t == token:
                            del self._unconfirmed[tenant_id]

            def rolled_back(_session: Session) -> None:
                with self._lock:
                    for tenant_id, t in list(self._unconfirmed.items()):
                        if t == token:
                            self._states.pop(tenant_id, None)

            event.listen(session, "after_commit", committed)
            event.listen(session, "after_rollback", rolled_back)
        for tenant_id in tenants:
            self._unconfirmed[tenant_id] = token


CORRELATOR = Correlator()


def correlate(session: Session, signals: Sequence[Signal]) -> list[str | None]:
    """Record and correlate a batch of signals with the process's correlator (see the module docstring)."""
    return CORRELATOR.correlate(session, signals) if signals else []
