"""Writes what one tenant's batch changed — incidents, their signal links, timeline events — with one
executemany per kind of statement, in foreign-key order, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, update
from sqlalchemy.orm import Session

from forewarn.incidents.batch_rules import TenantBatch
from forewarn.incidents.batch_state import Link, OpenIncident
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSignalRow

_INC = IncidentRow.__table__
_LINK = IncidentSignalRow.__table__
_EVENT = IncidentEventRow.__table__
# Only what correlation owns: assignee, acknowledgement and anything a technician set stay untouched.
_OWNED = ("title", "severity", "proactive", "flapping", "signal_count", "root_cause_asset_id", "analysis")
_UPDATE_INC = update(_INC).where(_INC.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in _OWNED})
_UPDATE_STATUS = update(_INC).where(_INC.c.id == bindparam("b_id")).values(
    status=bindparam("b_status"), resolved_at=bindparam("b_resolved_at"))
_UPDATE_LINK = update(_LINK).where(and_(_LINK.c.incident_id == bindparam("b_incident"),
                                        _LINK.c.signal_id == bindparam("b_signal"))).values(
    state=bindparam("b_state"), role=bindparam("b_role"))
_DELETE_LINK = _LINK.delete().where(and_(_LINK.c.incident_id == bindparam("b_incident"),
                                         _LINK.c.signal_id == bindparam("b_signal")))


def write_batch(session: Session, batch: TenantBatch) -> None:
    touched = list(batch.touched.values())
    new = [_incident_row(i) for i in touched if not i.stored]
    if new:
        session.execute(_INC.insert(), new)
    old = [i for i in touched if i.stored]
    if old:
        session.execute(_UPDATE_INC, [{"b_id": i.id, **{f"b_{c}": getattr(i, c) for c in _OWNED}} for i in old])
    moved = [i for i in old if i.status_changed]
    if moved:
        session.execute(_UPDATE_STATUS, [{"b_id": i.id, "b_status": i.status, "b_resolved_at": i.resolved_at}
                                         for i in moved])
    _write_links(session, [link for i in touched for link in i.links.values() if link.dirty])
    if batch.events:
        session.execute(_EVENT.insert(), batch.events)
    for incident in touched:
        incident.stored, incident.status_changed = True, False
    batch.events = []


def _write_links(session: Session, dirty: list[Link]) -> None:
    gone = [{"b_incident": k.stored_in, "b_signal": k.signal.id} for k in dirty
            if k.stored_in is not None and k.stored_in != k.incident]
    inserts = [{"incident_id": k.incident, "signal_id": k.signal.id, "state": k.state, "role": k.role,
                "asset_id": k.signal.asset_id, "first_seen": k.first_seen} for k in dirty if k.stored_in != k.incident]
    updates = [{"b_incident": k.incident, "b_signal": k.signal.id, "b_state": k.state, "b_role": k.role}
               for k in dirty if k.stored_in == k.incident]
    if gone:
        session.execute(_DELETE_LINK, gone)
    if inserts:
        session.execute(_LINK.insert(), inserts)
    if updates:
        session.execute(_UPDATE_LINK, updates)
    for k in dirty:
        k.stored_in, k.dirty = k.incident, False


def _incident_row(i: OpenIncident) -> dict:
    return {"id": i.id, "tenant_id": i.tenant_id, "title": i.title, "status": i.status, "severity": i.severity,
            "asset_id": i.asset_id, "proactive": i.proactive, "flapping": i.flapping, "signal_count": i.signal_count,
            "root_cause_asset_id": i.root_cause_asset_id, "analysis": i.analysis, "opened_at": i.opened_at,
            "resolved_at": i.resolved_at}
