"""Ranking's own graph helpers give what networkx gives on random dependency graphs (networkx is the oracle)."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from forewarn.alerting.rootcause import (
    NodeEvidence,
    RankConfig,
    dependency_graph,
    impact_path,
    impacted_by,
    rank_root_causes,
)
from forewarn.alerting.rootcause.graph import descendants, farthest_impacted, weak_components
from forewarn.alerting.rootcause.ranking import _lone_context


def random_case(seed: int) -> tuple[list[str], list[tuple[str, str]], set[str]]:
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    nodes = [f"n{i}" for i in range(n)]
    edges = [(a, b) for a in nodes for b in nodes if rng.random() < 2.0 / n]  # self-loops and cycles included
    anomalous = {x for x in nodes if rng.random() < 0.6}
    return nodes, edges, anomalous


def nx_impact_path(graph: nx.DiGraph, root: str, towards: str, anomalous: set[str]) -> tuple[str, ...]:
    """The networkx formulation ranking used before, kept here as the reference."""
    if towards == root or towards not in graph:
        return (root,)
    for view in (graph.subgraph(anomalous | {root, towards}), graph):
        try:
            return tuple(reversed(nx.shortest_path(view, towards, root)))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
    return (root,)


@pytest.mark.parametrize("seed", range(60))
def test_helpers_agree_with_networkx(seed: int) -> None:
    nodes, edges, anomalous = random_case(seed)
    ours, ref = dependency_graph(edges, nodes), nx.DiGraph(edges)
    ref.add_nodes_from(nodes)
    assert sorted(map(sorted, weak_components(ours))) == sorted(map(sorted, nx.weakly_connected_components(ref)))
    for node in nodes:
        assert descendants(ours, node) == nx.descendants(ref, node)
        impacted = impacted_by(ours, node, anomalous)
        assert impacted == impacted_by(ref, node, anomalous)  # the helper also takes a networkx graph
        lengths = nx.single_source_shortest_path_length(ref.reverse(copy=False).subgraph(impacted), node)
        others = [(d, n) for n, d in lengths.items() if n != node]
        assert farthest_impacted(ours, node, impacted) == (max(others)[1] if others else None)
        for towards in nodes:
            assert impact_path(ours, node, towards, anomalous) == nx_impact_path(ref, node, towards, anomalous)


def test_a_networkx_graph_is_still_accepted_as_the_dependencies() -> None:
    evidence = [NodeEvidence("db", 9.0, 100.0, True), NodeEvidence("api", 5.0, 160.0, True)]
    from_pairs = rank_root_causes(evidence, [("api", "db")])
    from_graph = rank_root_causes(evidence, nx.DiGraph([("api", "db")]))
    assert [c.node for c in from_pairs] == [c.node for c in from_graph] == ["db", "api"]
    assert from_pairs[0].impact_path == ("db", "api")


def test_explain_top_writes_only_the_first_paragraphs() -> None:
    evidence = [NodeEvidence("db", 9.0, 100.0, True, metric="latency"),
                NodeEvidence("api", 5.0, 160.0, True, metric="latency"), NodeEvidence("web", 4.0, 200.0, True)]
    edges = [("api", "db"), ("web", "api")]
    full, short = rank_root_causes(evidence, edges), rank_root_causes(evidence, edges, explain_top=1)
    assert short[0].explanation == full[0].explanation and "db latency" in full[0].explanation
    assert [c.explanation for c in short[1:]] == ["", ""] and all(c.explanation for c in full)
    assert [(c.node, c.score) for c in short] == [(c.node, c.score) for c in full]


@pytest.mark.parametrize("seed", range(40))
def test_a_lone_node_ranks_as_the_general_path_ranks_it(seed: int) -> None:
    rng = random.Random(seed)
    ev = NodeEvidence("srv", rng.choice([0.0, 1.0, 7.5, rng.uniform(0, 40)]), rng.choice([None, 1e9]),
                      rng.random() < 0.7, rng.random() < 0.5, rng.choice([None, "latency", "requests"]), 2.0)
    target = rng.choice([None, "srv", "elsewhere"])
    config = rng.choice([RankConfig(), RankConfig(symptom_anomalous=False), RankConfig(impact_mass="count")])
    assert _lone_context({"srv": ev}, [], target, config) is not None  # the shortcut is taken
    fast = rank_root_causes({"srv": ev}, [], target, config)
    general = rank_root_causes([ev], None, target, config)  # an iterable takes the general path
    assert fast == general
