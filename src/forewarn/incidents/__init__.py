"""Incident (ticket) state machine and timeline."""

from forewarn.incidents.correlation import GROUP_DISTANCE, GROUP_WINDOW, apply_signal, correlate
from forewarn.incidents.schemas import IncidentAction, IncidentDetail, IncidentEventOut, IncidentOut
from forewarn.incidents.service import act, get_incident, list_incidents, open_counts_by_asset
from forewarn.incidents.state import OPEN_STATUSES, TRANSITIONS, next_status

__all__ = [
    "GROUP_DISTANCE", "GROUP_WINDOW",
    "OPEN_STATUSES", "TRANSITIONS", "IncidentAction", "IncidentDetail", "IncidentEventOut", "IncidentOut",
    "act", "apply_signal", "correlate", "get_incident", "list_incidents", "next_status", "open_counts_by_asset",
]
