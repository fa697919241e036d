"""The dependency graph as ranking sees it: "A depends on B" edges, impact sets and impact paths."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

import networkx as nx

Edges = Iterable[tuple[str, str]] | nx.DiGraph | None


def dependency_graph(dependencies: Edges, nodes: Iterable[str] = ()) -> nx.DiGraph:
    """A DiGraph with an edge A → B for every "A depends on B", plus every evidence node."""
    graph = nx.DiGraph(dependencies) if dependencies is not None else nx.DiGraph()
    graph.add_nodes_from(nodes)
    return graph


def impacted_by(graph: nx.DiGraph, root: str, anomalous: set[str],
                onsets: Mapping[str, float | None] | None = None, slack: float = 0.0) -> set[str]:
    """`root` and every anomalous node depending on it through anomalous nodes that went bad no earlier.

    `slack`: seconds an effect's onset may precede its cause's and still count as not before it
    (onsets read off a sampling grid are only as precise as its step).
    """
    onsets = onsets or {}
    seen, queue = {root}, deque([root])
    while queue:
        cause = queue.popleft()
        for dependent in graph.predecessors(cause):
            if dependent in anomalous and dependent not in seen and _not_before(onsets, dependent, cause, slack):
                seen.add(dependent)
                queue.append(dependent)
    return seen


def _not_before(onsets: Mapping[str, float | None], effect: str, cause: str, slack: float = 0.0) -> bool:
    """An effect cannot start before its cause; unknown onsets give the benefit of the doubt."""
    effect_at, cause_at = onsets.get(effect), onsets.get(cause)
    return effect_at is None or cause_at is None or effect_at + slack >= cause_at


def impact_path(graph: nx.DiGraph, root: str, towards: str | None, anomalous: set[str]) -> tuple[str, ...]:
    """Root first, then the dependents its failure travels through up to `towards`, preferring anomalous hops."""
    if towards is None or towards == root or towards not in graph:
        return (root,)
    hop = anomalous | {root, towards}
    for view in (graph.subgraph(hop), graph):
        try:
            return tuple(reversed(nx.shortest_path(view, towards, root)))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
    return (root,)


def farthest_impacted(graph: nx.DiGraph, root: str, impacted: set[str]) -> str | None:
    """The impacted node furthest up the dependency chain from `root`: where the failure surfaces."""
    lengths = nx.single_source_shortest_path_length(graph.reverse(copy=False).subgraph(impacted), root)
    others = [(d, n) for n, d in lengths.items() if n != root]
    return max(others)[1] if others else None
