"""Baseline for benchmarks/correlation.py: the per-signal correlation as of commit 9010cad, kept verbatim
so the benchmark can measure the batch correlator against it in the same run (not used by forewarn)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import networkx as nx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forewarn.alerting import mark_suppressed, matching_silence, signal_rows
from forewarn.alerting.rootcause import NodeEvidence, rank_root_causes
from forewarn.core.enums import IncidentStatus, Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSignalRow
from forewarn.incidents.state import OPEN_STATUSES, next_status
from forewarn.inventory import asset_briefs, asset_tags, tenant_edges, topology_version

GROUP_WINDOW = 900.0  # a new problem this close in time to an incident's signals may belong to it
GROUP_DISTANCE = 3  # ...when it is at most this many dependency hops away (either direction)
RANK_ALWAYS_BELOW = 20  # incidents with fewer signals are re-ranked on every signal
_OPEN = [s.value for s in OPEN_STATUSES]
_TOPOLOGIES: dict[str, tuple[tuple, Topology]] = {}  # tenant → (version, graph): rebuilt on change only


@dataclass
class Topology:
    """A tenant's dependency graph with asset names, loaded once per signal."""

    graph: nx.DiGraph  # edge a → b: a depends on b
    names: dict[str, str]
    _dependants: dict[str, set[str]] = field(default_factory=dict)
    _dependencies: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, tenant_id: str) -> Topology:
        """The tenant's graph, rebuilt only when its dependencies or assets changed (one cheap query)."""
        version = topology_version(session, tenant_id)
        cached = _TOPOLOGIES.get(tenant_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        edges = tenant_edges(session, tenant_id)
        graph = nx.DiGraph(edges)
        names = {i: n for i, (n, _) in asset_briefs(session, set(graph.nodes)).items()}
        topo = cls(graph, names)
        _TOPOLOGIES[tenant_id] = (version, topo)
        return topo

    def distances(self, asset_id: str) -> dict[str, int]:
        """Hops to the assets it depends on and to those depending on it, within GROUP_DISTANCE.

        Siblings (two servers behind one healthy switch) are not related: a failure travels along
        dependencies, never sideways, so only a shared failing dependency ties siblings together.
        """
        if asset_id not in self.graph:
            return {asset_id: 0}
        down = nx.single_source_shortest_path_length(self.graph, asset_id, cutoff=GROUP_DISTANCE)
        up = nx.single_source_shortest_path_length(self.graph.reverse(copy=False), asset_id, cutoff=GROUP_DISTANCE)
        return {**up, **down}

    def dependants(self, asset_id: str) -> set[str]:
        if asset_id not in self._dependants:
            self._dependants[asset_id] = nx.ancestors(self.graph, asset_id) if asset_id in self.graph else set()
        return self._dependants[asset_id]

    def dependencies(self, asset_id: str) -> set[str]:
        if asset_id not in self._dependencies:
            self._dependencies[asset_id] = nx.descendants(self.graph, asset_id) if asset_id in self.graph else set()
        return self._dependencies[asset_id]


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


def apply_signal(session: Session, signal: Signal, signal_id: str) -> str | None:
    """Route one recorded signal to its incident; returns the incident id touched, if any."""
    if signal.state is SignalState.RESOLVED:
        return _recover(session, signal, signal_id)
    link = _open_link(session, signal_id)
    if link is not None:
        return _update(session, *link, signal)
    tags = asset_tags(session, signal.asset_id)
    silence = matching_silence(session, signal.tenant_id, signal.asset_id, tags, signal.ts)
    if silence is not None:  # recorded (nothing is lost) but no incident and nobody paged
        mark_suppressed(session, signal_id, silence.kind)
        return None
    topo = Topology.load(session, signal.tenant_id)
    if _dependency_down(session, signal, topo):
        mark_suppressed(session, signal_id, "dependency down")  # a consequence: no page of its own
    incident = _related_open_incident(session, signal, topo)
    if incident is None:
        incident = _open(session, signal, signal_id, topo)
    else:
        _join(session, incident, signal, signal_id, topo)
    absorbed = _absorb(session, incident, signal, topo)
    root = incident.root_cause_asset_id
    n = incident.signal_count
    # A consequence of the current root cannot change the cause: in a storm, re-rank only now and
    # then (small incidents always, then at powers of two) so the cost stays near linear.
    routine = n > RANK_ALWAYS_BELOW and n & (n - 1) != 0
    if root and not absorbed and routine and signal.asset_id in topo.dependants(root):
        _add_affected(incident, topo.names.get(signal.asset_id, signal.asset_id))
    else:
        rank(session, incident, topo)
    return incident.id


def _add_affected(incident: IncidentRow, name: str) -> None:
    analysis = dict(incident.analysis or {})
    affected = sorted(set(analysis.get("affected", [])) | {name})
    analysis["affected"] = affected
    incident.analysis = analysis
    head = incident.title.rsplit(" (+", 1)[0]
    incident.title = f"{head} (+{len(affected)} affected)"[:500]


def _open_link(session: Session, signal_id: str) -> tuple[IncidentRow, IncidentSignalRow] | None:
    row = session.execute(
        select(IncidentRow, IncidentSignalRow).join(IncidentSignalRow, IncidentSignalRow.incident_id == IncidentRow.id)
        .where(IncidentSignalRow.signal_id == signal_id, IncidentRow.status.in_(_OPEN))).first()
    return None if row is None else (row[0], row[1])


def _recover(session: Session, signal: Signal, signal_id: str) -> str | None:
    link = _open_link(session, signal_id)
    if link is None:
        return None
    incident, assoc = link
    assoc.state = SignalState.RESOLVED.value
    event(session, incident, "signal", "system", f"recovered: {signal.summary}", ts=signal.ts)
    firing = session.scalar(select(func.count()).select_from(IncidentSignalRow).where(
        IncidentSignalRow.incident_id == incident.id, IncidentSignalRow.state == SignalState.FIRING.value))
    if not firing:
        transition(session, incident, "resolve", "system", "all signals recovered", signal.ts)
    return incident.id


def _update(session: Session, incident: IncidentRow, assoc: IncidentSignalRow, signal: Signal) -> str:
    assoc.state = SignalState.FIRING.value
    incident.signal_count += 1
    _raise_severity(incident, signal.severity)
    if signal.flapping and not incident.flapping:
        incident.flapping = True
    event(session, incident, "signal", "system", signal.summary,
          {"severity": signal.severity.value, "flapping": signal.flapping}, signal.ts)
    return incident.id


def _raise_severity(incident: IncidentRow, severity: Severity) -> None:
    if Severity(incident.severity).rank < severity.rank:
        incident.severity = severity.value


def _dependency_down(session: Session, signal: Signal, topo: Topology) -> bool:
    deps = topo.dependencies(signal.asset_id)
    if not deps:
        return False
    rows = session.execute(select(IncidentSignalRow.asset_id).join(
        IncidentRow, IncidentRow.id == IncidentSignalRow.incident_id).where(
        IncidentRow.status.in_(_OPEN), IncidentSignalRow.state == SignalState.FIRING.value,
        IncidentSignalRow.asset_id.in_(deps), IncidentRow.severity == Severity.CRITICAL.value))
    return rows.first() is not None


def _related_open_incident(session: Session, signal: Signal, topo: Topology) -> IncidentRow | None:
    """The open incident with a signal near this one in the graph and in time: closest first, then newest."""
    near = topo.distances(signal.asset_id)
    rows = session.execute(
        select(IncidentSignalRow.incident_id, IncidentSignalRow.asset_id, IncidentSignalRow.first_seen)
        .join(IncidentRow, IncidentRow.id == IncidentSignalRow.incident_id)
        .where(IncidentRow.tenant_id == signal.tenant_id, IncidentRow.status.in_(_OPEN),
               IncidentSignalRow.asset_id.in_(list(near)))).all()
    best: tuple[int, float, str] | None = None
    for incident_id, asset_id, first_seen in rows:
        if first_seen is None or abs(signal.ts - first_seen) > GROUP_WINDOW:
            continue
        key = (near[asset_id], -first_seen, incident_id)
        best = key if best is None or key < best else best
    return session.get(IncidentRow, best[2]) if best else None


def _absorb(session: Session, incident: IncidentRow, signal: Signal, topo: Topology) -> bool:
    """A cause arriving after its symptoms: open incidents made only of its dependants merge into this one."""
    dependants = topo.dependants(signal.asset_id)
    if not dependants:
        return False
    rows = session.execute(
        select(IncidentSignalRow.incident_id, IncidentSignalRow.asset_id, IncidentSignalRow.first_seen)
        .join(IncidentRow, IncidentRow.id == IncidentSignalRow.incident_id)
        .where(IncidentRow.tenant_id == signal.tenant_id, IncidentRow.status.in_(_OPEN),
               IncidentRow.id != incident.id)).all()
    members: dict[str, list[tuple[str | None, float | None]]] = {}
    for other_id, asset_id, first_seen in rows:
        members.setdefault(other_id, []).append((asset_id, first_seen))
    merged = False
    for other_id, links in members.items():
        if all(a in dependants and f is not None and abs(signal.ts - f) <= GROUP_WINDOW for a, f in links):
            _merge(session, session.get(IncidentRow, other_id), incident, signal.ts)
            merged = True
    return merged


def _merge(session: Session, source: IncidentRow, target: IncidentRow, ts: float) -> None:
    moved = session.scalars(select(IncidentSignalRow).where(IncidentSignalRow.incident_id == source.id)).all()
    for link in moved:
        session.add(IncidentSignalRow(incident_id=target.id, signal_id=link.signal_id, state=link.state,
                                      role="symptom", asset_id=link.asset_id, first_seen=link.first_seen))
        session.delete(link)
    target.signal_count += source.signal_count
    target.proactive = target.proactive and source.proactive
    _raise_severity(target, Severity(source.severity))
    event(session, target, "merged", "system", f"absorbed incident {source.id}: {source.title}",
          {"incident": source.id}, ts)
    transition(session, source, "resolve", "system", f"merged into incident {target.id}", ts)
    source.analysis = {**(source.analysis or {}), "merged_into": target.id}
    session.flush()


def _open(session: Session, signal: Signal, signal_id: str, topo: Topology) -> IncidentRow:
    name = topo.names.get(signal.asset_id) or asset_briefs(session, {signal.asset_id}).get(
        signal.asset_id, ("unknown asset", None))[0]
    # Caught before impact: an early warning or a prediction, not a failed user-facing check.
    proactive = signal.kind in ("anomaly", "forecast") or signal.severity is Severity.WARNING
    incident = IncidentRow(tenant_id=signal.tenant_id, title=f"{name}: {signal.summary}"[:500],
                           status=IncidentStatus.NEW.value, severity=signal.severity.value,
                           asset_id=signal.asset_id, proactive=proactive, flapping=signal.flapping,
                           signal_count=1, opened_at=signal.ts, analysis={})
    session.add(incident)
    session.flush()
    session.add(IncidentSignalRow(incident_id=incident.id, signal_id=signal_id, state=SignalState.FIRING.value,
                                  role="cause", asset_id=signal.asset_id, first_seen=signal.ts))
    event(session, incident, "opened", "system", signal.summary,
          {"signal": signal.fingerprint, "proactive": proactive, "flapping": signal.flapping}, signal.ts)
    return incident


def _join(session: Session, incident: IncidentRow, signal: Signal, signal_id: str, topo: Topology) -> None:
    session.add(IncidentSignalRow(incident_id=incident.id, signal_id=signal_id, state=SignalState.FIRING.value,
                                  role="symptom", asset_id=signal.asset_id, first_seen=signal.ts))
    incident.signal_count += 1
    _raise_severity(incident, signal.severity)
    name = topo.names.get(signal.asset_id, signal.asset_id)
    event(session, incident, "signal", "system", f"{name}: {signal.summary}",
          {"joined": signal.fingerprint, "severity": signal.severity.value}, signal.ts)
    session.flush()


def rank(session: Session, incident: IncidentRow, topo: Topology) -> None:
    """Rank every asset with a signal in the incident; the top one becomes the named root cause."""
    links = session.scalars(select(IncidentSignalRow).where(IncidentSignalRow.incident_id == incident.id)).all()
    signals = signal_rows(session, [link.signal_id for link in links])
    ids = {s.asset_id for s in signals}
    names = {**{i: n for i, (n, _) in asset_briefs(session, ids - set(topo.names)).items()}, **topo.names}
    evidence = _evidence(signals, names)
    # Ranking needs the incident's assets and everything they depend on (their dependencies' health
    # and the paths that connect them); the rest of the tenant graph only costs time per signal.
    keep = set(ids).union(*(topo.dependencies(n) for n in ids))
    edges = [(names.get(a, a), names.get(b, b)) for a, b in topo.graph.subgraph(keep).edges]
    ranked = rank_root_causes(evidence, edges)
    if not ranked:
        return
    by_name = {names.get(i, i): i for i in ids}
    top = ranked[0]
    root_id = by_name.get(top.node)
    if root_id != incident.root_cause_asset_id and len(ids) > 1:
        event(session, incident, "root cause", "system", f"root cause is now {top.node}", {"asset": top.node})
    incident.root_cause_asset_id = root_id
    for link in links:
        link.role = "cause" if link.asset_id == root_id else "symptom"
    affected = sorted(n for n in evidence if n != top.node)
    summaries = {names.get(s.asset_id, s.asset_id): s for s in sorted(signals, key=lambda s: s.first_seen)}
    incident.analysis = {
        "explanation": explain(top, summaries), "impact_path": list(top.impact_path), "affected": affected,
        "candidates": [{"asset": c.node, "asset_id": by_name.get(c.node), "score": round(c.score, 4),
                        "explanation": c.explanation, "components": {
                            k: (round(v, 4) if isinstance(v, float) else v)
                            for k, v in vars(c.components).items()}} for c in ranked[:3]]}
    root_summary = next((s.summary for s in signals if s.asset_id == root_id), incident.title)
    suffix = f" (+{len(affected)} affected)" if affected else ""
    incident.title = f"{top.node}: {root_summary}{suffix}"[:500]


def explain(top, summaries: dict) -> str:  # noqa: ANN001 - a rootcause Candidate and SignalOuts by asset name
    """One paragraph in the technician's words: what failed first, the chain of impact, why it is the cause."""
    first = summaries.get(top.node)
    when = time.strftime("%H:%M", time.gmtime(first.first_seen)) if first else "?"
    what = f"{top.node}: {first.summary} (since {when} UTC)" if first else top.node
    chain = " → ".join(f"{n} ({summaries[n].summary})" if n in summaries else n for n in top.impact_path[1:])
    parts = top.components
    why = (f"Its own dependencies are {'healthy' if parts.healthy_dependencies >= 0.99 else 'partly failing'}; "
           f"it explains {parts.impact_explained:.0%} of the observed impact.")
    return f"{what}" + (f" → {chain}. " if chain else ". ") + why


def _evidence(signals: list, names: dict[str, str]) -> dict[str, NodeEvidence]:
    """Per asset: failing when a check is critical, anomalous when anything fired; strength by severity.

    Check failures in one incident count as simultaneous: which check noticed first depends on when
    each was scheduled, not on what broke first, so their order must not decide the cause.
    """
    weight = {Severity.CRITICAL.value: 10.0, Severity.WARNING.value: 5.0, Severity.INFO.value: 1.0}
    check_onset = min((s.first_seen for s in signals if s.kind == "check"), default=None)
    out: dict[str, NodeEvidence] = {}
    for s in signals:
        node = names.get(s.asset_id, s.asset_id)
        strength = weight.get(s.severity, 1.0) * (1.0 + float(s.evidence.get("score", 0.0) or 0.0))
        failing = s.kind == "check" and s.severity == Severity.CRITICAL.value
        seen = check_onset if s.kind == "check" else s.first_seen
        prev = out.get(node)
        onset = seen if prev is None or prev.onset is None else min(prev.onset, seen)
        if prev is None or strength > prev.strength:
            out[node] = NodeEvidence(node, strength, onset, True, failing or (prev.failing if prev else False),
                                     metric=s.kind, zscore=strength)
        else:
            out[node] = NodeEvidence(node, prev.strength, onset, True, prev.failing or failing, prev.metric,
                                     prev.zscore)
    return out
