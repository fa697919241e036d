"""Root-cause ranking of an in-memory open incident: evidence from its signals, the graph around its assets,
the named cause, the explanation paragraph and the impact, written back onto the incident."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from forewarn.alerting.rootcause import NodeEvidence, rank_root_causes
from forewarn.core.enums import Severity
from forewarn.incidents.batch_graph import TenantGraph
from forewarn.incidents.batch_state import OpenIncident, SignalView

EventSink = Callable[[str, str, str, dict], None]  # (incident id, kind, message, data)


def rank(incident: OpenIncident, graph: TenantGraph, emit: EventSink) -> None:
    """Rank every asset with a signal in the incident; the top one becomes the named root cause."""
    links = list(incident.links.values())
    views = [link.signal for link in links]
    names = {link.signal.asset_id: graph.names[link.node] for link in links}
    nodes = {link.node for link in links}
    evidence = evidence_of(views, names)
    # Ranking needs the incident's assets and everything they depend on (their dependencies' health
    # and the paths that connect them); the rest of the tenant graph only costs time. One asset alone
    # has no other evidence to weigh against, so no edge can change its ranking.
    keep = nodes.union(*(graph.dependencies(n) for n in nodes)) if len(nodes) > 1 else set()
    ranked = rank_root_causes(evidence, graph.edges_within(keep), explain_top=3)
    if not ranked:
        return
    by_name = {n: i for i, n in names.items()}
    top = ranked[0]
    root_id = by_name.get(top.node)
    if root_id != incident.root_cause_asset_id and len(names) > 1:
        emit(incident.id, "root cause", f"root cause is now {top.node}", {"asset": top.node})
    incident.root_cause_asset_id = root_id
    for link in links:
        role = "cause" if link.signal.asset_id == root_id else "symptom"
        if role != link.role:
            link.role, link.dirty = role, True
    affected = sorted(n for n in evidence if n != top.node)
    summaries = {names[v.asset_id]: v for v in sorted(views, key=lambda v: v.first_seen)}
    incident.analysis = {
        "explanation": explain(top, summaries), "impact_path": list(top.impact_path), "affected": affected,
        "candidates": [{"asset": c.node, "asset_id": by_name.get(c.node), "score": round(c.score, 4),
                        "explanation": c.explanation, "components": {
                            k: (round(v, 4) if isinstance(v, float) else v)
                            for k, v in vars(c.components).items()}} for c in ranked[:3]]}
    root_summary = next((v.summary for v in views if v.asset_id == root_id), incident.title)
    suffix = f" (+{len(affected)} affected)" if affected else ""
    incident.title = f"{top.node}: {root_summary}{suffix}"[:500]


def add_affected(incident: OpenIncident, names: Iterable[str]) -> None:
    """Consequences of the current root in a storm: named as affected without re-ranking."""
    analysis = dict(incident.analysis or {})
    affected = sorted(set(analysis.get("affected", [])).union(names))
    analysis["affected"] = affected
    incident.analysis = analysis
    head = incident.title.rsplit(" (+", 1)[0]
    incident.title = f"{head} (+{len(affected)} affected)"[:500]


def explain(top, summaries: dict) -> str:  # noqa: ANN001 - a rootcause Candidate and signals by asset name
    """One paragraph in the technician's words: what failed first, the chain of impact, why it is the cause."""
    first = summaries.get(top.node)
    when = time.strftime("%H:%M", time.gmtime(first.first_seen)) if first else "?"
    what = f"{top.node}: {first.summary} (since {when} UTC)" if first else top.node
    chain = " → ".join(f"{n} ({summaries[n].summary})" if n in summaries else n for n in top.impact_path[1:])
    parts = top.components
    why = (f"Its own dependencies are {'healthy' if parts.healthy_dependencies >= 0.99 else 'partly failing'}; "
           f"it explains {parts.impact_explained:.0%} of the observed impact.")
    return f"{what}" + (f" → {chain}. " if chain else ". ") + why


_WEIGHT = {Severity.CRITICAL.value: 10.0, Severity.WARNING.value: 5.0, Severity.INFO.value: 1.0}


def evidence_of(signals: list[SignalView], names: dict[str, str]) -> dict[str, NodeEvidence]:
    """Per asset: failing when a check is critical, anomalous when anything fired; strength by severity.

    Check failures in one incident count as simultaneous: which check noticed first depends on when
    each was scheduled, not on what broke first, so their order must not decide the cause.
    """
    check_onset = min((s.first_seen for s in signals if s.kind == "check"), default=None)
    out: dict[str, NodeEvidence] = {}
    for s in signals:
        node = names.get(s.asset_id, s.asset_id)
        strength = _WEIGHT.get(s.severity, 1.0) * (1.0 + float(s.evidence.get("score", 0.0) or 0.0))
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
