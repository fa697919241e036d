"""Series scores → one NodeEvidence per node, aligned with when the noticed symptom was present."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from forewarn.alerting.rootcause.evidence import (
    EvidenceConfig,
    MetricFrame,
    NodeEvidence,
    SeriesScores,
    series_scores,
)
from forewarn.alerting.rootcause.families import Family, family_of

_FAILURE_FAMILIES = (Family.AVAILABILITY, Family.ERRORS)


def node_evidence(frame: MetricFrame, anomaly_start: float, target: str | None = None,
                  target_metric: str | None = None,
                  config: EvidenceConfig = EvidenceConfig()) -> dict[str, NodeEvidence]:
    """Per-node anomaly strength and onset; with a target, only deviations that track its symptom count."""
    scores = series_scores(frame, anomaly_start, target_metric, config)
    weighted = scores.z * scores.weight[:, None]
    active = _symptom_rows(frame, scores, target, target_metric)
    return _per_node(frame, scores, _contrast(weighted, active, config.background_quantile), active, config)


def _symptom_rows(frame: MetricFrame, scores: SeriesScores, target: str | None,
                  target_metric: str | None) -> np.ndarray:
    """Incident steps where the target shows at least half its peak deviation (all steps if unknown)."""
    steps = scores.z.shape[1]
    rows = np.array([n == target for n in frame.nodes], dtype=bool)
    if target_metric is not None and np.any(rows & _metric_mask(frame.metrics, target_metric)):
        rows &= _metric_mask(frame.metrics, target_metric)
    if target is None or not rows.any() or steps == 0:
        return np.ones(steps, dtype=bool)
    profile = scores.z[rows].max(axis=0)
    peak = float(profile.max())
    if peak <= 0.0:
        return np.ones(steps, dtype=bool)
    return profile >= 0.5 * peak


def _metric_mask(metrics: Sequence[str], metric: str) -> np.ndarray:
    return np.array([m == metric for m in metrics], dtype=bool)


def _contrast(weighted: np.ndarray, active: np.ndarray, quantile: float) -> np.ndarray:
    """Subtract each series' usual level while the symptom was absent: a standing shift is not this incident."""
    if active.all() or weighted.shape[1] == 0:
        return weighted.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # never measured while quiet: all-NaN rows
        background = np.nanquantile(weighted[:, ~active], quantile, axis=1)
    background = np.nan_to_num(background, nan=0.0)  # ...are judged against the normal period alone
    return np.clip(weighted - background[:, None], 0.0, None)


def _per_node(frame: MetricFrame, scores: SeriesScores, adjusted: np.ndarray, active: np.ndarray,
              config: EvidenceConfig) -> dict[str, NodeEvidence]:
    names, node_idx = np.unique(np.asarray(frame.nodes, dtype=object), return_inverse=True)
    adjusted = np.nan_to_num(adjusted, nan=0.0)
    profile = np.zeros((len(names), adjusted.shape[1]))
    np.maximum.at(profile, node_idx, adjusted)
    peak = np.where(active[None, :], adjusted, 0.0).max(axis=1, initial=0.0)  # while the symptom was on
    strength = _top_k_mean(peak, node_idx, len(names), config.top_k)
    failure = np.array([family_of(m) in _FAILURE_FAMILIES for m in frame.metrics])
    failing = np.zeros(len(names), dtype=bool)
    np.logical_or.at(failing, node_idx, failure & (peak > config.threshold))
    # First series per node in (node, strongest-first) order is the one that explains its strength.
    order = np.lexsort((-peak, node_idx))
    best = order[np.r_[True, node_idx[order][1:] != node_idx[order][:-1]]]
    onset = _onsets(profile > config.threshold, active)
    z = np.nan_to_num(scores.z, nan=0.0)
    evidence: dict[str, NodeEvidence] = {}
    for n, s in enumerate(best):
        step = int(np.argmax(np.where(active, adjusted[s], -1.0))) if adjusted.shape[1] else -1
        evidence[str(names[n])] = NodeEvidence(
            node=str(names[n]), strength=float(strength[n]),
            onset=float(scores.times[onset[n]]) if onset[n] >= 0 else None,
            anomalous=bool(strength[n] > config.threshold), failing=bool(failing[n]),
            metric=str(frame.metrics[s]), zscore=float(z[s, step]) if step >= 0 else 0.0)
    return evidence


def _top_k_mean(values: np.ndarray, groups: np.ndarray, n_groups: int, k: int) -> np.ndarray:
    """Per group, the mean of its k largest values (fewer if it has fewer): one wild statistic is not a node."""
    order = np.lexsort((-values, groups))
    g, v = groups[order], values[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1] if len(g) else np.zeros(0, dtype=int)
    position = np.arange(len(g)) - np.repeat(start, np.diff(np.r_[start, len(g)]))
    keep = position < max(k, 1)
    sums, counts = np.zeros(n_groups), np.zeros(n_groups)
    np.add.at(sums, g[keep], v[keep])
    np.add.at(counts, g[keep], 1.0)
    return sums / np.maximum(counts, 1.0)


def _onsets(above: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Per node, the step where the excursion that is under way during the symptom began (-1: none)."""
    nodes, steps = above.shape
    run_start = np.full((nodes, steps), -1)
    for t in range(steps):  # a handful of steps; each step is one vectorised pass over all nodes
        carried = run_start[:, t - 1] if t else np.full(nodes, -1)
        run_start[:, t] = np.where(above[:, t], np.where(carried >= 0, carried, t), -1)
    starts = np.where(active[None, :] & above, run_start, steps)
    first = starts.min(axis=1, initial=steps)
    return np.where(first < steps, first, -1)
