"""Incident (ticket) state machine and timeline; priorities, links, merge/split and SLA timers."""

from forewarn.incidents.correlation import GROUP_DISTANCE, GROUP_WINDOW, apply_signal, correlate
from forewarn.incidents.priority import PRIORITIES, assign_priority, derive_priority
from forewarn.incidents.schemas import (
    IncidentAction,
    IncidentDetail,
    IncidentEventOut,
    IncidentOut,
    LinkOut,
    SlaOut,
    SlaSummaryOut,
    SlaTimerOut,
)
from forewarn.incidents.service import act, get_incident, list_incidents, open_counts_by_asset
from forewarn.incidents.sla_summary import sla_summary
from forewarn.incidents.state import OPEN_STATUSES, TRANSITIONS, next_status
from forewarn.incidents.tasks import refresh_tenant_timers, sla_tick
from forewarn.incidents.timeline import add_event

__all__ = [
    "GROUP_DISTANCE", "GROUP_WINDOW", "PRIORITIES", "LinkOut", "SlaOut", "SlaSummaryOut", "SlaTimerOut",
    "add_event", "assign_priority", "derive_priority", "refresh_tenant_timers", "sla_summary", "sla_tick",
    "OPEN_STATUSES", "TRANSITIONS", "IncidentAction", "IncidentDetail", "IncidentEventOut", "IncidentOut",
    "act", "apply_signal", "correlate", "get_incident", "list_incidents", "next_status", "open_counts_by_asset",
]
