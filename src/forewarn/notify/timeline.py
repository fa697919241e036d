"""Notify's entries on an incident's timeline: notification deliveries and escalation steps."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from forewarn.incidents import add_event

KIND = "notification"
ACTOR = "notify"


def add_notification_event(session: Session, incident_id: str, ts: float, message: str,
                           data: dict[str, Any] | None = None) -> None:
    """Append a "notification" event (sent, failed, cancelled) to the incident's timeline."""
    add_event(session, incident_id, KIND, ACTOR, message, data, ts)


ESCALATION_KIND = "escalation"
ESCALATION_ACTOR = "escalation"


def add_escalation_event(session: Session, incident_id: str, ts: float, message: str,
                         data: dict[str, Any] | None = None) -> None:
    """Append an "escalation" event (started, a step acted or could not act and why, stopped, exhausted)."""
    add_event(session, incident_id, ESCALATION_KIND, ESCALATION_ACTOR, message, data, ts)
