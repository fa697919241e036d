"""Pure reading of a Prometheus text or OpenMetrics exposition into selected, typed series."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics.parser import text_fd_to_metric_families as openmetrics_families
from prometheus_client.parser import text_fd_to_metric_families as text_families

Kind = Literal["gauge", "counter"]

# Base-unit name suffixes (Prometheus naming conventions) → the unit forewarn shows.
_UNIT_SUFFIXES = {
    "seconds": "s", "bytes": "B", "celsius": "°C", "ratio": "", "percent": "%", "hertz": "Hz",
    "volts": "V", "amperes": "A", "joules": "J", "watts": "W", "meters": "m", "grams": "g",
}


_CUMULATIVE = frozenset({"counter", "histogram", "summary"})


class MalformedExposition(ValueError):
    """The scrape is not valid exposition text; the message says what the parser choked on."""


@dataclass(frozen=True, slots=True)
class Series:
    """One sample of the exposition: a gauge to report as is, or a counter to turn into a rate."""

    name: str
    kind: Kind
    value: float
    unit: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.name, tuple(sorted(self.labels.items()))


@dataclass(frozen=True, slots=True)
class Selector:
    """Which series to keep: name globs in and out, label-value globs, and a bound."""

    include: Sequence[str] = ("*",)
    exclude: Sequence[str] = ()
    match_labels: Mapping[str, str] = field(default_factory=dict)
    max_series: int = 500

    def wants(self, family: str, sample: str) -> bool:
        def hit(patterns: Iterable[str]) -> bool:
            return any(fnmatchcase(family, p) or fnmatchcase(sample, p) for p in patterns)
        return hit(self.include) and not hit(self.exclude)

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(fnmatchcase(labels.get(k, ""), glob) for k, glob in self.match_labels.items())


@dataclass(frozen=True, slots=True)
class Exposition:
    """The selected series (at most max_series), how many the scrape held, and how many matched."""

    series: tuple[Series, ...]
    total: int
    matched: int


def read_exposition(text: str, selector: Selector, openmetrics: bool = False) -> Exposition:
    """Parse `text` and keep the series `selector` wants; MalformedExposition when it is not valid.

        # TYPE node_network_receive_bytes_total counter
        node_network_receive_bytes_total{device="eth0"} 1.2e+06
        # TYPE node_load1 gauge
        node_load1 0.21

    gives a counter node_network_receive_bytes_total (unit B, device eth0) and a gauge node_load1.
    Histogram buckets and `_created` samples are left out; `_sum`/`_count` are counters and
    summary quantiles gauges.
    """
    parse = openmetrics_families if openmetrics else text_families
    lines = _CountedLines(text)
    kept: list[Series] = []
    total = matched = 0
    cumulative: set[str] = set()  # counter, histogram and summary families seen so far
    try:
        for family in parse(lines):
            if family.type in _CUMULATIVE:
                cumulative.add(family.name)
            elif family.name.endswith("_created") and family.name[:-8] in cumulative:
                continue  # the classic format gives `_created` timestamps a family of their own
            for series in family_series(family):
                total += 1
                if selector.wants(family.name, series.name) and selector.matches(series.labels):
                    matched += 1
                    if len(kept) < selector.max_series:
                        kept.append(series)
    except ValueError as exc:  # the parsers say "could not convert string to float: '{'" and alike
        raise MalformedExposition(f"line {lines.number}: {lines.last.strip()[:80]!r}: "
                                  f"{str(exc)[:120] or 'not valid'}") from exc
    return Exposition(tuple(kept), total, matched)


class _CountedLines:
    """The text's lines for the parser, remembering the last one handed out so errors can cite it."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.number = 0
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        for line in io.StringIO(self._text):
            self.number += 1
            self.last = line
            yield line


def family_series(family: Metric) -> list[Series]:
    """The reportable series of one metric family, typed by how each sample should be read."""
    unit = _UNIT_SUFFIXES.get(family.unit, family.unit) if family.unit else unit_of(family.name)
    out = []
    for sample in family.samples:
        kind = _sample_kind(family.type, family.name, sample.name)
        if kind is None or not math.isfinite(sample.value):
            continue
        sample_unit = "" if sample.name.endswith("_count") and kind == "counter" else unit
        out.append(Series(sample.name, kind, float(sample.value), sample_unit, dict(sample.labels)))
    return out


def unit_of(name: str) -> str:
    """The unit a conventional metric name implies: node_memory_MemFree_bytes → B."""
    parts = name.removesuffix("_total").rsplit("_", 2)
    for part in reversed(parts[1:]):
        if part in _UNIT_SUFFIXES:
            return _UNIT_SUFFIXES[part]
    return ""


def _sample_kind(family_type: str, family: str, sample: str) -> Kind | None:
    suffix = sample[len(family):] if sample.startswith(family) else ""
    if suffix in ("_created", "_bucket", "_gcount_created"):
        return None
    if family_type == "counter":
        return "counter" if suffix in ("_total", "") else None
    if family_type in ("histogram", "summary"):
        return "counter" if suffix in ("_sum", "_count") else "gauge"
    return "gauge"  # gauge, untyped/unknown, info, stateset, gaugehistogram's gsum/gcount
