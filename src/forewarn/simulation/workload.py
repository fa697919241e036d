"""Normal load of every simulated series as column arrays: seasonality, noise, growth, nightly resets, countdowns."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

import numpy as np

from forewarn.core.errors import ValidationFailed
from forewarn.simulation.scenario import Workload

DAY = 86_400.0
WEEK = 7 * DAY
PEAK_HOUR = 15.0  # the working day's busiest hour (UTC)


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    asset: str
    metric: str
    unit: str
    check: str | None


class SeriesTable:
    """Every series of the twin with its workload parameters in arrays; one vector step per tick."""

    def __init__(self, workloads: list[Workload], asset_names: list[str], start: float,
                 rng: np.random.Generator) -> None:
        self.specs: list[SeriesSpec] = []
        self.index: dict[tuple[str, str], int] = {}
        rows: list[tuple[float, ...]] = []
        for i, w in enumerate(workloads):
            matched = [a for a in asset_names if any(fnmatchcase(a, p) for p in w.assets)]
            if not matched:
                raise ValidationFailed(f"workloads.{i}.assets: no asset matches {w.assets}", where="scenario")
            for asset in matched:
                self._add(SeriesSpec(asset, w.metric, w.unit, w.check), rows, w)
        self._start = start
        self._rng = rng
        self._finish(rows)

    def _add(self, spec: SeriesSpec, rows: list, w: Workload) -> None:
        key = (spec.asset, spec.metric)
        if key in self.index:
            raise ValidationFailed(f"{spec.asset}/{spec.metric} has two workloads", where="scenario")
        self.index[key] = len(self.specs)
        self.specs.append(spec)
        nan = float("nan")
        rows.append((w.base, w.daily, w.weekend, w.noise, w.growth_per_day,
                     nan if w.resets_daily_at is None else w.resets_daily_at,
                     nan if w.countdown_days is None else w.countdown_days,
                     w.min, np.inf if w.max is None else w.max))

    def ensure(self, asset: str, metric: str, unit: str, base: float) -> int:
        """The index of a series a fault needs, created flat (no seasonality) when no workload names it."""
        if (asset, metric) not in self.index:
            rows = [tuple(self._cols[:, j]) for j in range(self._cols.shape[1])]
            self._add(SeriesSpec(asset, metric, unit, None), rows,
                      Workload(assets=[asset], metric=metric, unit=unit, base=base))
            self._finish(rows)
        return self.index[(asset, metric)]

    def _finish(self, rows: list) -> None:
        self._cols = np.array(rows, dtype=np.float64).T.reshape(9, len(rows))
        (self.base, self.daily, self.weekend, self.noise, self.growth, self.reset_hour, self.countdown,
         self.lo, self.hi) = self._cols
        self._resets = np.isfinite(self.reset_hour)
        self._counts = np.isfinite(self.countdown)

    def __len__(self) -> int:
        return len(self.specs)

    def sample(self, t: float) -> np.ndarray:
        """Every series' normal value at time t (unix seconds)."""
        return self.sample_many(np.array([t]))[0]

    def sample_many(self, times: np.ndarray) -> np.ndarray:
        """Values at many times at once, (times x series); the same numbers as `sample` called in that order.

        The noise is drawn as one (times x series) block, which a Generator fills in the order that
        successive per-time draws would take, so blocks change nothing but the speed.
        """
        t = np.asarray(times, dtype=np.float64)[:, None]
        hour = (t % DAY) / 3600.0
        weekday = (t // DAY + 3) % 7  # 1970-01-01 was a Thursday: 0 is Monday
        swing = 0.5 + 0.5 * np.cos(2 * np.pi * (hour - PEAK_HOUR) / 24.0)
        factor = np.where(weekday >= 5, self.weekend[None, :], 1.0)
        days = (t - self._start) / DAY
        values = self.base + self.daily * swing * factor + self.growth * days
        values = values + self.noise * self._rng.standard_normal((len(t), len(self.specs)))
        if self._resets.any():
            values[:, self._resets] = (hour - self.reset_hour[self._resets]) % 24.0
        if self._counts.any():
            values[:, self._counts] = self.countdown[self._counts] - days
        return np.clip(values, self.lo, self.hi)
