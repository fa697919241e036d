"""The correlation rules applied to one tenant's batch in memory, signal by signal in arrival order:
dedup into the open incident, silences, dependency-down suppression, grouping by topology and time, late
cause absorbing its symptoms' incidents, flap marker; ranking once per touched incident at the end."""

from __future__ import annotations

import time
from typing import Any

from forewarn.alerting import active_at
from forewarn.alerting.models import SilenceRow
from forewarn.core.enums import IncidentStatus, Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents.batch_rank import add_affected, rank
from forewarn.incidents.batch_sql import IdPool
from forewarn.incidents.batch_state import FIRING, Link, OpenIncident, SignalView, TenantState
from forewarn.incidents.state import next_status

GROUP_WINDOW = 900.0  # a new problem this close in time to an incident's signals may belong to it
RANK_ALWAYS_BELOW = 20  # incidents with fewer signals are re-ranked on every change
_CRITICAL = Severity.CRITICAL.value


class TenantBatch:
    """What one batch changes for one tenant: touched incidents, links, events, suppressions."""

    def __init__(self, state: TenantState, silences: list[SilenceRow], tags: dict[str, list[str]],
                 next_id: IdPool) -> None:
        self.state = state
        self.next_id = next_id
        self.silences = silences
        self.tags = tags
        self.touched: dict[str, OpenIncident] = {}  # every incident to write, open or just resolved
        self.moved: list[tuple[str, str]] = []  # (old incident, signal) link rows to delete
        self.events: list[dict[str, Any]] = []
        self._rank: set[str] = set()
        self._affected: dict[str, set[str]] = {}
        self.timed: list[tuple[OpenIncident, bool]] = []  # (incident, new in this batch) whose SLA timers follow
        self.rated_at = 0.0  # the instant priorities were decided at: the tenant's latest signal in the batch

    def apply(self, signal: Signal, row: dict[str, Any]) -> str | None:
        """Route one recorded signal; returns the incident id touched, if any."""
        view = SignalView(row["id"], signal.asset_id, signal.kind, row["severity"], row["summary"],
                          row["first_seen"], signal.evidence or {})
        link = self.state.by_signal.get(view.id)
        was = link.signal.severity if link is not None else None
        if link is not None:
            link.signal.severity, link.signal.summary = view.severity, view.summary
            link.signal.first_seen, link.signal.evidence = view.first_seen, view.evidence
        if signal.state is SignalState.RESOLVED:
            return self._recover(link, signal) if link is not None else None
        if link is not None:
            return self._update(link, signal, was)
        silence = self._silence(signal)
        if silence is not None:  # recorded (nothing is lost) but no incident and nobody paged
            row["suppressed"] = silence.kind
            return None
        graph = self.state.graph
        node = graph.node(signal.asset_id)
        incident = self._dependency_down(node, signal.ts)
        if incident is not None:
            # A consequence: no page of its own, and it belongs to the failure that causes it however
            # long ago that began (a DNS zone broken 30 minutes before users' caches ran out).
            row["suppressed"] = "dependency down"
        else:
            incident = self._related(node, signal.ts)
        if incident is None:
            incident = self._open(signal, view, node)
        else:
            self._join(incident, signal, view, node)
        absorbed = self._absorb(incident, node, signal.ts)
        self._plan_rank(incident, node, absorbed)
        return incident.id

    def finish(self) -> None:
        """Re-rank each changed incident once; storms' plain consequences are only named as affected."""
        graph = self.state.graph
        for incident_id, names in self._affected.items():
            if incident_id not in self._rank:
                add_affected(self.touched[incident_id], names)
        for incident_id in sorted(self._rank):
            incident = self.touched[incident_id]
            if incident.links:  # also when it resolved within the batch: its record keeps the cause
                rank(incident, graph, self._emit_now)

    # -- the rules -------------------------------------------------------------------------------

    def _silence(self, signal: Signal) -> SilenceRow | None:
        """The first window that covers this asset at the signal's time (tenant-wide, the asset, a tag)."""
        tags = self.tags.get(signal.asset_id, ())
        for row in self.silences:
            if row.starts_at > signal.ts:
                continue
            if row.asset_id is None and row.tag is None or row.asset_id == signal.asset_id or row.tag in tags:
                if active_at(row, signal.ts):
                    return row
        return None

    def _dependency_down(self, node: int, ts: float) -> OpenIncident | None:
        """The open critical incident of a failing dependency of this asset, if any (the newest one).

        Only a dependency whose signal began before `ts` (or within GROUP_WINDOW after it) counts: a symptom
        seen hours before its dependency failed (a late-delivered or backdated signal) is not its consequence.
        """
        by_asset, incidents = self.state.by_asset, self.state.incidents
        found: OpenIncident | None = None
        for dep in self.state.graph.dependencies(node):
            for link in by_asset.get(dep, {}).values():
                incident = incidents[link.incident]
                began = link.first_seen if link.first_seen is not None else link.signal.first_seen
                if link.state == FIRING and incident.severity == _CRITICAL and ts >= began - GROUP_WINDOW:
                    if found is None or (incident.opened_at, incident.id) > (found.opened_at, found.id):
                        found = incident
        return found

    def _related(self, node: int, ts: float) -> OpenIncident | None:
        """The open incident with a signal near this one in the graph and in time: closest first, then newest."""
        near = self.state.graph.near(node)
        by_asset = self.state.by_asset
        if len(by_asset) < len(near):  # walk whichever side is smaller: a core switch is near thousands
            pairs = ((a, near[a]) for a in by_asset if a in near)
        else:
            pairs = ((a, d) for a, d in near.items() if a in by_asset)
        best: tuple[int, float, str] | None = None
        for asset, dist in pairs:
            for link in by_asset[asset].values():
                if link.first_seen is None or abs(ts - link.first_seen) > GROUP_WINDOW:
                    continue
                key = (dist, -link.first_seen, link.incident)
                if best is None or key < best:
                    best = key
        return self.state.incidents[best[2]] if best else None

    def _absorb(self, incident: OpenIncident, node: int, ts: float) -> bool:
        """A cause arriving after its symptoms: open incidents made only of its dependants merge into this one."""
        dependants = self.state.graph.dependants(node)
        if not dependants:
            return False
        by_asset = self.state.by_asset
        assets = [a for a in by_asset if a in dependants] if len(by_asset) < len(dependants) else \
            [a for a in dependants if a in by_asset]
        others = {link.incident for a in assets for link in by_asset[a].values()} - {incident.id}
        merged = False
        for other_id in sorted(others):
            other = self.state.incidents[other_id]
            if all(link.node in dependants and link.first_seen is not None and abs(ts - link.first_seen) <= GROUP_WINDOW
                   for link in other.links.values()):
                self._merge(other, incident, ts)
                merged = True
        return merged

    def _plan_rank(self, incident: OpenIncident, node: int, absorbed: bool) -> None:
        # A consequence of the current root cannot change the cause: in a storm, re-rank only now and
        # then (small incidents always, then at powers of two) so the cost stays near linear.
        n = incident.signal_count
        routine = n > RANK_ALWAYS_BELOW and n & (n - 1) != 0
        root = self.state.graph.index.get(incident.root_cause_asset_id) if incident.root_cause_asset_id else None
        if root is not None and not absorbed and routine and node in self.state.graph.dependants(root):
            self._affected.setdefault(incident.id, set()).add(self.state.graph.names[node])
        else:
            self._rank.add(incident.id)

    # -- changes ---------------------------------------------------------------------------------

    def _open(self, signal: Signal, view: SignalView, node: int) -> OpenIncident:
        name = self.state.graph.names[node]
        # Caught before impact: an early warning or a prediction, not a failed user-facing check.
        proactive = signal.kind in ("anomaly", "forecast") or signal.severity is Severity.WARNING
        incident = OpenIncident(self.next_id(), signal.tenant_id, f"{name}: {signal.summary}"[:500],
                                IncidentStatus.NEW.value, signal.severity.value, signal.asset_id, proactive,
                                signal.flapping, 0, None, {}, signal.ts, stored=False)
        self.state.add(incident)
        self._link(incident, view, node, "cause", signal.ts)
        self.touched[incident.id] = incident
        self._emit(incident.id, "opened", signal.summary,
                   {"signal": signal.fingerprint, "proactive": proactive, "flapping": signal.flapping}, signal.ts)
        return incident

    def _join(self, incident: OpenIncident, signal: Signal, view: SignalView, node: int) -> None:
        self._link(incident, view, node, "symptom", signal.ts)
        _raise_severity(incident, signal.severity.value)
        self.touched[incident.id] = incident
        name = self.state.graph.names[node]
        self._emit(incident.id, "signal", f"{name}: {signal.summary}",
                   {"joined": signal.fingerprint, "severity": signal.severity.value}, signal.ts)

    def _link(self, incident: OpenIncident, view: SignalView, node: int, role: str, ts: float) -> None:
        link = Link(view, node, incident.id, FIRING, role, ts, None, True)
        incident.links[view.id] = link
        incident.signal_count += 1
        incident.firing += 1
        self.state.attach(link)

    def _update(self, link: Link, signal: Signal, was: str | None) -> str:
        incident = self.state.incidents[link.incident]
        if link.state != FIRING:
            link.state, link.dirty = FIRING, True
            incident.firing += 1
        incident.signal_count += 1
        _raise_severity(incident, signal.severity.value)
        if signal.flapping:
            incident.flapping = True
        self.touched[incident.id] = incident
        self._emit(incident.id, "signal", signal.summary,
                   {"severity": signal.severity.value, "flapping": signal.flapping}, signal.ts)
        if signal.severity.value == _CRITICAL and was != _CRITICAL:
            # A warning (a link's rising errors) that now fails is the cause arriving late: its
            # dependants' failures of the last minutes opened incidents of their own before it did.
            if self._absorb(incident, link.node, signal.ts):
                self._rank.add(incident.id)
        return incident.id

    def _recover(self, link: Link, signal: Signal) -> str:
        incident = self.state.incidents[link.incident]
        if link.state == FIRING:
            incident.firing -= 1
        link.state, link.dirty = SignalState.RESOLVED.value, True
        self.touched[incident.id] = incident
        self._emit(incident.id, "signal", f"recovered: {signal.summary}", {}, signal.ts)
        if incident.firing <= 0:
            self._resolve(incident, "all signals recovered", signal.ts)
        return incident.id

    def _merge(self, source: OpenIncident, target: OpenIncident, ts: float) -> None:
        if source.id in self._rank:  # its record keeps the cause it had on its own, as one by one would
            rank(source, self.state.graph, self._emit_now)
            self._rank.discard(source.id)
        for sid, link in source.links.items():
            self.state.detach(link)
            link.incident, link.role, link.dirty = target.id, "symptom", True
            target.links[sid] = link
            self.state.attach(link)
        target.signal_count += source.signal_count
        target.firing += source.firing
        target.proactive = target.proactive and source.proactive
        _raise_severity(target, source.severity)
        source.links, source.firing = {}, 0
        self._emit(target.id, "merged", f"absorbed incident {source.id}: {source.title}", {"incident": source.id}, ts)
        self._resolve(source, f"merged into incident {target.id}", ts)
        source.analysis = {**(source.analysis or {}), "merged_into": target.id}
        source.merged_into = target.id
        self.touched[target.id] = target

    def _resolve(self, incident: OpenIncident, why: str, ts: float) -> None:
        old = IncidentStatus(incident.status)
        new = next_status(old, "resolve")
        incident.status, incident.resolved_at, incident.status_changed = new.value, ts, True
        self._emit(incident.id, "status", why, {"from": old.value, "to": new.value}, ts)
        self.touched[incident.id] = incident
        # Its links leave the open indexes, but stay on the incident object so they are still written.
        links = incident.links
        self.state.drop(incident.id)
        incident.links = links

    def _emit(self, incident_id: str, kind: str, message: str, data: dict, ts: float) -> None:
        self.events.append({"incident_id": incident_id, "ts": ts, "kind": kind, "actor": "system",
                            "message": message[:4000], "data": data})

    def _emit_now(self, incident_id: str, kind: str, message: str, data: dict) -> None:
        self._emit(incident_id, kind, message, data, time.time())


_RANK = {s.value: s.rank for s in Severity}


def _raise_severity(incident: OpenIncident, severity: str) -> None:
    if _RANK[incident.severity] < _RANK[severity]:
        incident.severity = severity
