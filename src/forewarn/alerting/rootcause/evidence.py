"""Metric time series → per-node anomaly evidence (robust z-scores, onset) in batch-shaped numpy."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forewarn.alerting.rootcause.families import Family, bad_direction, family_of


@dataclass(frozen=True)
class NodeEvidence:
    """What the metrics say about one node during an incident."""

    node: str
    strength: float  # weighted robust z of the worst bad-direction deviation; 0 = normal
    onset: float | None  # unix seconds of the first large deviation, None if never
    anomalous: bool
    failing: bool = False  # an availability/error metric is off, not just slow or busy
    metric: str | None = None  # the metric behind `strength`, for explanations
    zscore: float = 0.0  # that metric's unweighted robust z, the number a technician reads


@dataclass(frozen=True)
class MetricFrame:
    """Many series on one time grid: `values[s, t]` is series s (node, metric) at `timestamps[t]`."""

    timestamps: np.ndarray  # (T,) unix seconds, ascending
    nodes: Sequence[str]  # (S,)
    metrics: Sequence[str]  # (S,)
    values: np.ndarray  # (S, T) float, NaN where a sample is missing


@dataclass(frozen=True)
class EvidenceConfig:
    threshold: float = 3.0  # weighted robust z above which a deviation counts as an anomaly
    min_normal: int = 12  # fewer normal samples than this: the incident window is its own baseline
    support_half: float = 30.0  # baseline size at which a series' z is trusted half-way
    rel_floor: float = 0.01  # scale floor as a share of the baseline level: sub-1% wiggles are not news
    self_rel_floor: float = 0.05  # wider floor when the baseline is only the incident's own samples
    abs_floor: float = 1e-9
    availability_rel_floor: float = 0.01  # availability sits near its ceiling: a share of the level hides real drops
    other_family_weight: float = 0.6  # families other than the noticed symptom's count less
    sibling_weight: float = 1.0  # other statistics of the noticed metric's family (p99 beside an average)
    traffic_weight: float = 0.5  # traffic shifts are as often a consequence as a cause
    top_k: int = 2  # a node's strength: mean of its k strongest series (1 = the strongest alone)
    background_quantile: float = 0.5  # level while the symptom was absent that counts as "already there"


@dataclass(frozen=True)
class SeriesScores:
    """Bad-direction robust z per series and incident step, before and after weighting."""

    times: np.ndarray  # (Ti,) incident timestamps
    z: np.ndarray  # (S, Ti) bad-direction z clipped at 0; NaN where the sample is missing
    weight: np.ndarray  # (S,) family × baseline-support weight


def _baseline(block: np.ndarray, rel_floor: np.ndarray | float, abs_floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Median and robust scale per row; MAD falls back to mean absolute deviation when it is 0.

    On an incident-only block the fallback is deliberately conservative: a series that jumps around
    throughout a short window earns a wide scale (measured better on PetShop than a pure MAD scale).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows are expected: no samples
        med = np.nanmedian(block, axis=1)
        dev = np.abs(block - med[:, None])
        mad = 1.4826 * np.nanmedian(dev, axis=1)
        mean_ad = 1.2533 * np.nanmean(dev, axis=1)  # Iglewicz–Hoaglin fallback for MAD = 0
    scale = np.where(mad > 0, mad, mean_ad)
    scale = np.fmax(scale, rel_floor * np.abs(med))
    return med, np.fmax(np.nan_to_num(scale, nan=abs_floor), abs_floor)


def series_scores(frame: MetricFrame, anomaly_start: float, focus_metric: str | None = None,
                  config: EvidenceConfig = EvidenceConfig()) -> SeriesScores:
    """Robust z of every incident sample against the normal period (or the incident itself if too short)."""
    normal = frame.timestamps < anomaly_start
    before, during = frame.values[:, normal], frame.values[:, ~normal]
    n_normal = np.sum(~np.isnan(before), axis=1)
    own = n_normal < config.min_normal
    ratio = np.array([family_of(m) is Family.AVAILABILITY for m in frame.metrics])
    rel_n = np.where(ratio, config.availability_rel_floor, config.rel_floor)
    rel_i = np.where(ratio, config.availability_rel_floor, config.self_rel_floor)
    med_n, scale_n = _baseline(before, rel_n, config.abs_floor)
    med_i, scale_i = _baseline(during, rel_i, config.abs_floor)
    med, scale = np.where(own, med_i, med_n), np.where(own, scale_i, scale_n)
    z = (during - med[:, None]) / scale[:, None]
    direction = np.array([bad_direction(m) for m in frame.metrics], dtype=float)
    bad = np.where(direction[:, None] == 0, np.abs(z), z * direction[:, None])
    bad = np.clip(np.where(np.isinf(bad), np.nan, bad), 0.0, None)  # clip keeps NaN: missing stays missing
    support = np.where(own, np.sum(~np.isnan(during), axis=1), n_normal).astype(float)
    trust = support / (support + config.support_half)
    trust = trust / max(float(trust.max(initial=0.0)), 1e-12)  # relative: the best-measured series counts fully
    weight = trust * _family_weights(frame.metrics, focus_metric, config)
    return SeriesScores(frame.timestamps[~normal], bad, weight)


def _family_weights(metrics: Sequence[str], focus: str | None, config: EvidenceConfig) -> np.ndarray:
    """Traffic counts less; with a noticed metric, its own family counts most and that exact metric most of all."""
    families = [family_of(m) for m in metrics]
    base = np.array([config.traffic_weight if f is Family.TRAFFIC else 1.0 for f in families])
    if focus is None:
        return base
    focus_family = family_of(focus)
    return base * np.array([1.0 if m == focus else config.sibling_weight if f is focus_family
                            else config.other_family_weight for m, f in zip(metrics, families, strict=True)])
