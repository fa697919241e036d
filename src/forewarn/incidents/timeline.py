"""The public way for any area to append to an incident's timeline (notify, remediation, SLA, technicians)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from forewarn.incidents.models import IncidentEventRow, IncidentRow


def add_event(session: Session, incident: IncidentRow | str, kind: str, actor: str, message: str = "",
              data: dict[str, Any] | None = None, ts: float | None = None) -> None:
    """Append one event; `ts` should come from the caller's clock (wall time only as a fallback)."""
    incident_id = incident if isinstance(incident, str) else incident.id
    session.add(IncidentEventRow(incident_id=incident_id, ts=time.time() if ts is None else ts, kind=kind[:40],
                                 actor=actor[:100], message=message[:4000], data=data or {}))
