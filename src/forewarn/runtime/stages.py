"""Wires the pipeline stages of DESIGN.md §2 onto the bus: store, alerting, analysis, incidents."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from forewarn.alerting import (
    AnomalySignals,
    ForecastSignals,
    LogLine,
    LogSignals,
    evaluate_result,
    evaluate_results,
)
from forewarn.bus import CHECK_RESULTS, INCIDENT_CHANGES, LOGS, METRICS, RUNBOOK_RUNS, SAMPLES, SIGNALS, Bus
from forewarn.core.clock import Clock, SystemClock
from forewarn.core.enums import SignalState
from forewarn.core.records import CheckResult, MetricBatch, SampleBatch, Signal
from forewarn.db import Database
from forewarn.incidents import correlate
from forewarn.monitoring import IngestService
from forewarn.notify import enqueue_changes
from forewarn.remediation import match_signal, start_run

log = logging.getLogger(__name__)
INCIDENTS_BATCH = 1000  # signals the incidents stage takes from the bus per transaction, at most
# How a stage runs its blocking work: on a worker thread (live: the event loop keeps serving), or
# inline on the loop (a simulation, which awaits every step anyway and would only pay for the hop).
Offload = Callable[..., Awaitable[Any]]


async def run_inline(fn: Callable[..., Any], /, *args: Any) -> Any:  # noqa: ANN401 - whatever fn returns
    """An `Offload` that calls fn on the event loop's thread."""
    return fn(*args)


def start_runbooks(session, signal: Signal, incident_id: str) -> list[str]:  # noqa: ANN001
    """Runs for the runbooks matching a firing signal; guards (approval, rate, kill switch) apply inside."""
    if signal.state is not SignalState.FIRING:
        return []
    return [start_run(session, rb.id, incident_id, signal) for rb in match_signal(session, signal)]


def as_results(record: CheckResult | list[CheckResult]) -> list[CheckResult]:
    """A CHECK_RESULTS record is one result (the scheduler) or a list of them (a simulator tick)."""
    return record if isinstance(record, list) else [record]


def wire_stages(bus: Bus, db: Database, ingest: IngestService, anomalies: AnomalySignals,
                logs: LogSignals, forecasts: ForecastSignals | None = None, clock: Clock | None = None,
                offload: Offload = asyncio.to_thread) -> None:
    clock = clock or SystemClock()  # notifications are due at the platform's time, simulated or not

    async def store_result(record: CheckResult | list[CheckResult]) -> None:
        stored = await offload(ingest.record_results, as_results(record))
        if stored is not None:
            await bus.publish(SAMPLES, stored)

    async def store_metrics(batch: MetricBatch) -> None:
        stored = await offload(ingest.record_metrics, batch)
        if stored is not None:
            await bus.publish(SAMPLES, stored)

    async def alerting(record: CheckResult | list[CheckResult]) -> None:
        results = as_results(record)

        def evaluate() -> list[Signal]:
            # One transaction for the lot; should one result fail, each goes alone so the rest count.
            try:
                with db.session() as session:
                    return evaluate_results(session, results)
            except Exception:
                if len(results) == 1:
                    raise
                log.exception("a batch of %d check results failed; evaluating them one by one", len(results))
            out: list[Signal] = []
            for result in results:
                try:
                    with db.session() as session:
                        out += evaluate_result(session, result)
                except Exception:
                    log.exception("check result of %s failed in alerting", result.check_id)
            return out

        # Signals are published only after their state change committed (STYLE habit 8).
        for signal in await offload(evaluate):
            await bus.publish(SIGNALS, signal)

    async def analysis(batch: SampleBatch) -> None:
        for signal in await offload(anomalies.process, batch):
            await bus.publish(SIGNALS, signal)

    async def log_patterns(lines: list[LogLine]) -> None:
        for signal in await offload(logs.process, lines):
            await bus.publish(SIGNALS, signal)

    async def incidents(records: list[Signal | list[Signal]]) -> None:
        # What the bus gathered (each record one signal or a list of them), correlated as one batch in one
        # transaction; should it fail, the bus hands the records over again one at a time.
        signals = [s for r in records for s in (r if isinstance(r, list) else [r])]

        def apply() -> tuple[dict[str, str], list[str]]:
            with db.session() as session:
                touched = correlate(session, signals)
                runs = [run for s, i in zip(signals, touched, strict=True) if i for run in start_runbooks(session, s, i)]
            return {i: s.fingerprint for s, i in zip(signals, touched, strict=True) if i}, runs

        changed, runs = await offload(apply)
        for incident_id, fingerprint in changed.items():  # one change per incident, however many signals
            await bus.publish(INCIDENT_CHANGES, {"incident_id": incident_id, "signal": fingerprint})
        for run_id in runs:  # only after the runs committed (STYLE habit 8)
            await bus.publish(RUNBOOK_RUNS, run_id)

    bus.subscribe(CHECK_RESULTS, "store", store_result)
    bus.subscribe(METRICS, "store", store_metrics)
    bus.subscribe(CHECK_RESULTS, "alerting", alerting)
    bus.subscribe(SAMPLES, "analysis", analysis)
    if forecasts is not None:
        async def forecast_grid(batch: SampleBatch) -> None:
            forecasts.observe(batch)  # a few array operations: cheaper inline than a thread hop

        bus.subscribe(SAMPLES, "forecast-grid", forecast_grid)
    async def notify(change: dict) -> None:
        def enqueue() -> list[str]:
            with db.session() as session:
                return enqueue_changes(session, change["incident_id"], clock.now())

        await offload(enqueue)

    bus.subscribe(LOGS, "log-patterns", log_patterns)
    bus.subscribe(INCIDENT_CHANGES, "notify", notify)
    bus.subscribe(SIGNALS, "incidents", incidents, batch=INCIDENTS_BATCH)
