"""Metric series → node evidence: robust z against the normal period, direction, onset, symptom alignment."""

from __future__ import annotations

import numpy as np

from forewarn.alerting.rootcause import (
    EvidenceConfig,
    Family,
    MetricFrame,
    bad_direction,
    family_of,
    node_evidence,
    rank_root_causes,
    series_scores,
)

STEP = 60.0
START = 1_700_000_000.0


def frame(series: dict[tuple[str, str], np.ndarray], normal: int = 120) -> tuple[MetricFrame, float]:
    """Series share one grid: `normal` steps of normal operation, then the incident steps."""
    length = len(next(iter(series.values())))
    times = START + STEP * np.arange(length)
    keys = list(series)
    values = np.vstack([series[k] for k in keys]).astype(float)
    return MetricFrame(times, [k[0] for k in keys], [k[1] for k in keys], values), float(times[normal])


def noise(level: float, spread: float, n: int, seed: int) -> np.ndarray:
    return level + spread * np.random.default_rng(seed).standard_normal(n)


def test_metric_families_know_which_direction_hurts() -> None:
    assert bad_direction("latency_p99") == 1 and bad_direction("http_errors_total") == 1
    assert bad_direction("availability_Average") == -1 and bad_direction("up") == -1
    assert bad_direction("requests_Sum") == 0
    assert family_of("error_rate") is Family.ERRORS  # "rate" alone would read as traffic
    assert family_of("cpu_util") is Family.SATURATION and family_of("widgets") is Family.OTHER


def test_a_latency_jump_is_a_large_robust_z_from_its_first_incident_step() -> None:
    lat = np.r_[noise(0.1, 0.005, 120, 1), [0.1, 0.1, 0.3, 0.31, 0.3]]
    f, start = frame({("db", "latency"): lat, ("web", "latency"): noise(0.2, 0.01, 125, 2)})
    evidence = node_evidence(f, start)
    assert evidence["db"].anomalous and evidence["db"].strength > 20
    assert evidence["db"].onset == START + STEP * 122
    assert evidence["db"].metric == "latency" and evidence["db"].zscore > 20
    assert not evidence["web"].anomalous and evidence["web"].onset is None


def test_only_the_bad_direction_counts() -> None:
    up = np.r_[np.full(120, 99.0) + noise(0, 0.2, 120, 3), [99, 100, 100, 100, 100]]
    down = np.r_[np.full(120, 99.0) + noise(0, 0.2, 120, 4), [99, 90, 90, 90, 90]]
    f, start = frame({("a", "availability"): up, ("b", "availability"): down})
    evidence = node_evidence(f, start)
    assert not evidence["a"].anomalous
    assert evidence["b"].anomalous and evidence["b"].failing


def test_a_flat_normal_period_still_gives_finite_scores() -> None:
    # MAD is 0 when most normal samples are identical: the mean-absolute-deviation fallback takes over.
    flat = np.r_[np.full(118, 100.0), [99.0, 98.0], [100.0, 100.0, 97.0, 96.0, 100.0]]
    f, start = frame({("svc", "availability"): flat})
    z = series_scores(f, start).z
    assert np.all(np.isfinite(z)) and z[0, 3] > 3.0


def test_a_standing_shift_that_ignores_the_symptom_is_discounted() -> None:
    # "batch" is off from the normal period all along; "db" moves together with the target.
    web = np.r_[noise(0.2, 0.01, 120, 5), [0.2, 0.2, 0.9, 0.9, 0.2]]
    db = np.r_[noise(0.05, 0.002, 120, 6), [0.05, 0.05, 0.4, 0.4, 0.05]]
    batch = np.r_[noise(1.0, 0.01, 120, 7), [3.0, 3.0, 3.0, 3.0, 3.0]]
    f, start = frame({("web", "latency"): web, ("db", "latency"): db, ("batch", "latency"): batch})
    blind = node_evidence(f, start)
    aligned = node_evidence(f, start, target="web", target_metric="latency")
    assert blind["batch"].anomalous and blind["batch"].onset == START + STEP * 120
    assert not aligned["batch"].anomalous
    assert aligned["db"].anomalous and aligned["db"].onset == START + STEP * 122


def test_without_a_normal_period_the_incident_is_its_own_baseline() -> None:
    f, start = frame({("api", "latency"): np.array([0.1, 0.1, 0.1, 0.9, 0.1]),
                      ("db", "latency"): np.array([0.02, 0.021, 0.02, 0.019, 0.02])}, normal=0)
    evidence = node_evidence(f, start)
    assert evidence["api"].anomalous and not evidence["db"].anomalous


def test_missing_samples_are_neither_normal_nor_anomalous() -> None:
    gappy = np.r_[noise(0.1, 0.005, 120, 8), [np.nan, np.nan, np.nan, np.nan, np.nan]]
    f, start = frame({("quiet", "latency"): gappy, ("busy", "latency"): noise(0.1, 0.005, 125, 9)})
    evidence = node_evidence(f, start)
    assert evidence["quiet"].strength == 0.0 and not evidence["quiet"].anomalous


def test_metrics_only_case_ranks_the_node_that_broke_first() -> None:
    # No graph: the database degrades a step before the API and far more clearly.
    api = np.r_[noise(0.2, 0.01, 120, 10), [0.2, 0.2, 0.2, 0.3, 0.3]]
    db = np.r_[noise(0.05, 0.002, 120, 11), [0.05, 0.05, 0.5, 0.5, 0.5]]
    cache = noise(0.01, 0.001, 125, 12)
    f, start = frame({("api", "latency"): api, ("db", "latency"): db, ("cache", "latency"): cache})
    ranking = rank_root_causes(node_evidence(f, start))
    assert [c.node for c in ranking][:2] == ["db", "api"]
    assert ranking[-1].node == "cache"


def test_one_wild_statistic_does_not_outweigh_a_node_whose_statistics_agree() -> None:
    # "lb" has one erratic tail statistic spiking; on "svc" the average and the tail both moved.
    lb_p99 = np.r_[noise(0.05, 0.002, 120, 13), [0.05, 0.05, 0.35, 0.05, 0.05]]
    lb_avg = np.r_[noise(0.02, 0.001, 120, 14), [0.02, 0.02, 0.021, 0.02, 0.02]]
    svc_p99 = np.r_[noise(0.05, 0.002, 120, 15), [0.05, 0.05, 0.25, 0.25, 0.05]]
    svc_avg = np.r_[noise(0.02, 0.001, 120, 16), [0.02, 0.02, 0.12, 0.12, 0.02]]
    f, start = frame({("lb", "latency_p99"): lb_p99, ("lb", "latency_Average"): lb_avg,
                      ("svc", "latency_p99"): svc_p99, ("svc", "latency_Average"): svc_avg})
    strongest = node_evidence(f, start, config=EvidenceConfig(top_k=1))
    assert strongest["lb"].strength > strongest["svc"].strength
    agreeing = node_evidence(f, start, config=EvidenceConfig(top_k=2))
    assert agreeing["svc"].strength > agreeing["lb"].strength
    assert agreeing["svc"].strength < strongest["svc"].strength  # a mean of the two, not their sum
