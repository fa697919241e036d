"""Which direction of change is bad for a metric, decided from generic metric-name families."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache


class Family(StrEnum):
    """A generic metric family: what it measures decides which direction hurts."""

    LATENCY = "latency"
    ERRORS = "errors"
    AVAILABILITY = "availability"
    TRAFFIC = "traffic"
    SATURATION = "saturation"
    OTHER = "other"


# Order matters: "error_rate" is an error family even though "rate" also reads as traffic.
_PATTERNS: tuple[tuple[Family, re.Pattern[str]], ...] = (
    (Family.AVAILABILITY, re.compile(r"avail|uptime|success|(^|_)up($|_)|health|ok_ratio", re.I)),
    (Family.ERRORS, re.compile(r"error|fail|5xx|4xx|fault|timeout|drop|loss|retrans", re.I)),
    (Family.LATENCY, re.compile(r"latenc|duration|response_?time|rtt|delay|elapsed|wait", re.I)),
    (Family.SATURATION, re.compile(r"cpu|mem|disk|load|util|queue|saturat|swap|inode", re.I)),
    (Family.TRAFFIC, re.compile(r"request|throughput|rate|count|calls|qps|rps|traffic|bytes|packets", re.I)),
)

# +1: rising is bad, -1: falling is bad, 0: either direction is suspicious.
_DIRECTION: dict[Family, int] = {
    Family.LATENCY: 1,
    Family.ERRORS: 1,
    Family.SATURATION: 1,
    Family.AVAILABILITY: -1,
    Family.TRAFFIC: 0,
    Family.OTHER: 0,
}


@lru_cache(maxsize=4096)  # a handful of metric names, asked about for every candidate of every incident
def family_of(metric: str) -> Family:
    """The family a metric name belongs to; OTHER when no generic pattern matches."""
    for family, pattern in _PATTERNS:
        if pattern.search(metric):
            return family
    return Family.OTHER


def bad_direction(metric: str) -> int:
    """+1 when an increase of `metric` is bad, -1 when a decrease is, 0 when both are."""
    return _DIRECTION[family_of(metric)]
