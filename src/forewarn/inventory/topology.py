"""The dependency graph of a tenant as networkx: cycles, dependants and impact paths."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx


def build_graph(edges: Iterable[tuple[str, str]], nodes: Iterable[str] = ()) -> nx.DiGraph:
    """Edges point from an asset to what it depends on."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


def would_create_cycle(edges: Iterable[tuple[str, str]], src: str, dst: str) -> bool:
    graph = build_graph(edges)
    return dst in graph and src in graph and nx.has_path(graph, dst, src)


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    try:
        cycle = nx.find_cycle(build_graph(edges))
    except nx.NetworkXNoCycle:
        return None
    return [a for a, _ in cycle] + [cycle[0][0]]


def dependants(edges: Iterable[tuple[str, str]], asset_id: str) -> set[str]:
    """Every asset that directly or indirectly depends on `asset_id` (its blast radius)."""
    graph = build_graph(edges)
    return set(nx.ancestors(graph, asset_id)) if asset_id in graph else set()


def dependencies_of(edges: Iterable[tuple[str, str]], asset_id: str) -> set[str]:
    graph = build_graph(edges)
    return set(nx.descendants(graph, asset_id)) if asset_id in graph else set()
