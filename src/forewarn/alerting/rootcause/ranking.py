"""Rank root-cause candidates: anomalous nodes with healthy dependencies first, then onset, strength, impact."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from forewarn.alerting.rootcause.evidence import NodeEvidence
from forewarn.alerting.rootcause.explain import explain
from forewarn.alerting.rootcause.families import Family, family_of
from forewarn.alerting.rootcause.graph import (
    Edges,
    Topology,
    dependency_graph,
    descendants,
    farthest_impacted,
    impact_path,
    impacted_by,
    weak_components,
)


@dataclass(frozen=True)
class RankConfig:
    own_weight: float = 1.0
    onset_weight: float = 0.5  # onsets are only as precise as the sampling step: a tie-breaker, not a verdict
    impact_weight: float = 1.0
    onset_tau: float = 900.0  # seconds of lateness (a few sampling steps) that cost 63% of the onset credit
    amplification: float = 4.0  # a victim's deviation can be this many times its cause's and still be its victim
    clear_strength: float = 6.0  # a dependency this anomalous is unambiguous; doubt fades out below half of it
    # A callee's traffic is set by its callers: a caller that misbehaves at any point of the incident
    # explains it, even when the caller's own metrics crossed the threshold a step later.
    callers_drive_traffic: bool = True
    onset_from_reach: bool = True  # onset credit counts from the first anomaly among the target's anomalous dependencies
    onset_slack: float = 0.0  # seconds an effect may seem to start before its cause: one step of a sampled grid
    impact_mass: str = "strength"  # each anomalous node weighs 1 + log1p(its strength); "count": 1 each
    symptom_anomalous: bool = True  # the target was noticed failing: it is anomalous whatever its metrics say
    anomalous_path: bool = True  # a cause reaches the target only through anomalous (or unmeasured) hops


@dataclass(frozen=True)
class Components:
    """Why a candidate scored what it did; each part in [0, 1]."""

    own_anomaly: float  # its strength on a log scale against the strongest anomaly
    healthy_dependencies: float  # 1 when nothing it depends on is (at least as) anomalous
    onset: float  # 1 for the earliest onset, decaying with lateness
    impact_explained: float  # share of its component's anomalous nodes that depend on it via anomalous hops
    earliest_onset: float | None  # its own onset, unix seconds


@dataclass(frozen=True)
class Candidate:
    node: str
    score: float
    components: Components
    impact_path: tuple[str, ...]  # root first, then the dependents the failure travelled through
    explanation: str
    evidence: NodeEvidence
    explains_target: bool  # the target depends on it (or it is the target); always True without a target


@dataclass(frozen=True)
class _Context:
    graph: Topology
    evidence: Mapping[str, NodeEvidence]
    anomalous: set[str]
    max_strength: float
    earliest: float | None  # onset that earns full credit: the symptom's, else the earliest anomaly's
    component_size: Mapping[str, float]  # node → anomaly mass (count or weight) of its weak component
    reach: set[str] | None  # nodes the target depends on (and the target); None = no target filter
    onsets: Mapping[str, float | None]
    target: str | None
    config: RankConfig


def rank_root_causes(evidence: Mapping[str, NodeEvidence] | Iterable[NodeEvidence],
                     dependencies: Edges = None, target: str | None = None,
                     config: RankConfig = RankConfig(), explain_top: int | None = None) -> list[Candidate]:
    """Every evidence node as a candidate, most likely root cause first.

    `explain_top`: write the explanation paragraph only for the first that many (None: all); the rest
    get an empty one. The live pipeline shows three, and the paragraph costs as much as the scoring.
    """
    ctx = _lone_context(evidence, dependencies, target, config) or _context(evidence, dependencies, target, config)
    candidates = sorted((_candidate(ctx, node) for node in ctx.evidence),
                        key=lambda c: (-c.explains_target, -c.evidence.anomalous, -c.score, -c.evidence.strength,
                                       c.node))
    top = len(candidates) if explain_top is None else min(explain_top, len(candidates))
    for k in range(top):
        c = candidates[k]
        candidates[k] = replace(c, explanation=explain(c.impact_path, ctx.evidence, c.components))
    return candidates


def _context(evidence: Mapping[str, NodeEvidence] | Iterable[NodeEvidence], dependencies: Edges,
             target: str | None, config: RankConfig) -> _Context:
    by_node = dict(evidence) if isinstance(evidence, Mapping) else {e.node: e for e in evidence}
    if config.symptom_anomalous and target in by_node and not by_node[target].anomalous:
        by_node[target] = replace(by_node[target], anomalous=True)
    graph = dependency_graph(dependencies, by_node)
    anomalous = {n for n, e in by_node.items() if e.anomalous}
    strengths = [by_node[n].strength for n in anomalous] or [e.strength for e in by_node.values()]
    onsets = [by_node[n].onset for n in anomalous if by_node[n].onset is not None]
    symptom = by_node.get(target) if target is not None else None
    if symptom is not None and symptom.onset is not None:
        onsets = [symptom.onset]  # a cause needs to start no later than the symptom, not before every blip
    component_size: dict[str, float] = {}
    for component in weak_components(graph):
        component_size.update(dict.fromkeys(component, _mass(by_node, anomalous & component, config)))
    reach = None
    if target is not None and target in graph and graph.number_of_edges():
        reach = (_anomalous_reach(graph, target, anomalous, set(by_node)) if config.anomalous_path
                 else descendants(graph, target) | {target})
        if config.onset_from_reach:  # the first anomaly that can explain the symptom, a blip elsewhere cannot
            onsets += [by_node[n].onset for n in reach & anomalous if by_node[n].onset is not None]
    return _Context(graph, by_node, anomalous, max(strengths, default=0.0), min(onsets, default=None),
                    component_size, reach, {n: e.onset for n, e in by_node.items()}, target, config)


def _lone_context(evidence: Mapping[str, NodeEvidence] | Iterable[NodeEvidence], dependencies: Edges,
                  target: str | None, config: RankConfig) -> _Context | None:
    """The context of one evidence node without edges (most live incidents), built without graph passes.

    Same values as `_context` gives for it: no neighbours, its own component, no reach filter.
    """
    if not isinstance(evidence, Mapping) or len(evidence) != 1 or dependencies is None or \
            not isinstance(dependencies, list | tuple) or dependencies:
        return None
    [(node, ev)] = evidence.items()
    if config.symptom_anomalous and target == node and not ev.anomalous:
        ev = replace(ev, anomalous=True)
    anomalous = {node} if ev.anomalous else set()
    earliest = ev.onset if ev.anomalous or target == node else None
    graph = Topology()
    graph.add_node(node)
    return _Context(graph, {node: ev}, anomalous, ev.strength, earliest,
                    {node: _mass({node: ev}, anomalous, config)}, None, {node: ev.onset}, target, config)


def _anomalous_reach(graph: Topology, target: str, anomalous: set[str], measured: set[str]) -> set[str]:
    """Nodes the target depends on through hops that are themselves anomalous or unmeasured.

    A healthy, measured hop in between shows the failure did not travel that way (the dataset
    authors' traversal baseline keeps only such anomalous paths too).
    """
    seen, stack = {target}, [target]
    while stack:
        for dependency in graph.successors(stack.pop()):
            if dependency in seen:
                continue
            seen.add(dependency)
            if dependency in anomalous or dependency not in measured:
                stack.append(dependency)
    return seen


def _candidate(ctx: _Context, node: str) -> Candidate:
    ev = ctx.evidence[node]
    impacted = impacted_by(ctx.graph, node, ctx.anomalous, ctx.onsets, ctx.config.onset_slack) if ev.anomalous else {node}
    parts = Components(
        own_anomaly=_own(ctx, ev), healthy_dependencies=_healthy(ctx, node),
        onset=_onset(ctx, ev), impact_explained=_impact(ctx, node, impacted), earliest_onset=ev.onset)
    cfg = ctx.config
    total = cfg.own_weight + cfg.onset_weight + cfg.impact_weight
    blend = (cfg.own_weight * parts.own_anomaly + cfg.onset_weight * parts.onset
             + cfg.impact_weight * parts.impact_explained) / total
    score = parts.healthy_dependencies * blend
    towards = ctx.target if ctx.target is not None else farthest_impacted(ctx.graph, node, impacted)
    path = impact_path(ctx.graph, node, towards, ctx.anomalous)
    return Candidate(node=node, score=score, components=parts, impact_path=path, explanation="", evidence=ev,
                     explains_target=ctx.reach is None or node in ctx.reach)


def _own(ctx: _Context, ev: NodeEvidence) -> float:
    if ctx.max_strength <= 0.0:
        return 0.0
    return min(1.0, math.log1p(max(ev.strength, 0.0)) / math.log1p(ctx.max_strength))


def _healthy(ctx: _Context, node: str) -> float:
    """1 minus the doubt cast by whatever could have caused its anomaly instead of it.

    Failures travel up the dependency edges (a slow database slows its callers), so an anomalous
    dependency that went bad no later than the node casts doubt in proportion to its strength. A
    traffic shift travels down them (callers decide how much a callee is called), so a node that is
    anomalous only in traffic is doubted by its anomalous callers instead.
    """
    own = ctx.evidence[node]
    traffic = _is_traffic(own)
    suspects = ctx.graph.predecessors(node) if traffic else ctx.graph.successors(node)
    doubt = 0.0
    for other in suspects:
        ev = ctx.evidence.get(other)
        if ev is None or not ev.anomalous or _is_traffic(ev):
            continue  # a neighbour's traffic shift is driven by its callers: it explains nothing here
        if not (traffic and ctx.config.callers_drive_traffic) and _later(ev, own, 0.0):
            continue
        ratio = 1.0 if own.strength <= 0.0 else ev.strength / own.strength
        doubt = max(doubt, min(1.0, ctx.config.amplification * ratio) * _clarity(ctx.config, ev.strength))
    return 1.0 - doubt


def _later(ev: NodeEvidence, own: NodeEvidence, slack: float) -> bool:
    return own.onset is not None and ev.onset is not None and ev.onset > own.onset + slack


def _clarity(config: RankConfig, strength: float) -> float:
    """0 for a deviation barely past the anomaly threshold (noise often is), 1 once it is clear."""
    half = config.clear_strength / 2
    if half <= 0.0:
        return 1.0
    return min(1.0, max(0.0, (strength - half) / half))


def _is_traffic(ev: NodeEvidence) -> bool:
    return ev.metric is not None and family_of(ev.metric) is Family.TRAFFIC


def _onset(ctx: _Context, ev: NodeEvidence) -> float:
    if ev.onset is None or ctx.earliest is None:
        return 0.0
    return math.exp(-max(ev.onset - ctx.earliest - ctx.config.onset_slack, 0.0) / ctx.config.onset_tau)


def _impact(ctx: _Context, node: str, impacted: set[str]) -> float:
    """Share of the anomalous nodes around it that its failure accounts for (itself included)."""
    total = ctx.component_size.get(node, 0.0)
    if total <= 0 or node not in ctx.anomalous:
        return 0.0
    return min(1.0, _mass(ctx.evidence, impacted & ctx.anomalous, ctx.config) / total)


def _mass(evidence: Mapping[str, NodeEvidence], nodes: set[str], config: RankConfig) -> float:
    """How much observed impact `nodes` carry: one per node, or each node's anomaly on a log scale."""
    if config.impact_mass == "count":
        return float(len(nodes))
    # fsum: exact whatever the set's iteration order, so a node explaining its whole component scores 1.0
    return math.fsum(1.0 + math.log1p(max(evidence[n].strength, 0.0)) for n in nodes)
