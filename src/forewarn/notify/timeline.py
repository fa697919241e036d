"""Notification entries on an incident's timeline (until incidents exports a public add-event function)."""

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
