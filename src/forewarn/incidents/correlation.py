"""Correlation entry points and the incident timeline helpers: a signal joins the incident it belongs to
(same condition, or near in the topology and in time) or opens one; the rules live in batch_rules and run
on batches (see batch.py), and `apply_signal` is the batch of one for callers holding a single signal."""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from forewarn.core.enums import IncidentStatus
from forewarn.core.records import Signal
from forewarn.incidents.batch import CORRELATOR, correlate
from forewarn.incidents.batch_graph import GROUP_DISTANCE
from forewarn.incidents.batch_rules import GROUP_WINDOW
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.incidents.state import next_status

__all__ = ["GROUP_DISTANCE", "GROUP_WINDOW", "apply_signal", "correlate", "event", "transition"]


def apply_signal(session: Session, signal: Signal, signal_id: str) -> str | None:
    """Route one signal already recorded by alerting's record_signal; returns the incident id touched."""
    return CORRELATOR.correlate_recorded(session, signal, signal_id)


def event(session: Session, incident: IncidentRow, kind: str, actor: str, message: str = "",
          data: dict | None = None, ts: float | None = None) -> None:
    session.add(IncidentEventRow(incident_id=incident.id, ts=ts or time.time(), kind=kind, actor=actor,
                                 message=message[:4000], data=data or {}))


def transition(session: Session, incident: IncidentRow, action: str, actor: str, message: str,
               ts: float | None = None) -> None:
    old = IncidentStatus(incident.status)
    new = next_status(old, action)
    ts = ts or time.time()
    incident.status = new.value
    stamp = {IncidentStatus.ACKNOWLEDGED: "acknowledged_at", IncidentStatus.RESOLVED: "resolved_at",
             IncidentStatus.CLOSED: "closed_at"}.get(new)
    if stamp:
        setattr(incident, stamp, ts)
    if new is IncidentStatus.NEW:
        incident.resolved_at = None
    event(session, incident, "status", actor, message, {"from": old.value, "to": new.value}, ts)
