"""Backtest of forewarn's time-to-limit forecast against Prometheus-style predict_linear.

Generates seeded fill patterns (linear, seasonal, step-reset, accelerating), steps an evaluation
time through each series, and compares every method's predicted crossing with the true one
(where the noiseless signal first reaches the limit). Run: .venv/bin/python benchmarks/forecast.py
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from forewarn.analysis.forecast import forecast_crossing

DAY = 86_400.0
HOUR = 3_600.0
LIMIT = 95.0
T0 = 1_700_000_000.0
CADENCE = 300.0  # one sample every ~5 minutes
EVAL_STEP = 2 * HOUR
WARN_HORIZON = 3 * DAY
CAP = 30 * DAY  # "no crossing" counts as a prediction this far ahead, for every method alike
MAX_AHEAD = 14 * DAY  # only score evaluation points whose true crossing is this close
PATTERNS = ("linear", "seasonal", "step-reset", "accelerating")


@dataclass(slots=True)
class Instance:
    """One generated series with its noiseless truth and where evaluation may start."""

    ts: np.ndarray
    values: np.ndarray
    truth_ts: float
    eval_from: float


@dataclass(slots=True)
class Scores:
    """Per-method results pooled over instances of a pattern."""

    errors: list[float] = field(default_factory=list)  # |predicted - true| seconds, per eval point
    lead_first: list[float] = field(default_factory=list)  # per instance
    lead_held: list[float] = field(default_factory=list)  # per instance
    premature: list[bool] = field(default_factory=list)  # warned while truth > 2 horizons away
    covered: list[bool] = field(default_factory=list)  # truth inside the interval (ours only)


# --- generated patterns -------------------------------------------------------------------------


def _sample_times(rng: np.random.Generator, days: float) -> np.ndarray:
    """Jittered ~5-minute sampling with a few outages (gaps of 1–8 hours)."""
    ts = T0 + np.arange(0.0, days * DAY, CADENCE)
    ts = ts + rng.uniform(-0.3, 0.3, ts.size) * CADENCE
    keep = np.ones(ts.size, dtype=bool)
    for _ in range(rng.integers(1, 4)):
        start = rng.uniform(T0, T0 + days * DAY)
        keep &= ~((ts >= start) & (ts < start + rng.uniform(1, 8) * HOUR))
    return ts[keep]


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """AR(1) noise (rho 0.7) plus white noise: real gauges wander, they are not i.i.d."""
    white = rng.normal(0.0, rng.uniform(0.15, 0.4), n)
    ar = np.empty(n)
    ar[0] = 0.0
    innov = rng.normal(0.0, rng.uniform(0.1, 0.3), n)
    for i in range(1, n):  # a benchmark generator, not a hot path
        ar[i] = 0.7 * ar[i - 1] + innov[i]
    return white + ar


def _truth_crossing(signal: Callable[[np.ndarray], np.ndarray], start: float, days: float) -> float:
    grid = np.arange(start, T0 + days * DAY, 60.0)
    hit = np.flatnonzero(signal(grid) >= LIMIT)
    return float(grid[hit[0]]) if hit.size else float("inf")


def _wobble(rng: np.random.Generator, rate: float) -> Callable[[np.ndarray], np.ndarray]:
    """Integrated slow rate drift: the fill rate swings ±0–25 % over a 4–10 day period.

    Real growth is never a perfect line; this keeps the backtest from rewarding a model only
    because the generator shares its exact shape.
    """
    depth, period, phase = rng.uniform(0.0, 0.25), rng.uniform(4.0, 10.0), rng.uniform(0, 2 * np.pi)

    def drift(d: np.ndarray) -> np.ndarray:
        return rate * depth * period / (2 * np.pi) * (np.cos(phase) - np.cos(2 * np.pi * d / period + phase))

    return drift


def _daily(rng: np.random.Generator, amp: float) -> Callable[[np.ndarray], np.ndarray]:
    """A business-hours cycle (three harmonics, so not exactly the model's) damped at weekends."""
    phase = rng.uniform(0, 2 * np.pi)

    def cycle(d: np.ndarray) -> np.ndarray:
        x = 2 * np.pi * d + phase
        weekend = (np.floor(d) % 7) >= 5
        shape = np.sin(x) + 0.4 * np.sin(2 * x + 1.0) + 0.2 * np.sin(3 * x + 2.0)
        return amp * np.where(weekend, 0.4, 1.0) * shape

    return cycle


def _linear(rng: np.random.Generator, amp: float) -> tuple[Callable[[np.ndarray], np.ndarray], float]:
    rate = rng.uniform(2.0, 6.0)  # % per day
    start = rng.uniform(30.0, 50.0)
    drift, cycle = _wobble(rng, rate), _daily(rng, amp)

    def signal(t: np.ndarray) -> np.ndarray:
        d = (t - T0) / DAY
        return start + rate * d + drift(d) + cycle(d)

    return signal, 1.5 * (LIMIT - start) / rate


def _step_reset(rng: np.random.Generator) -> tuple[Callable[[np.ndarray], np.ndarray], float, float]:
    """Fills to 80–88 %, gets cleaned 20–35 points down, 2–3 times, then fills to the limit."""
    level, day, rate = rng.uniform(35.0, 50.0), 0.0, rng.uniform(3.0, 6.0)
    knots_d, knots_v = [0.0], [level]
    for _ in range(rng.integers(2, 4)):
        top = rng.uniform(80.0, 88.0)
        day += (top - level) / rate
        level = top - rng.uniform(20.0, 35.0)
        knots_d += [day, day + 1e-4]
        knots_v += [top, level]
        rate *= rng.uniform(0.8, 1.25)
    last_clean = day
    day += (LIMIT + 10.0 - level) / rate
    knots_d.append(day)
    knots_v.append(LIMIT + 10.0)
    amp, phase = rng.uniform(0.5, 2.0), rng.uniform(0, 2 * np.pi)

    def signal(t: np.ndarray) -> np.ndarray:
        d = (t - T0) / DAY
        return np.interp(d, knots_d, knots_v) + amp * np.sin(2 * np.pi * d + phase)

    return signal, day, last_clean


def _accelerating(rng: np.random.Generator) -> tuple[Callable[[np.ndarray], np.ndarray], float]:
    """Half quadratic growth, half a rate that jumps 2.5–5× at a knot (a runaway log)."""
    start, rate = rng.uniform(30.0, 45.0), rng.uniform(1.0, 2.5)
    if rng.random() < 0.5:
        accel = rng.uniform(0.15, 0.5)  # % per day²

        def signal(t: np.ndarray) -> np.ndarray:
            d = (t - T0) / DAY
            return start + rate * d + accel * d * d
    else:
        knot, factor = rng.uniform(4.0, 8.0), rng.uniform(2.5, 5.0)

        def signal(t: np.ndarray) -> np.ndarray:
            d = (t - T0) / DAY
            return start + rate * d + rate * (factor - 1.0) * np.maximum(0.0, d - knot)

    return signal, 40.0


def make_instance(pattern: str, rng: np.random.Generator) -> Instance:
    """Draw one series of the pattern; evaluation starts after 2 days (or the last cleanup)."""
    eval_from_day = 2.0
    if pattern == "linear":
        signal, days = _linear(rng, 0.0)
    elif pattern == "seasonal":
        signal, days = _linear(rng, rng.uniform(3.0, 8.0))
    elif pattern == "step-reset":
        signal, days, last_clean = _step_reset(rng)
        eval_from_day = last_clean + 2.0 / 24.0
    else:
        signal, days = _accelerating(rng)
    truth = _truth_crossing(signal, T0 + eval_from_day * DAY, days + 2.0)
    ts = _sample_times(rng, (truth - T0) / DAY + 0.5)
    values = signal(ts) + _noise(rng, ts.size)
    values[rng.random(ts.size) < 0.01] = np.nan  # scattered missing samples
    return Instance(ts=ts, values=values, truth_ts=truth, eval_from=T0 + eval_from_day * DAY)


# --- methods ------------------------------------------------------------------------------------


def predict_linear(ts: np.ndarray, values: np.ndarray, now: float, window_s: float) -> float | None:
    """Prometheus' predict_linear: least squares over the last window, extrapolated to the limit."""
    sel = (ts > now - window_s) & (ts <= now) & np.isfinite(values)
    if sel.sum() < 2:
        return None
    x, y = ts[sel] - now, values[sel]
    slope, intercept = np.polyfit(x, y, 1)
    if intercept >= LIMIT:
        return now
    if slope <= 0:
        return None
    return now + (LIMIT - intercept) / slope


def ours(ts: np.ndarray, values: np.ndarray, now: float) -> tuple[float | None, float | None, float | None]:
    upto = ts <= now
    f = forecast_crossing(ts[upto], values[upto], LIMIT, "above", now)
    return f.crossing_ts, f.lower_ts, f.upper_ts


METHODS: dict[str, Callable[[np.ndarray, np.ndarray, float], float | None]] = {
    "forewarn": lambda ts, v, now: ours(ts, v, now)[0],
    "predict_linear 6h": lambda ts, v, now: predict_linear(ts, v, now, 6 * HOUR),
    "predict_linear 1d": lambda ts, v, now: predict_linear(ts, v, now, DAY),
}


# --- scoring ------------------------------------------------------------------------------------


def score_instance(inst: Instance, scores: dict[str, Scores]) -> None:
    """Step the evaluation time through the series and score every method at each point."""
    evals = np.arange(inst.eval_from, inst.truth_ts, EVAL_STEP)
    for name in METHODS:
        warned = np.zeros(evals.size, dtype=bool)
        for i, now in enumerate(evals):
            if name == "forewarn":
                pred, lo, hi = ours(inst.ts, inst.values, now)
                if inst.truth_ts - now <= MAX_AHEAD:
                    inside = (lo is not None and lo <= inst.truth_ts) and (hi is None or inst.truth_ts <= hi)
                    scores[name].covered.append(bool(inside))
            else:
                pred = METHODS[name](inst.ts, inst.values, now)
            capped = now + CAP if pred is None else min(max(pred, now), now + CAP)
            warned[i] = capped - now <= WARN_HORIZON
            if inst.truth_ts - now <= MAX_AHEAD:
                scores[name].errors.append(abs(capped - inst.truth_ts))
            if inst.truth_ts - now > 2 * WARN_HORIZON:
                scores[name].premature.append(bool(warned[i]))
        _record_leads(scores[name], evals, warned, inst.truth_ts)


def _record_leads(s: Scores, evals: np.ndarray, warned: np.ndarray, truth: float) -> None:
    """Lead at the first warning, and at the start of the warning that stayed on to the end."""
    first = np.flatnonzero(warned)
    s.lead_first.append(truth - evals[first[0]] if first.size else 0.0)
    if warned.size and warned[-1]:
        off = np.flatnonzero(~warned)
        start = 0 if off.size == 0 else off[-1] + 1
        s.lead_held.append(truth - evals[start])
    else:
        s.lead_held.append(0.0)


def run(instances: int, seed: int) -> dict[str, dict[str, Scores]]:
    rng = np.random.default_rng(seed)
    results = {p: {m: Scores() for m in METHODS} for p in PATTERNS}
    with Progress(transient=True) as progress:
        task = progress.add_task("backtesting", total=instances * len(PATTERNS))
        for pattern in PATTERNS:
            for _ in range(instances):
                score_instance(make_instance(pattern, rng), results[pattern])
                progress.advance(task)
    return results


def _pool(results: dict[str, dict[str, Scores]], method: str) -> Scores:
    pooled = Scores()
    for per_method in results.values():
        s = per_method[method]
        pooled.errors += s.errors
        pooled.lead_first += s.lead_first
        pooled.lead_held += s.lead_held
        pooled.premature += s.premature
        pooled.covered += s.covered
    return pooled


def print_table(results: dict[str, dict[str, Scores]], instances: int) -> None:
    table = Table(
        title=f"Time-to-limit backtest: {instances} series per pattern, warn horizon "
        f"{WARN_HORIZON / DAY:.0f} d; errors in hours, leads in days (medians)"
    )
    for col in (
        "pattern",
        "method",
        "evals",
        "MAE-crossing h",
        "err ratio",
        "lead first d",
        "lead held d",
        "lead ratio",
        "premature %",
        "80% cover %",
    ):
        table.add_column(col, justify="right" if col not in ("pattern", "method") else "left")
    rows = [(p, results[p]) for p in PATTERNS] + [("overall", {m: _pool(results, m) for m in METHODS})]
    for pattern, per_method in rows:
        ours_s = per_method["forewarn"]
        for method, s in per_method.items():
            err = float(np.median(s.errors)) / HOUR
            lead = float(np.median(s.lead_first)) / DAY
            ref_err = float(np.median(ours_s.errors)) / HOUR
            ref_lead = float(np.median(ours_s.lead_first)) / DAY
            table.add_row(
                pattern,
                method,
                str(len(s.errors)),
                f"{err:.1f}",
                "—" if method == "forewarn" else f"{ref_err / err:.2f}" if err > 0 else "n/a",
                f"{lead:.2f}",
                f"{float(np.median(s.lead_held)) / DAY:.2f}",
                "—" if method == "forewarn" else f"{ref_lead / lead:.2f}" if lead > 0 else "n/a",
                f"{100 * np.mean(s.premature):.1f}" if s.premature else "—",
                f"{100 * np.mean(s.covered):.0f}" if s.covered else "—",
            )
        table.add_section()
    console = Console(width=max(Console().width, 130))
    console.print(table)
    console.print(
        "err ratio = forewarn MAE / method MAE (goal ≤ 0.5); lead ratio = forewarn lead / method lead "
        "(goal ≥ 1). premature = warned while the true crossing was more than two horizons away."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20, help="series per pattern")
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args()
    print_table(run(args.instances, args.seed), args.instances)


if __name__ == "__main__":
    main()
