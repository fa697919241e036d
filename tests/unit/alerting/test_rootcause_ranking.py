"""Root-cause ranking on small synthetic topologies: the rules a technician would apply by hand."""

from __future__ import annotations

import pytest

from forewarn.alerting.rootcause import NodeEvidence, RankConfig, rank_root_causes

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


def ev(node: str, strength: float = 0.0, onset: float | None = None, metric: str = "latency_p95",
       failing: bool = False) -> NodeEvidence:
    anomalous = strength > 3.0
    return NodeEvidence(node=node, strength=strength, onset=onset if anomalous else None, anomalous=anomalous,
                        failing=failing, metric=metric, zscore=strength)


def names(ranking: list) -> list[str]:
    return [c.node for c in ranking]


def test_switch_down_under_many_servers_ranks_the_switch_first() -> None:
    edges = [(f"srv{i}", "switch1") for i in range(8)] + [(f"app{i}", f"srv{i}") for i in range(8)]
    evidence = [ev("switch1", 40.0, T0, "availability", failing=True)]
    evidence += [ev(f"srv{i}", 60.0, T0 + 60, "availability", failing=True) for i in range(8)]
    evidence += [ev(f"app{i}", 80.0, T0 + 60) for i in range(8)]
    ranking = rank_root_causes(evidence, edges)
    assert ranking[0].node == "switch1"
    assert ranking[0].components.healthy_dependencies == 1.0
    assert ranking[0].components.impact_explained == 1.0  # every anomalous node sits on it
    assert all(c.components.healthy_dependencies == 0.0 for c in ranking if c.node.startswith("srv"))


def test_two_unrelated_failures_each_top_their_own_component() -> None:
    edges = [("web1", "app1"), ("app1", "db1"), ("web2", "cache2"), ("web2", "db_ok")]
    evidence = [ev("web1", 30.0, T0 + 120), ev("app1", 25.0, T0 + 60), ev("db1", 20.0, T0, "errors"),
                ev("web2", 50.0, T0 + 600), ev("cache2", 9.0, T0 + 600), ev("db_ok")]
    top_two = set(names(rank_root_causes(evidence, edges))[:2])
    assert top_two == {"db1", "cache2"}


def test_a_node_whose_dependencies_are_healthy_outranks_a_stronger_victim() -> None:
    edges = [("web", "api"), ("api", "db"), ("api", "cache")]
    evidence = [ev("web", 90.0, T0), ev("api", 30.0, T0), ev("db"), ev("cache")]
    ranking = rank_root_causes(evidence, edges)
    assert names(ranking)[0] == "api"
    assert ranking[1].node == "web" and ranking[1].components.healthy_dependencies == 0.0


def test_a_barely_anomalous_dependency_only_dents_the_healthy_factor() -> None:
    edges = [("api", "db"), ("api", "dns")]
    ranking = rank_root_causes([ev("api", 400.0, T0), ev("db", 4.0, T0), ev("dns", 3.5, T0)], edges)
    api = next(c for c in ranking if c.node == "api")
    assert ranking[0].node == "api"
    assert 0.8 < api.components.healthy_dependencies < 1.0


def test_a_clearly_anomalous_dependency_takes_the_blame_even_when_weaker() -> None:
    # Victims amplify: a saturated app's latency z easily dwarfs its slow database's.
    ranking = rank_root_causes([ev("api", 40.0, T0), ev("db", 12.0, T0)], [("api", "db")])
    assert names(ranking) == ["db", "api"]
    assert ranking[1].components.healthy_dependencies == 0.0


def test_a_dependency_that_went_bad_later_does_not_take_the_blame() -> None:
    edges = [("api", "db")]
    ranking = rank_root_causes([ev("api", 20.0, T0), ev("db", 25.0, T0 + 900)], edges)
    assert names(ranking)[0] == "api"


