"""Counter → rate between two polls of one agent, across counter wraps and agent restarts.

SNMP counters only grow and wrap to 0 past 2^32 (Counter32) or 2^64 (Counter64); a rate is the
difference of two readings over the time between them. A restart of the agent resets every
counter, which would look like a wrap: sysUpTime going down reveals it, and that round gives no
rates. sysUpTime itself wraps after 497 days; that rare case is taken as a restart too, costing
one round of rates.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

CounterKey = tuple[Hashable, ...]  # (ifIndex, "in_octets"), ...


@dataclass(frozen=True, slots=True)
class CounterReading:
    value: int
    bits: int  # 32 or 64


@dataclass(frozen=True, slots=True)
class _Snapshot:
    at: float
    uptime_ticks: int | None
    counters: Mapping[CounterKey, CounterReading]


@dataclass(frozen=True, slots=True)
class RateRound:
    """Per-second rates of this round; `skipped` says why there are none ("first poll", ...)."""

    rates: dict[CounterKey, float] = field(default_factory=dict)
    skipped: str | None = None


def counter_delta(previous: int, current: int, bits: int) -> int | None:
    """How much a counter grew, allowing one wrap; None when it must have been reset instead.

    A Counter32 at 10 Gbit/s wraps every 3.4 s, so a decrease is always taken as one wrap:
    counter_delta(2**32 - 100, 50, 32) == 150. A Counter64 cannot wrap within a poll interval
    unless it was already near its top, so a decrease from the lower half is a reset (None).
    """
    if current >= previous:
        return current - previous
    modulus = 1 << bits
    if bits == 64 and previous < modulus // 2:
        return None
    return current + modulus - previous


class CounterRates:
    """Keeps the last readings per target (e.g. '192.0.2.1:161') and turns new ones into rates."""

    def __init__(self) -> None:
        self._last: dict[str, _Snapshot] = {}

    def update(
        self,
        target: str,
        at: float,
        uptime_ticks: int | None,
        counters: Mapping[CounterKey, CounterReading],
    ) -> RateRound:
        """Store this round's readings (replacing the target's previous ones) and rate them."""
        previous = self._last.get(target)
        self._last[target] = _Snapshot(at, uptime_ticks, dict(counters))
        if previous is None:
            return RateRound(skipped="first poll, rates from the next one")
        if uptime_ticks is not None and previous.uptime_ticks is not None and uptime_ticks < previous.uptime_ticks:
            return RateRound(skipped="agent restarted (sysUpTime went down), rates from the next poll")
        elapsed = at - previous.at
        if elapsed <= 0:
            return RateRound(skipped="no time passed since the last poll")
        rates: dict[CounterKey, float] = {}
        for key, reading in counters.items():
            before = previous.counters.get(key)
            if before is None or before.bits != reading.bits:
                continue  # new interface, or it switched between 32- and 64-bit counters
            delta = counter_delta(before.value, reading.value, reading.bits)
            if delta is not None:
                rates[key] = delta / elapsed
        return RateRound(rates)

    def forget(self, target: str) -> None:
        self._last.pop(target, None)
