"""Impact, priority and SLA timers of the incidents one batch opened or grew: the same decision as
priority.assign_priority (priority.decide), made from the correlator's in-memory links and TenantGraph
instead of per-incident queries and networkx, and written with executemany in the batch's transaction."""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from forewarn.incidents.batch_graph import TenantGraph
from forewarn.incidents.batch_rules import TenantBatch
from forewarn.incidents.batch_sql import BulkSql, dumps, many
from forewarn.incidents.batch_state import OpenIncident
from forewarn.incidents.priority import client_services, decide, event_data, impact_doc, stale, why
from forewarn.incidents.sla import KINDS, timer_values
from forewarn.inventory import sla_policies

KEEP_RADIUS = 64  # smaller radii are recomputed: kept objects by the thousand made the cyclic GC run more often
_CHUNK = 500  # ids per IN list, well inside every driver's parameter limit
_TIMES = ("priority", "response_minutes", "resolution_minutes", "response_due_at", "resolution_due_at",
          "response_warn_at", "resolution_warn_at", "policy_updated_at")
_SLA_NEW = ("incident_id", "tenant_id", *_TIMES, "response_warned", "resolution_warned", "response_breached",
            "resolution_breached")


def rate(session: Session, batch: TenantBatch, now: float) -> None:
    """Decide impact and priority of every touched incident whose impact is stale (as the SLA tick would)."""
    todo = [i for i in batch.touched.values() if i.rated != (i.signal_count, i.severity)]
    if not todo:
        return
    # Priority and override as the database has them (a technician may have moved them); the stored impact
    # only where this process never saw one (an incident from before this path: the tick may have rated it).
    current = _stored(session, [i.id for i in todo if i.stored and i.rated is not None], False)
    current.update(_stored(session, [i.id for i in todo if i.stored and i.rated is None], True))
    graph = batch.state.graph
    services = client_services(session, batch.state.tenant_id, graph.version)
    batch.rated_at = now
    for incident in todo:
        if incident.stored and incident.id not in current:
            continue  # deleted under us: nothing to rate
        priority, overridden, old = current.get(incident.id, ("P4", False, incident.rated))
        if not stale(old, incident.signal_count, incident.severity):
            incident.rated = (incident.signal_count, incident.severity)
            continue
        impact = _impact(graph, services, incident)
        target = decide(incident.severity, len(impact["services"]), impact["users"], priority, overridden,
                        fresh=not old)
        incident.priority, incident.impact = target, impact
        incident.rated = (incident.signal_count, incident.severity)
        if target != priority:
            batch.events.append({"incident_id": incident.id, "ts": now, "kind": "priority", "actor": "system",
                                 "message": why(impact)[:4000],
                                 "data": event_data(priority, target, "auto", impact)})
        if target != priority or not old:
            batch.timed.append((incident, not incident.stored))


def _stored(session: Session, ids: list[str], with_impact: bool) -> dict[str, tuple[str, bool, Any]]:
    """id → (priority, overridden, impact); without `with_impact` the impact is only a non-empty marker."""
    sql = BulkSql(session)
    conn = session.connection()
    out: dict[str, tuple[str, bool, Any]] = {}
    cols = "id, priority, priority_overridden" + (", impact" if with_impact else "")
    for k in range(0, len(ids), _CHUNK):
        part = ids[k:k + _CHUNK]
        query = f"SELECT {cols} FROM incidents WHERE id IN ({sql.marks(len(part))})"
        for i, priority, overridden, *impact in conn.exec_driver_sql(query, tuple(part)):
            out[i] = (priority, bool(overridden), _loads(impact[0]) if with_impact else _RATED)
    return out


_RATED = {"signals": None, "severity": None}  # rated before, so not fresh, and stale by construction


def _loads(value: Any) -> dict | None:  # noqa: ANN401 - SQLite hands JSON over as text, psycopg parsed
    return json.loads(value) if isinstance(value, str) else value


class Radius:
    """An open incident's blast radius so far: links only join an open incident, so it only grows.

    A plain slotted class: one is made per incident rated, and a dataclass with factories cost 3x as much.
    """

    __slots__ = ("graph", "services", "links", "seen", "nodes", "outside", "names", "users")

    def __init__(self, graph: TenantGraph, services: dict[str, tuple[str, int]]) -> None:
        self.graph, self.services = graph, services
        self.links = 0  # how many of the incident's links (in insertion order) are folded in
        self.seen: set[str] = set()  # asset ids already folded in
        self.nodes: set[int] = set()  # those assets and everything depending on them
        self.outside: set[str] = set()  # asset ids the graph does not know
        self.names: list[str] = []  # client services among them, sorted
        self.users = 0  # the largest audience among them


def _impact(graph: TenantGraph, services: dict[str, tuple[str, int]], incident: OpenIncident) -> dict[str, Any]:
    """The incident's assets and everything depending on them (cached closures), narrowed to client services."""
    r = incident.radius
    links = incident.links
    if r is None or r.graph is not graph or r.services is not services or len(links) < r.links:
        r = Radius(graph, services)  # also when a merged-away incident lost its links: start over
        incident.radius = None
    new = {link.signal.asset_id for link in islice(links.values(), r.links, None) if link.signal.asset_id}
    r.links = len(links)
    if incident.asset_id:
        new.add(incident.asset_id)
    new -= r.seen
    if new:
        hit: list[tuple[str, int]] = []
        index, ids = graph.index, graph.ids
        # An asset inside the radius adds nothing: its dependants are inside the closure that brought it in.
        # The root cause first, since its closure usually covers every other asset of the incident.
        root = incident.root_cause_asset_id
        for asset in ([root] if root in new else []) + [a for a in new if a != root]:
            node = index.get(asset)
            if node is None:
                r.outside.add(asset)
                hit += [services[asset]] if asset in services else []
            elif node not in r.nodes:
                fresh = (graph.dependants(node) | {node}) - r.nodes
                r.nodes |= fresh
                hit += [services[ids[n]] for n in fresh if ids[n] in services]
        r.seen |= new
        if hit:
            r.names += [name for name, _ in hit]
            r.names.sort()
            r.users = max(r.users, *(u for _, u in hit))
    if len(r.nodes) >= KEEP_RADIUS:
        incident.radius = r
    return impact_doc(list(r.names), r.users, len(r.nodes) + len(r.outside), incident.signal_count,
                      incident.severity)


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