def test_traffic_shift_at_a_callee_is_blamed_on_its_anomalous_caller() -> None:
    edges = [("web", "search"), ("search", "blobstore")]
    evidence = [ev("web", 8.0, T0), ev("search", 10.0, T0, "availability"),
                ev("blobstore", 30.0, T0, "requests_Sum")]
    ranking = rank_root_causes(evidence, edges)
    assert names(ranking)[0] == "search"
    assert next(c for c in ranking if c.node == "blobstore").components.healthy_dependencies == 0.0


def test_with_a_target_its_dependencies_rank_before_unrelated_anomalies() -> None:
    edges = [("web", "api"), ("batch", "queue")]
    evidence = [ev("web", 10.0, T0), ev("api", 12.0, T0), ev("batch", 5.0, T0), ev("queue", 99.0, T0)]
    ranking = rank_root_causes(evidence, edges, target="web")
    assert names(ranking)[:2] == ["api", "web"]
    assert not next(c for c in ranking if c.node == "queue").explains_target


def test_without_a_graph_strength_and_onset_decide() -> None:
    evidence = [ev("a", 5.0, T0 + 1800), ev("b", 50.0, T0), ev("c"), ev("d", 50.0, T0 + 3600)]
    ranking = rank_root_causes(evidence)
    assert names(ranking)[0] == "b"
    assert names(ranking)[-1] == "c"  # not anomalous: last
    assert all(c.components.healthy_dependencies == 1.0 for c in ranking)


def test_explanation_names_metric_onset_and_the_path_to_the_target() -> None:
    edges = [("web", "api"), ("api", "db1")]
    evidence = [ev("web", 9.0, T0 + 120, "http_5xx"), ev("api", 9.5, T0 + 60, "timeouts"),
                ev("db1", 8.1, T0, "latency")]
    top = rank_root_causes(evidence, edges, target="web")[0]
    assert top.node == "db1"
    assert top.impact_path == ("db1", "api", "web")
    assert top.explanation.startswith("db1 latency anomalous from 22:13 (z=8.1) → api timeouts → web http_5xx")
    assert "dependencies are healthy" in top.explanation


def test_explanation_without_target_follows_the_impact_upwards() -> None:
    edges = [("web", "api"), ("api", "db1")]
    evidence = [ev("web", 9.0, T0), ev("api", 9.5, T0), ev("db1", 8.1, T0, "availability", failing=True)]
    top = rank_root_causes(evidence, edges)[0]
    assert top.impact_path == ("db1", "api", "web")
    assert "db1 availability failing" in top.explanation


def test_every_component_is_within_unit_interval_and_scores_are_sorted() -> None:
    edges = [("web", "api"), ("api", "db")]
    ranking = rank_root_causes([ev("web", 9.0, T0), ev("api", 4.0, T0 + 300), ev("db")], edges, target="web")
    for c in ranking:
        parts = c.components
        for value in (parts.own_anomaly, parts.healthy_dependencies, parts.onset, parts.impact_explained):
            assert 0.0 <= value <= 1.0
    anomalous = [c.score for c in ranking if c.evidence.anomalous]
    assert anomalous == sorted(anomalous, reverse=True)


def test_empty_evidence_ranks_nothing() -> None:
    assert rank_root_causes([], [("a", "b")]) == []


@pytest.mark.parametrize("container", [dict, list])
def test_evidence_may_be_a_mapping_or_a_sequence(container: type) -> None:
    items = [ev("api", 9.0, T0), ev("db")]
    evidence = {e.node: e for e in items} if container is dict else items
    assert rank_root_causes(evidence, [("api", "db")])[0].node == "api"


