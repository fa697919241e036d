"""The dependency graph as ranking sees it: "A depends on B" edges, impact sets and impact paths.

Plain adjacency dicts instead of networkx: ranking runs once per changed incident in the live pipeline,
and building a networkx graph cost more than the ranking itself. Neighbours keep edge insertion order,
as networkx's do, so the shortest-path search below breaks ties the way networkx's bidirectional one does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

Edges = Iterable[tuple[str, str]] | Any | None  # pairs, a networkx DiGraph (anything with .edges()), or None


class Topology:
    """`succ[a]`: what a depends on; `pred[a]`: what depends on a (inner dicts as ordered sets)."""

    __slots__ = ("pred", "succ")

    def __init__(self) -> None:
        self.succ: dict[str, dict[str, None]] = {}
        self.pred: dict[str, dict[str, None]] = {}

    def add_node(self, node: str) -> None:
        if node not in self.succ:
            self.succ[node] = {}
            self.pred[node] = {}

    def add_edge(self, a: str, b: str) -> None:
        self.add_node(a)
        self.add_node(b)
        self.succ[a][b] = None
        self.pred[b][a] = None

    def __contains__(self, node: object) -> bool:
        return node in self.succ

    def __len__(self) -> int:
        return len(self.succ)

    def __iter__(self) -> Iterator[str]:
        return iter(self.succ)

    def successors(self, node: str) -> Iterator[str]:
        """What `node` depends on."""
        return iter(self.succ[node])

    def predecessors(self, node: str) -> Iterator[str]:
        """What depends on `node`."""
        return iter(self.pred[node])

    def number_of_edges(self) -> int:
        return sum(len(v) for v in self.succ.values())


def dependency_graph(dependencies: Edges, nodes: Iterable[str] = ()) -> Topology:
    """A graph with an edge A → B for every "A depends on B", plus every evidence node."""
    graph = Topology()
    if dependencies is not None:
        pairs = dependencies.edges() if hasattr(dependencies, "edges") else dependencies
        for a, b, *_ in pairs:
            graph.add_edge(a, b)
    for node in nodes:
        graph.add_node(node)
    return graph


def weak_components(graph: Topology) -> list[set[str]]:
    """Nodes connected by edges in either direction."""
    seen: set[str] = set()
    out: list[set[str]] = []
    for start in graph.succ:
        if start in seen:
            continue
        part, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for other in (*graph.succ[node], *graph.pred[node]):
                if other not in part:
                    part.add(other)
                    stack.append(other)
        seen |= part
        out.append(part)
    return out


def descendants(graph: Topology, node: str) -> set[str]:
    """Everything `node` depends on, directly or not."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        for other in graph.succ[stack.pop()]:
            if other not in seen:
                seen.add(other)
                stack.append(other)
    seen.discard(node)
    return seen


def impacted_by(graph: Topology, root: str, anomalous: set[str],
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


def impact_path(graph: Topology, root: str, towards: str | None, anomalous: set[str]) -> tuple[str, ...]:
    """Root first, then the dependents its failure travels through up to `towards`, preferring anomalous hops."""
    if towards is None or towards == root or towards not in graph:
        return (root,)
    hop = anomalous | {root, towards}
    for allowed in (hop, None):
        path = _shortest_path(graph, towards, root, allowed)
        if path is not None:
            return tuple(reversed(path))
    return (root,)


def _shortest_path(graph: Topology, source: str, target: str, allowed: set[str] | None) -> list[str] | None:
    """networkx's bidirectional BFS (same expansion order, same tie-breaks), optionally within `allowed`."""
    if source == target:
        return [source]
    succ, pred_adj = graph.succ, graph.pred
    pred: dict[str, str | None] = {source: None}
    succ_of: dict[str, str | None] = {target: None}
    forward, reverse = [source], [target]
    meet = None
    while forward and reverse and meet is None:
        if len(forward) <= len(reverse):
            level, forward = forward, []
            for v in level:
                for w in succ[v]:
                    if allowed is not None and w not in allowed:
                        continue
                    if w not in pred:
                        forward.append(w)
                        pred[w] = v
                    if w in succ_of:
                        meet = w
                        break
                if meet is not None:
                    break
        else:
            level, reverse = reverse, []
            for v in level:
                for w in pred_adj[v]:
                    if allowed is not None and w not in allowed:
                        continue
                    if w not in succ_of:
                        succ_of[w] = v
                        reverse.append(w)
                    if w in pred:
                        meet = w
                        break
                if meet is not None:
                    break
    if meet is None:
        return None
    path: list[str] = []
    w: str | None = meet
    while w is not None:
        path.append(w)
        w = pred[w]
    path.reverse()
    w = succ_of[path[-1]]
    while w is not None:
        path.append(w)
        w = succ_of[w]
    return path


def farthest_impacted(graph: Topology, root: str, impacted: set[str]) -> str | None:
    """The impacted node furthest up the dependency chain from `root`: where the failure surfaces."""
    best: tuple[int, str] | None = None
    depth, frontier, seen = 0, [root], {root}
    while frontier:
        depth += 1
        nxt = []
        for node in frontier:
            for dependent in graph.pred[node]:
                if dependent in impacted and dependent not in seen:
                    seen.add(dependent)
                    nxt.append(dependent)
                    if best is None or (depth, dependent) > best:
                        best = (depth, dependent)
        frontier = nxt
    return best[1] if best else None
