"""Notify's entries on an incident's timeline: notifications and escalation steps (until incidents exports add-event)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from forewarn.incidents.models import IncidentEventRow

KIND = "notification"
ACTOR = "notify"


def add_notification_event(session: Session, incident_id: str, ts: float, message: str,
                           data: dict[str, Any] | None = None) -> None:
    """Append a "notification" event (sent, failed, cancelled) to the incident's timeline."""
    session.add(IncidentEventRow(incident_id=incident_id, ts=ts, kind=KIND, actor=ACTOR,
                                 message=message[:4000], data=data or {}))


ESCALATION_KIND = "escalation"


def add_escalation_event(session: Session, incident_id: str, ts: float, message: str,
                         data: dict[str, Any] | None = None) -> None:
    """Append an "escalation" event (started, a step acted or could not act and why, stopped, exhausted)."""
    session.add(IncidentEventRow(incident_id=incident_id, ts=ts, kind=ESCALATION_KIND, actor="escalation",
                                 message=message[:4000], data=data or {}))
