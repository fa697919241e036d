"""The open part of a tenant's correlation state in memory: open incidents and their signal links, indexed
by asset and by signal, rebuilt from the database at start and re-synchronised with it before each batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.alerting.models import SignalRow
from forewarn.core.enums import SignalState
from forewarn.incidents.batch_graph import TenantGraph
from forewarn.incidents.models import IncidentRow, IncidentSignalRow
from forewarn.incidents.state import OPEN_STATUSES
from forewarn.inventory import asset_briefs

OPEN = [s.value for s in OPEN_STATUSES]
FIRING = SignalState.FIRING.value


@dataclass(slots=True, eq=False)
class SignalView:
    """What ranking reads of a signal; the attribute names are those of alerting's SignalOut."""

    id: str
    asset_id: str
    kind: str
    severity: str
    summary: str
    first_seen: float
    evidence: dict[str, Any]


@dataclass(slots=True, eq=False)
class Link:
    """A signal inside an open incident (one incident_signals row)."""

    signal: SignalView
    node: int
    incident: str
    state: str
    role: str
    first_seen: float | None
    stored_in: str | None  # the incident id of its database row; None until written
    dirty: bool = False


@dataclass(slots=True, eq=False)
class OpenIncident:
    id: str
    tenant_id: str
    title: str
    status: str
    severity: str
    asset_id: str | None
    proactive: bool
    flapping: bool
    signal_count: int
    root_cause_asset_id: str | None
    analysis: dict[str, Any]
    opened_at: float
    links: dict[str, Link] = field(default_factory=dict)  # signal id → link
    firing: int = 0  # links still firing: the incident resolves when this reaches 0
    stored: bool = True
    resolved_at: float | None = None
    status_changed: bool = False  # written only when correlation changed it (a technician may have too)
    merged_into: str | None = None
    priority: str = "P4"  # as rated in this batch (batch_priority); written with the incident
    impact: dict[str, Any] | None = None  # set when this batch rated it: the row's impact and priority get written
    rated: tuple[int, str] | None = None  # (signals, severity) its stored impact was computed for; None: never
    radius: Any = None  # batch_priority's blast radius so far, grown as the incident gains assets


class TenantState:
    """One tenant's graph and open incidents; assumes it is the only correlator of this tenant."""

    def __init__(self, tenant_id: str, graph: TenantGraph) -> None:
        self.tenant_id = tenant_id
        self.graph = graph
        self.incidents: dict[str, OpenIncident] = {}
        self.by_signal: dict[str, Link] = {}
        self.by_asset: dict[int, dict[str, Link]] = {}

    def attach(self, link: Link) -> None:
        self.by_signal[link.signal.id] = link
        self.by_asset.setdefault(link.node, {})[link.signal.id] = link

    def detach(self, link: Link) -> None:
        self.by_signal.pop(link.signal.id, None)
        on_asset = self.by_asset.get(link.node)
        if on_asset is not None:
            on_asset.pop(link.signal.id, None)
            if not on_asset:
                del self.by_asset[link.node]

    def add(self, incident: OpenIncident) -> None:
        self.incidents[incident.id] = incident
        for link in incident.links.values():
            self.attach(link)

    def drop(self, incident_id: str) -> None:
        incident = self.incidents.pop(incident_id, None)
        if incident is not None:
            for link in incident.links.values():
                self.detach(link)

    def sync(self, session: Session) -> None:
        """Follow what changed outside correlation: incidents a technician resolved, reopened, re-rated,
        merged or split (those change the signal count, and such an incident is read again whole)."""
        rows = session.execute(select(IncidentRow.id, IncidentRow.status, IncidentRow.severity,
                                      IncidentRow.signal_count).where(
            IncidentRow.tenant_id == self.tenant_id, IncidentRow.status.in_(OPEN))).all()
        now_open = {i: (status, severity, count) for i, status, severity, count in rows}
        for incident_id, incident in list(self.incidents.items()):
            seen = now_open.get(incident_id)
            if seen is None or seen[2] != incident.signal_count:
                self.drop(incident_id)
        missing = set(now_open) - set(self.incidents)
        if missing:
            for incident in load_open(session, self, missing):
                self.add(incident)
        for incident_id, (status, severity, _) in now_open.items():
            incident = self.incidents[incident_id]
            incident.status, incident.severity = status, severity


def load_open(session: Session, state: TenantState, only: set[str] | None = None) -> list[OpenIncident]:
    """The tenant's open incidents with their links and signals, as the database has them."""
    stmt = select(IncidentRow).where(IncidentRow.tenant_id == state.tenant_id, IncidentRow.status.in_(OPEN))
    incidents = {r.id: _incident(r) for r in session.scalars(stmt) if only is None or r.id in only}
    if not incidents:
        return []
    links = session.execute(
        select(IncidentSignalRow.incident_id, IncidentSignalRow.state, IncidentSignalRow.role,
               IncidentSignalRow.first_seen, SignalRow.id, SignalRow.asset_id, SignalRow.kind, SignalRow.severity,
               SignalRow.summary, SignalRow.first_seen, SignalRow.evidence)
        .join(SignalRow, SignalRow.id == IncidentSignalRow.signal_id)
        .join(IncidentRow, IncidentRow.id == IncidentSignalRow.incident_id)
        .where(IncidentRow.tenant_id == state.tenant_id, IncidentRow.status.in_(OPEN))).all()
    graph = state.graph
    unknown = {r[5] for r in links if r[5] not in graph.index}
    names = asset_briefs(session, unknown)
    for incident_id, link_state, role, linked_at, sid, asset_id, kind, severity, summary, first_seen, ev in links:
        incident = incidents.get(incident_id)
        if incident is None:
            continue
        view = SignalView(sid, asset_id, kind, severity, summary, first_seen, ev or {})
        node = graph.node(asset_id, names.get(asset_id, (None, None))[0])
        incident.links[sid] = Link(view, node, incident_id, link_state, role, linked_at, incident_id)
        incident.firing += link_state == FIRING
    return list(incidents.values())


def _incident(r: IncidentRow) -> OpenIncident:
    incident = OpenIncident(r.id, r.tenant_id, r.title, r.status, r.severity, r.asset_id, r.proactive, r.flapping,
                            r.signal_count, r.root_cause_asset_id, dict(r.analysis or {}), r.opened_at)
    if r.impact:
        incident.rated = (r.impact.get("signals"), r.impact.get("severity"))
    return incident
