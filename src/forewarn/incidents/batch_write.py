"""Writes what one tenant's batch changed — incidents, their signal links, priorities and SLA timers, timeline
events — with one driver executemany per kind of statement, in foreign-key order, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forewarn.incidents.batch_priority import write_rated
from forewarn.incidents.batch_rules import TenantBatch
from forewarn.incidents.batch_sql import BulkSql, dumps, many
from forewarn.incidents.batch_state import Link, OpenIncident

_NEW = ("id", "tenant_id", "title", "status", "severity", "asset_id", "proactive", "flapping", "signal_count",
        "root_cause_asset_id", "analysis", "opened_at", "resolved_at", "priority", "impact")
# Only what correlation owns: assignee, acknowledgement and anything a technician set stay untouched.
_OWNED = ("title", "severity", "proactive", "flapping", "signal_count", "root_cause_asset_id", "analysis")
_LINK = ("incident_id", "signal_id", "state", "role", "asset_id", "first_seen")
_EVENT = ("incident_id", "ts", "kind", "actor", "message", "data")


def write_batch(session: Session, batch: TenantBatch) -> None:
    sql = BulkSql(session)
    touched = list(batch.touched.values())
    many(session, sql.insert("incidents", _NEW, ["analysis", "impact"]),
         [_new_row(i) for i in touched if not i.stored])
    old = [i for i in touched if i.stored]
    many(session, sql.update("incidents", _OWNED, ["id"], ["analysis"]),
         [(i.title, i.severity, i.proactive, i.flapping, i.signal_count, i.root_cause_asset_id, dumps(i.analysis),
           i.id) for i in old])
    many(session, sql.update("incidents", ("status", "resolved_at"), ["id"]),
         [(i.status, i.resolved_at, i.id) for i in old if i.status_changed])
    # After every insert: a merged incident may point at one opened later in the same batch.
    many(session, sql.update("incidents", ("merged_into_id",), ["id"]),
         [(i.merged_into, i.id) for i in touched if i.merged_into and (i.status_changed or not i.stored)])
    _write_links(session, sql, [link for i in touched for link in i.links.values() if link.dirty])
    write_rated(session, sql, batch)
    many(session, sql.insert("incident_events", _EVENT, ["data"]),
         [(e["incident_id"], e["ts"], e["kind"], e["actor"], e["message"], dumps(e["data"])) for e in batch.events])
    for incident in touched:
        incident.stored, incident.status_changed = True, False
    batch.events = []


def _write_links(session: Session, sql: BulkSql, dirty: list[Link]) -> None:
    many(session, sql.delete("incident_signals", ("incident_id", "signal_id")),
         [(k.stored_in, k.signal.id) for k in dirty if k.stored_in is not None and k.stored_in != k.incident])
    many(session, sql.insert("incident_signals", _LINK),
         [(k.incident, k.signal.id, k.state, k.role, k.signal.asset_id, k.first_seen)
          for k in dirty if k.stored_in != k.incident])
    many(session, sql.update("incident_signals", ("state", "role"), ("incident_id", "signal_id")),
         [(k.state, k.role, k.incident, k.signal.id) for k in dirty if k.stored_in == k.incident])
    for k in dirty:
        k.stored_in, k.dirty = k.incident, False


def _new_row(i: OpenIncident) -> tuple:
    return (i.id, i.tenant_id, i.title, i.status, i.severity, i.asset_id, i.proactive, i.flapping, i.signal_count,
            i.root_cause_asset_id, dumps(i.analysis), i.opened_at, i.resolved_at, i.priority, dumps(i.impact or {}))
