"""The NAB scorer: one corpus-wide threshold swept over every distinct score, three profiles, normalised.

Follows BENCHMARKS.md §1 (NAB v1.1's sweeper): earliest detection in a window earns a scaled-sigmoid
credit, every detection outside a window costs a weight scaled by its distance past the previous
window, probation rows are ignored, and `100 * (raw - null) / (perfect - null)` normalises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forewarn.evaluation.nab_corpus import NabSeries
from forewarn.evaluation.nab_rows import FileRows, file_rows


@dataclass(frozen=True)
class Profile:
    name: str
    a_tp: float
    a_fn: float
    a_fp: float


PROFILES: tuple[Profile, ...] = (
    Profile("standard", 1.0, 1.0, 0.11),
    Profile("reward_low_FP_rate", 1.0, 1.0, 0.22),
    Profile("reward_low_FN_rate", 1.0, 2.0, 0.11),
)


@dataclass(frozen=True)
class CategoryResult:
    windows: int
    detected: int
    false_positives: int
    raw: float
    score: float | None  # None for a category without windows: its normalisation is undefined


@dataclass(frozen=True)
class ProfileResult:
    profile: str
    threshold: float
    raw: float
    score: float
    per_category: dict[str, CategoryResult]


@dataclass(frozen=True)
class CorpusRows:
    """Every scored row of the corpus stacked, with a corpus-wide window index and owning category."""

    scores: np.ndarray  # NaN scores become -inf: never a detection
    window: np.ndarray
    unit: np.ndarray
    category: np.ndarray  # category index per row
    window_category: np.ndarray  # category index per corpus window (-1 if entirely in probation)
    categories: tuple[str, ...]

    @property
    def n_windows(self) -> int:
        return int(np.sum(self.window_category >= 0))


def stack_rows(series: Sequence[NabSeries], scores: Sequence[np.ndarray]) -> CorpusRows:
    categories = tuple(dict.fromkeys(s.category for s in series))
    parts: list[FileRows] = [file_rows(s, np.asarray(sc)) for s, sc in zip(series, scores, strict=True)]
    offsets = np.cumsum([0] + [p.n_windows for p in parts])
    window = np.concatenate([np.where(p.window >= 0, p.window + off, -1) for p, off in zip(parts, offsets[:-1], strict=True)])
    cat_of_file = [categories.index(s.category) for s in series]
    window_category = np.full(int(offsets[-1]), -1, dtype=np.int64)
    window_category[window[window >= 0]] = np.repeat(cat_of_file, [len(p.scores) for p in parts])[window >= 0]
    raw_scores = np.concatenate([p.scores for p in parts])
    return CorpusRows(
        scores=np.where(np.isnan(raw_scores), -np.inf, raw_scores),
        window=window,
        unit=np.concatenate([p.unit for p in parts]),
        category=np.repeat(cat_of_file, [len(p.scores) for p in parts]),
        window_category=window_category,
        categories=categories,
    )


def sweep(rows: CorpusRows, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Raw corpus score at every distinct score value, highest threshold first (plus +inf: never fire).

    Rows are visited from the highest score down; an FP adds its cost when reached, and a window's
    gain is the rise of its running best credit, so one cumulative sum gives every threshold at once.
    """
    order = np.argsort(-rows.scores, kind="stable")
    ordered, window, unit = rows.scores[order], rows.window[order], rows.unit[order]
    gain = np.where(window < 0, profile.a_fp * unit, 0.0)
    inside = np.flatnonzero(window >= 0)
    grouped = inside[np.argsort(window[inside], kind="stable")]  # by window, still by falling score
    for seg in np.split(grouped, np.flatnonzero(np.diff(window[grouped])) + 1):
        if len(seg):
            best = np.maximum.accumulate(profile.a_tp * unit[seg])
            gain[seg] = best - np.concatenate(([-profile.a_fn], best[:-1]))
    null = -profile.a_fn * rows.n_windows
    raw = null + np.cumsum(gain)
    last_of_value = np.append(ordered[1:] != ordered[:-1], True) & np.isfinite(ordered)
    return np.concatenate(([np.inf], ordered[last_of_value])), np.concatenate(([null], raw[last_of_value]))


def normalise(raw: float, windows: int, profile: Profile) -> float | None:
    null, perfect = -profile.a_fn * windows, profile.a_tp * windows
    return None if perfect == null else 100.0 * (raw - null) / (perfect - null)


def per_category(rows: CorpusRows, profile: Profile, threshold: float) -> dict[str, CategoryResult]:
    """Window credits and FP costs at one threshold, summed per category."""
    n_cat = len(rows.categories)
    hit = rows.scores >= threshold
    fp = hit & (rows.window < 0)
    fp_cost = np.bincount(rows.category[fp], weights=profile.a_fp * rows.unit[fp], minlength=n_cat)
    fp_count = np.bincount(rows.category[fp], minlength=n_cat)
    credit = np.full(len(rows.window_category), -np.inf)
    tp = hit & (rows.window >= 0)
    np.maximum.at(credit, rows.window[tp], profile.a_tp * rows.unit[tp])
    counted = rows.window_category >= 0
    detected = np.isfinite(credit) & counted
    credit = np.where(detected, credit, -profile.a_fn)
    wc = rows.window_category[counted]
    win_raw = np.bincount(wc, weights=credit[counted], minlength=n_cat)
    n_win = np.bincount(wc, minlength=n_cat)
    n_det = np.bincount(rows.window_category[detected], minlength=n_cat)
    return {
        name: CategoryResult(int(n_win[c]), int(n_det[c]), int(fp_count[c]), float(win_raw[c] + fp_cost[c]),
                             normalise(float(win_raw[c] + fp_cost[c]), int(n_win[c]), profile))
        for c, name in enumerate(rows.categories)
    }


def score_profile(rows: CorpusRows, profile: Profile, threshold: float | None = None) -> ProfileResult:
    """Best swept threshold (ties go to the highest, as NAB's sort does), or the given one."""
    if threshold is None:
        thresholds, raws = sweep(rows, profile)
        best = int(np.argmax(raws))
        threshold = float(thresholds[best])
    cats = per_category(rows, profile, threshold)
    raw = sum(c.raw for c in cats.values())
    score = normalise(raw, rows.n_windows, profile)
    return ProfileResult(profile.name, threshold, raw, 0.0 if score is None else score, cats)


def score_corpus(series: Sequence[NabSeries], scores: Sequence[np.ndarray],
                 threshold: float | None = None) -> dict[str, ProfileResult]:
    """Score one detector's outputs on a corpus under every profile."""
    rows = stack_rows(series, scores)
    return {p.name: score_profile(rows, p, threshold) for p in PROFILES}
