"""Pure evaluation of a scrape (or why there was none) into an outcome with one metric per series."""

from __future__ import annotations

import socket

import httpx

from forewarn.integrations.common import cause_chain, fmt_ms, fmt_seconds
from forewarn.integrations.prometheus.exposition import Exposition, Selector, Series
from forewarn.integrations.prometheus.rates import RateResult
from forewarn.integrations.prometheus.scrape import Scrape, ScrapeTooLarge
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint


def rate_name(counter: str) -> str:
    """node_network_receive_bytes_total → node_network_receive_bytes_per_second."""
    return counter.removesuffix("_total") + "_per_second"


def evaluate(
    scrape: Scrape, exposition: Exposition, rates: RateResult, url: str, selector: Selector
) -> CheckOutcome:
    """OK with gauges as values and counters as rates; UNKNOWN when nothing matched the selection.

    For example a scrape of 3027 series, 40 selected, 10 of them counters seen before, gives
    OK "3027 series from http://127.0.0.1:9100/metrics in 12 ms; reporting 30 gauges, 10 rates".
    """
    metrics = [MetricPoint("scrape_duration_ms", scrape.elapsed_ms, "ms"),
               MetricPoint("scrape_bytes", float(len(scrape.body)), "B"),
               MetricPoint("scrape_series", float(exposition.total))]
    gauges = [s for s in exposition.series if s.kind == "gauge"]
    metrics += [MetricPoint(s.name, s.value, s.unit, dict(s.labels)) for s in gauges]
    metrics += [MetricPoint(rate_name(r.series.name), r.per_second, _per_second(r.series),
                            dict(r.series.labels)) for r in rates.rates]
    head = f"{exposition.total} series from {url} in {fmt_ms(scrape.elapsed_ms)}"
    if not exposition.matched:
        return CheckOutcome(CheckStatus.UNKNOWN, f"{head}; none matched {_describe(selector)}", metrics)
    summary = f"{head}; reporting {len(gauges)} gauges, {len(rates.rates)} rates" + "".join(
        _notes(exposition, rates, selector))
    return CheckOutcome(CheckStatus.OK, summary, metrics)


def bad_status(scrape: Scrape, url: str) -> CheckOutcome:
    """The endpoint answered, but not with metrics."""
    return CheckOutcome(CheckStatus.CRITICAL, f"scrape of {url} answered HTTP {scrape.status}")


def malformed(url: str, why: str) -> CheckOutcome:
    return CheckOutcome(CheckStatus.UNKNOWN, f"malformed exposition from {url}: {why[:200]}")


def failure(exc: BaseException, url: str, timeout: float) -> CheckOutcome:
    """The outcome when no complete answer arrived: too large, timed out, refused, …"""
    if isinstance(exc, ScrapeTooLarge):
        size = f" (announced {exc.announced} bytes)" if exc.announced else ""
        return CheckOutcome(
            CheckStatus.UNKNOWN,
            f"scrape of {url} is larger than max_scrape_bytes {exc.limit}{size}; stopped reading. "
            "Raise the bound or disable collectors on the exporter",
        )
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return CheckOutcome(CheckStatus.CRITICAL, f"no complete scrape of {url} within {fmt_seconds(timeout)}")
    for cause in cause_chain(exc):
        if isinstance(cause, ConnectionRefusedError):
            return CheckOutcome(CheckStatus.CRITICAL, f"connection refused to {url}")
        if isinstance(cause, socket.gaierror):
            return CheckOutcome(CheckStatus.CRITICAL, f"cannot resolve the host of {url}")
    return CheckOutcome(CheckStatus.CRITICAL, f"scrape of {url} failed: {exc or type(exc).__name__}")


def _per_second(series: Series) -> str:
    return f"{series.unit}/s" if series.unit else "/s"


def _notes(exposition: Exposition, rates: RateResult, selector: Selector) -> list[str]:
    notes = []
    if exposition.matched > len(exposition.series):
        notes.append(f" (only the first {selector.max_series} of {exposition.matched} matching series: "
                     "narrow include or raise max_series)")
    if rates.waiting:
        notes.append(f" ({rates.waiting} counters get a rate from the next scrape)")
    if rates.resets:
        notes.append(f" ({rates.resets} counters were reset)")
    return notes


def _describe(selector: Selector) -> str:
    parts = [f"include {list(selector.include)}"]
    if selector.exclude:
        parts.append(f"exclude {list(selector.exclude)}")
    if selector.match_labels:
        parts.append(f"match_labels {dict(selector.match_labels)}")
    return ", ".join(parts)
