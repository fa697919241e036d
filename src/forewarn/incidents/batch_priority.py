"""Impact, priority and SLA timers of the incidents one batch opened or grew: the same decision as
priority.assign_priority (priority.decide), made from the correlator's in-memory links and TenantGraph
instead of per-incident queries and networkx, and written with executemany in the batch's transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from forewarn.incidents.batch_graph import TenantGraph
from forewarn.incidents.batch_rules import TenantBatch
from forewarn.incidents.batch_sql import BulkSql, dumps, many
from forewarn.incidents.batch_state import OpenIncident
from forewarn.incidents.priority import client_services, decide, event_data, stale, summarise, why
from forewarn.incidents.sla import KINDS, timer_values
from forewarn.inventory import sla_policies

_CHUNK = 500  # ids per IN list, well inside every driver's parameter limit
_TIMES = ("priority", "response_minutes", "resolution_minutes", "response_due_at", "resolution_due_at",
          "response_warn_at", "resolution_warn_at", "policy_updated_at")
_SLA_NEW = ("incident_id", "tenant_id", *_TIMES, "response_warned", "resolution_warned", "response_breached",
            "resolution_breached")


def rate(session: Session, batch: TenantBatch, now: float) -> None:
    """Decide impact and priority of every touched incident whose impact is stale (as the SLA tick would)."""
    touched = list(batch.touched.values())
    current = _stored(session, [i.id for i in touched if i.stored])
    graph = batch.state.graph
    services = client_services(session, batch.state.tenant_id, graph.version)
    batch.rated_at = now
    for incident in touched:
        if incident.stored and incident.id not in current:
            continue  # deleted under us: nothing to rate
        priority, overridden, old = current.get(incident.id, ("P4", False, None))
        if not stale(old, incident.signal_count, incident.severity):
            continue
        impact = _impact(graph, services, incident)
        target = decide(incident.severity, len(impact["services"]), impact["users"], priority, overridden,
                        fresh=not old)
        incident.priority, incident.impact = target, impact
        if target != priority:
            batch.events.append({"incident_id": incident.id, "ts": now, "kind": "priority", "actor": "system",
                                 "message": why(impact)[:4000],
                                 "data": event_data(priority, target, "auto", impact)})
        if target != priority or not old:
            batch.timed.append((incident, not incident.stored))


def _stored(session: Session, ids: list[str]) -> dict[str, tuple[str, bool, dict | None]]:
    """Priority, override flag and impact as the database has them (a technician or the tick may have moved them)."""
    sql = BulkSql(session)
    conn = session.connection()
    out: dict[str, tuple[str, bool, dict | None]] = {}
    for k in range(0, len(ids), _CHUNK):
        part = ids[k:k + _CHUNK]
        query = f"SELECT id, priority, priority_overridden, impact FROM incidents WHERE id IN ({sql.marks(len(part))})"
        for i, priority, overridden, impact in conn.exec_driver_sql(query, tuple(part)):
            out[i] = (priority, bool(overridden), _loads(impact))
    return out


def _loads(value: Any) -> dict | None:  # noqa: ANN401 - SQLite hands JSON over as text, psycopg parsed
    return json.loads(value) if isinstance(value, str) else value


def _impact(graph: TenantGraph, services: dict[str, tuple[str, int]], incident: OpenIncident) -> dict[str, Any]:
    """The incident's assets and everything depending on them (cached closures), narrowed to client services."""
    assets = {link.signal.asset_id for link in incident.links.values() if link.signal.asset_id}
    if incident.asset_id:
        assets.add(incident.asset_id)
    index, ids = graph.index, graph.ids
    nodes = {index[a] for a in assets if a in index}
    # A dependant's own dependants lie inside its dependency's closure: once covered, an asset adds nothing.
    # The root cause first, since its closure usually covers every other asset of the incident.
    root = index.get(incident.root_cause_asset_id) if incident.root_cause_asset_id else None
    closed: set[int] = set()
    for node in ([root] if root in nodes else []) + [n for n in nodes if n != root]:
        if node not in closed:
            closed |= graph.dependants(node)
    names = {ids[n] for n in closed} | assets
    hit = [services[a] for a in names if a in services]
    return summarise(hit, len(names), incident.signal_count, incident.severity)


def write_rated(session: Session, sql: BulkSql, batch: TenantBatch) -> None:
    """Impact and priority of rated incidents already stored (new ones carry theirs in the insert), then timers."""
    many(session, sql.update("incidents", ("priority", "impact"), ["id"], ["impact"]),
         [(i.priority, dumps(i.impact), i.id) for i in batch.touched.values() if i.stored and i.impact])
    if batch.timed:
        _write_timers(session, sql, batch)
    for incident in batch.touched.values():
        incident.impact = None
    batch.timed = []


def _write_timers(session: Session, sql: BulkSql, batch: TenantBatch) -> None:
    tenant_id, now = batch.state.tenant_id, batch.rated_at
    policy = sla_policies(session, {tenant_id}).get(tenant_id)
    old = [i.id for i, new in batch.timed if not new]
    rows = _timer_rows(session, sql, old)
    inserts, updates, deletes = [], [], []
    for incident, new in batch.timed:
        values = timer_values(incident.opened_at, incident.priority, policy)
        row = None if new else rows.get(incident.id)
        if values is None:
            if row is not None:
                deletes.append((incident.id,))
        elif row is None:
            inserts.append((incident.id, tenant_id, *(values[c] for c in _TIMES), False, False, False, False))
        else:  # a later target re-arms its warning; a recorded breach stays recorded
            warned = tuple(False if values[f"{k}_warn_at"] > now else row[n] for n, k in enumerate(KINDS))
            updates.append((*(values[c] for c in _TIMES), *warned, incident.id))
    many(session, sql.delete("incident_sla", ("incident_id",)), deletes)
    many(session, sql.insert("incident_sla", _SLA_NEW), inserts)
    many(session, sql.update("incident_sla", (*_TIMES, "response_warned", "resolution_warned"), ["incident_id"]),
         updates)


def _timer_rows(session: Session, sql: BulkSql, ids: list[str]) -> dict[str, tuple[bool, bool]]:
    conn = session.connection()
    out: dict[str, tuple[bool, bool]] = {}
    for k in range(0, len(ids), _CHUNK):
        part = ids[k:k + _CHUNK]
        query = ("SELECT incident_id, response_warned, resolution_warned FROM incident_sla "
                 f"WHERE incident_id IN ({sql.marks(len(part))})")
        for i, response, resolution in conn.exec_driver_sql(query, tuple(part)):
            out[i] = (bool(response), bool(resolution))
    return out
