"""Counters become per-second rates between two scrapes; the previous values live here."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.integrations.prometheus.exposition import Series

SeriesKey = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class Rate:
    """The per-second increase of one counter since the previous scrape."""

    series: Series
    per_second: float
    reset: bool = False


@dataclass(frozen=True, slots=True)
class RateResult:
    rates: tuple[Rate, ...]
    waiting: int  # counters seen for the first time: their rate starts with the next scrape
    resets: int


def rate_between(previous: float, current: float, seconds: float) -> tuple[float, bool]:
    """Per-second increase from `previous` to `current`, and whether the counter was reset.

    A counter only grows; a smaller value means the process restarted and counted up from zero,
    so the increase is the current value itself (as Prometheus' rate() assumes).
    """
    if current < previous:
        return current / seconds, True
    return (current - previous) / seconds, False


class CounterMemory:
    """The last value and time of every counter, per scrape target, with a bound on targets kept."""

    def __init__(self, max_targets: int = 1024) -> None:
        self._targets: OrderedDict[str, dict[SeriesKey, tuple[float, float]]] = OrderedDict()
        self._max_targets = max_targets

    def advance(self, target: str, counters: Iterable[Series], now: float) -> RateResult:
        """Rates for `counters` observed at `now`; remembers them (only them) for the next call."""
        previous = self._targets.pop(target, {})
        current: dict[SeriesKey, tuple[float, float]] = {}
        rates: list[Rate] = []
        waiting = resets = 0
        for series in counters:
            key = series.key
            current[key] = (series.value, now)
            before = previous.get(key)
            if before is None or now <= before[1]:
                waiting += 1
                continue
            per_second, reset = rate_between(before[0], series.value, now - before[1])
            resets += reset
            rates.append(Rate(series, per_second, reset))
        self._targets[target] = current  # series that vanished are forgotten with the old dict
        while len(self._targets) > self._max_targets:
            self._targets.popitem(last=False)
        return RateResult(tuple(rates), waiting, resets)