def test_a_cause_behind_a_healthy_measured_hop_does_not_explain_the_target() -> None:
    # web → api → db: api is measured and healthy, so db's slowness did not reach web that way.
    edges = [("web", "api"), ("api", "db"), ("web", "cache")]
    evidence = [ev("web", 9.0, T0), ev("api", 0.5), ev("db", 40.0, T0), ev("cache", 6.0, T0)]
    ranking = rank_root_causes(evidence, edges, target="web")
    assert names(ranking)[0] == "cache"
    assert not next(c for c in ranking if c.node == "db").explains_target
    # Without evidence on the hop, the benefit of the doubt: db may well explain the symptom.
    unmeasured = rank_root_causes([e for e in evidence if e.node != "api"], edges, target="web")
    assert names(unmeasured)[0] == "db"
    assert RankConfig(anomalous_path=False) != RankConfig()
    legacy = rank_root_causes(evidence, edges, target="web", config=RankConfig(anomalous_path=False))
    assert next(c for c in legacy if c.node == "db").explains_target


def test_the_noticed_symptom_counts_as_anomalous_even_below_threshold() -> None:
    # The target's own metrics barely moved, yet it is where the problem was seen: it is part of the
    # impact a cause explains (search: itself, its client and web, of four anomalous nodes).
    edges = [("web", "search"), ("client", "search"), ("web", "lb")]
    evidence = [ev("web", 2.0), ev("search", 10.0, T0), ev("client", 9.0, T0 + 300), ev("lb", 10.0, T0)]
    counted = RankConfig(impact_mass="count")
    ranking = {c.node: c for c in rank_root_causes(evidence, edges, target="web", config=counted)}
    assert ranking["web"].evidence.anomalous
    assert ranking["search"].components.impact_explained == 0.75
    assert ranking["lb"].components.impact_explained == 0.5
    assert ranking["search"].score > ranking["lb"].score
    blind = {c.node: c for c in rank_root_causes(evidence, edges, "web", RankConfig(symptom_anomalous=False,
                                                                                  impact_mass="count"))}
    assert not blind["web"].evidence.anomalous


def test_impact_is_weighed_by_how_anomalous_the_explained_nodes_are() -> None:
    # Both explain two nodes; "db" explains the screaming one, "dns" a barely anomalous one.
    edges = [("app", "db"), ("cron", "dns"), ("portal", "app"), ("portal", "cron")]  # one component
    evidence = [ev("app", 80.0, T0), ev("db", 10.0, T0), ev("cron", 3.5, T0), ev("dns", 10.0, T0)]
    weighed = {c.node: c.components.impact_explained for c in rank_root_causes(evidence, edges)}
    assert weighed["db"] > weighed["dns"]
    counted = {c.node: c.components.impact_explained
               for c in rank_root_causes(evidence, edges, config=RankConfig(impact_mass="count"))}
    assert counted["db"] == counted["dns"]


def test_onset_credit_counts_from_the_first_anomaly_that_can_explain_the_symptom() -> None:
    # web noticed at T0+600; "search" went bad at T0, its mirror "lb" only with the symptom.
    edges = [("web", "search"), ("web", "lb")]
    evidence = [ev("web", 9.0, T0 + 600), ev("search", 20.0, T0), ev("lb", 20.0, T0 + 600)]
    ranking = {c.node: c for c in rank_root_causes(evidence, edges, target="web")}
    assert ranking["search"].components.onset == 1.0 > ranking["lb"].components.onset
    assert rank_root_causes(evidence, edges, target="web")[0].node == "search"
    by_symptom = {c.node: c for c in rank_root_causes(evidence, edges, "web", RankConfig(onset_from_reach=False))}
    assert by_symptom["search"].components.onset == by_symptom["lb"].components.onset == 1.0


def test_a_callees_traffic_shift_is_its_callers_doing_even_when_the_caller_crossed_later() -> None:
    edges = [("web", "search"), ("search", "blobstore")]
    evidence = [ev("web", 8.0, T0 + 300), ev("search", 10.0, T0 + 300, "availability"),
                ev("blobstore", 30.0, T0, "requests_Sum")]
    ranking = {c.node: c for c in rank_root_causes(evidence, edges)}
    assert ranking["blobstore"].components.healthy_dependencies == 0.0
    lenient = {c.node: c for c in rank_root_causes(evidence, edges, config=RankConfig(callers_drive_traffic=False))}
    assert lenient["blobstore"].components.healthy_dependencies == 1.0
