"""Throughput and state size of the anomaly detector beside a rolling z-score baseline, same process.

Run: `.venv/bin/python benchmarks/analysis.py`. Prints (a) points/s scoring the NAB dev set on one
core, (b) milliseconds for one batch update step of 100,000 series, (c) bytes of state per series,
(d) the NAB dev scores (standard / low-FP / low-FN) of both, for the quality that speed buys.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from forewarn.analysis.anomaly import AnomalyDetector, score_series
from forewarn.analysis.anomaly.baseline import RollingZBaseline, baseline_score_series
from forewarn.evaluation.nab import PROFILES, score_corpus
from forewarn.evaluation.nab_corpus import load_corpus

NAB_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nab"
N_SERIES = 100_000
WARM_STEPS = 50  # steps before timing, so the state holds learnt values, not first-sample branches


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def nab_points_per_second(score: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> float | None:
    if not NAB_DIR.is_dir():
        return None
    corpus = load_corpus(NAB_DIR)
    points = sum(len(s.values) for s in corpus)
    return points / best_of(lambda: [score(s.values, s.timestamps) for s in corpus])


def nab_scores(score: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    corpus = load_corpus(NAB_DIR)
    results = score_corpus(corpus, [score(s.values, s.timestamps) for s in corpus])
    return " / ".join(f"{results[p.name].score:.1f}" for p in PROFILES)


def batch_step_ms(make: Callable[[int], object]) -> tuple[float, int]:
    rng = np.random.default_rng(0)
    det = make(N_SERIES)
    rows = np.arange(N_SERIES)
    start = np.datetime64("2024-01-01T00:00:00")
    for step in range(WARM_STEPS):
        det.update(rows, rng.normal(100, 5, N_SERIES), np.full(N_SERIES, start + np.timedelta64(300 * step, "s")))
    values = rng.normal(100, 5, N_SERIES)
    stamps = np.full(N_SERIES, start + np.timedelta64(300 * WARM_STEPS, "s"))
    seconds = best_of(lambda: det.update(rows, values, stamps), repeat=5)
    return seconds * 1000.0, det_nbytes(det)


def det_nbytes(det: object) -> int:
    if isinstance(det, AnomalyDetector):
        return det.state.nbytes_per_series()
    assert isinstance(det, RollingZBaseline)
    return det.nbytes_per_series()


def ratio(ours: float | None, base: float | None) -> str:
    return "n/a" if not ours or not base else f"{ours / base:.2f}x"


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal is stated
    ours_pps = nab_points_per_second(lambda v, t: score_series(v, t))
    base_pps = nab_points_per_second(lambda v, t: baseline_score_series(v))
    ours_ms, ours_bytes = batch_step_ms(AnomalyDetector)
    base_ms, base_bytes = batch_step_ms(RollingZBaseline)
    if ours_pps is None:
        print(f"(a) skipped: NAB data not found at {NAB_DIR}", file=sys.stderr)
    else:
        print(f"(a) NAB dev set, points/s on one core: forewarn {ours_pps:,.0f}  rolling-z {base_pps:,.0f}  "
              f"ratio {ratio(ours_pps, base_pps)}  (goal >= 500,000)")
    print(f"(b) one update step, {N_SERIES:,} series: forewarn {ours_ms:.1f} ms  rolling-z {base_ms:.1f} ms  "
          f"ratio {ratio(ours_ms, base_ms)}  (goal <= 100 ms)")
    print(f"(c) state bytes per series: forewarn {ours_bytes}  rolling-z {base_bytes}  "
          f"ratio {ratio(ours_bytes, base_bytes)}")
    if ours_pps is not None:
        print(f"(d) NAB dev standard / low-FP / low-FN: forewarn {nab_scores(score_series)}  "
              f"rolling-z {nab_scores(lambda v, t: baseline_score_series(v))}")


if __name__ == "__main__":
    main()
