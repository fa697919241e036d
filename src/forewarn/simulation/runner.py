"""Drives the twin through the real pipeline on a simulated clock and scores both policies on its fault timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from forewarn.alerting import ForecastSignals, signal_rows
from forewarn.auth import Principal
from forewarn.bus import CHECK_RESULTS, INCIDENT_CHANGES, LOGS, SAMPLES
from forewarn.db import Database
from forewarn.incidents import get_incident
from forewarn.inventory import list_assets
from forewarn.monitoring import (
    IngestService,
    MemorySeriesStore,
    SeriesStore,
    apply_environment,
    enabled_definitions,
)
from forewarn.simulation.outcome import PolicyResult, score
from forewarn.simulation.policies import IncidentView, ManagedDesk, break_fix, report_delays
from forewarn.simulation.scenario import Scenario
from forewarn.simulation.twin import Twin
from forewarn.simulation.workload import DAY

SYSTEM = Principal.system()
FORECAST_EVERY = 3600.0  # a forecast round every simulated hour
# Raw samples are read only until rolled up (forecasts read 5-minute and hourly buckets), so a day
# of them is plenty; the default two weeks would make every rollup and read scan ~20x the rows.
RAW_RETENTION = DAY
FIVE_MINUTE_RETENTION = 15 * DAY  # the forecasts' 14-day lookback reads 5-minute buckets; a day to spare
Progress = Callable[[int, int], None]


def simulation_store() -> MemorySeriesStore:
    """The series store a simulated pipeline should get: in memory, each level kept only as long as it is read."""
    return MemorySeriesStore(raw_retention=RAW_RETENTION, five_minute_retention=FIVE_MINUTE_RETENTION)


class SimClock(Protocol):
    def now(self) -> float: ...

    def advance(self, seconds: float) -> None: ...


class Bus(Protocol):
    def subscribe(self, topic: str, consumer: str, handler: Any) -> None: ...

    async def publish(self, topic: str, record: Any) -> None: ...

    async def start(self) -> None: ...

    async def drain(self) -> None: ...


class Pipeline(Protocol):
    """What the simulator needs of the running platform (the embedded `Platform` fits as it is)."""

    db: Database
    bus: Bus
    ingest: IngestService
    store: SeriesStore
    clock: SimClock
    forecasts: ForecastSignals

    async def run_forecasts(self) -> int: ...


@dataclass
class SimulationResult:
    scenario: str
    seed: int
    days: float
    break_fix: PolicyResult
    managed: PolicyResult
    start: float = 0.0

    def as_json(self) -> dict:
        bf, mg = self.break_fix.as_json(), self.managed.as_json()
        diff = {k: round(mg[k] - bf[k], 1) for k in bf
                if isinstance(bf.get(k), int | float) and isinstance(mg.get(k), int | float)}
        return {"scenario": self.scenario, "seed": self.seed, "days": self.days,
                "break_fix": bf, "managed": mg, "difference": diff}


class _Feed:
    """Collects the ids of incidents the pipeline touched since the last look (a bus consumer)."""

    def __init__(self) -> None:
        self.changed: set[str] = set()

    async def __call__(self, change: dict) -> None:
        self.changed.add(change["incident_id"])


async def run_simulation(scenario: Scenario, pipeline: Pipeline, days: float | None = None,
                         progress: Progress | None = None, every_result: bool = False) -> SimulationResult:
    """Run `days` simulated days (the scenario's by default). Subscribes to the bus, then starts it."""
    days = scenario.days if days is None else days
    twin = Twin(scenario)
    pipeline.forecasts.chart_refresh = None  # nobody looks at a simulation's charts while it runs
    series_ids = _setup(twin, pipeline)
    _backfill(twin, pipeline, series_ids)
    feed = _Feed()
    pipeline.bus.subscribe(INCIDENT_CHANGES, "simulation", feed)
    await pipeline.bus.start()
    truths = [f.truth for f in twin.faults]
    delays = report_delays(truths, scenario.seed, scenario.break_fix.report_delay_minutes)
    desk = ManagedDesk(twin.faults, twin.topology, scenario.managed, delays, scenario.seed)
    end = scenario.start + days * DAY
    # One BLAS thread: the forecasts' matrices are small (a few thousand rows, a few dozen columns), so
    # a second thread adds no speed, and while it waits for work it spins (msp 30 days: "rest of the process" 46 -> 12 s CPU).
    with threadpool_limits(limits=1, user_api="blas"):
        await _loop(twin, pipeline, series_ids, feed, desk, end, progress, every_result)
    managed = score("managed", scenario, truths, desk.results(), twin.topology, end,
                    scenario.managed.monthly_fee * days / 30.0, scenario.managed.hourly_rate, desk.overhead_minutes)
    managed.extra = {"incidents": float(len(desk.incidents)), "false_alarms": float(desk.false_alarms),
                     "incidents_flagged_proactive": float(sum(v.proactive for v in desk.incidents.values())),
                     "prevented": float(sum(o.prevented for o in managed.faults))}
    handled = break_fix(truths, twin.topology, scenario.break_fix, delays, end, scenario.seed)
    bf = score("break_fix", scenario, truths, handled, twin.topology, end, 0.0, scenario.break_fix.hourly_rate)
    return SimulationResult(scenario.name, scenario.seed, days, bf, managed, scenario.start)


def _setup(twin: Twin, pipeline: Pipeline) -> np.ndarray:
    """Apply the environment, bind the twin to its ids and resolve every series id once."""
    scenario = twin.scenario
    with pipeline.db.session() as session:
        apply_environment(session, SYSTEM, scenario.environment_yaml(), f"{scenario.name} (environment)")
    with pipeline.db.session() as session:
        assets, _ = list_assets(session, SYSTEM, tenant=scenario.tenant_slug, limit=1_000_000)
        tenant_id = assets[0].tenant_id if assets else ""
        checks = [d for d in enabled_definitions(session) if d.tenant_id == tenant_id]
    twin.bind(tenant_id, {a.name: a.id for a in assets}, checks)
    check_ids = {(d.asset_name, d.name): d.id for d in checks}
    ids = np.zeros(len(twin.table), dtype=np.int64)
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i, spec in enumerate(twin.table.specs):
        if spec.check and (spec.asset, spec.check) not in check_ids:
            raise ValueError(f"workload {spec.asset}/{spec.metric} names check {spec.check!r}, "
                             f"which {spec.asset} does not have")
        groups.setdefault((spec.asset, spec.check), []).append(i)
    for (asset, check), rows in groups.items():
        specs = [twin.table.specs[i] for i in rows]
        got = pipeline.ingest.registry.resolve(tenant_id, twin.asset_ids[asset],
                                               [(s.metric, "", s.unit) for s in specs],
                                               check_ids.get((asset, check)) if check else None)
        ids[rows] = got
    return ids


def _backfill(twin: Twin, pipeline: Pipeline, series_ids: np.ndarray) -> None:
    """Store `history_days` of normal samples before the start (one append per day; no analysis runs on them)."""
    start, step = twin.scenario.start, twin.step
    per_day = int(DAY // step)
    first = start - int(twin.scenario.history_days * per_day) * step
    n = len(series_ids)
    for day_start in np.arange(first, start, per_day * step):
        ts = day_start + step * np.arange(min(per_day, int((start - day_start) // step)))
        values = (twin.table.sample_many(ts) if all(f.onset >= start for f in twin.faults)
                  else np.stack([twin.sample(float(t)) for t in ts]))  # a fault already under way
        pipeline.ingest.append_columns(np.tile(series_ids, len(ts)), np.repeat(ts, n), values.ravel())


async def _loop(twin: Twin, pipeline: Pipeline, series_ids: np.ndarray, feed: _Feed, desk: ManagedDesk,
                end: float, progress: Progress | None, every_result: bool) -> None:
    start, step = twin.scenario.start, twin.step
    ticks = int((end - start) // step)
    forecast_ticks = max(1, int(FORECAST_EVERY // step))
    report_every = max(1, ticks // 200)
    bus = pipeline.bus
    for k in range(1, ticks + 1):
        t, values = twin.sample_tick(k)
        pipeline.clock.advance(t - pipeline.clock.now())
        batch = pipeline.ingest.append_columns(series_ids, np.full(len(series_ids), t), values)
        await bus.publish(SAMPLES, batch)
        results = twin.check_results(t, values, every_result)
        if results:  # one record per tick: the store and alerting stages take it in one transaction each
            await bus.publish(CHECK_RESULTS, results)
        lines = twin.log_lines(t)
        if lines:
            await bus.publish(LOGS, lines)
        if k % forecast_ticks == 0:
            if k % (24 * forecast_ticks) == 0:
                # Rollup and retention once a simulated day: reads cover the part not rolled up yet
                # from raw samples, and with the forecasts' reads now rare, rolling up every hour cost
                # more (each one re-joins the raw columns) than it saved.
                pipeline.store.apply_retention(t)
            await pipeline.run_forecasts()
        await bus.drain()
        if feed.changed:
            _read_incidents(pipeline, twin, feed, desk)
        desk.tick(t)
        if progress is not None and (k % report_every == 0 or k == ticks):
            progress(k, ticks)


def _read_incidents(pipeline: Pipeline, twin: Twin, feed: _Feed, desk: ManagedDesk) -> None:
    """Hand the desk every incident that opened or gained signals since the last look."""
    names = {v: k for k, v in twin.asset_ids.items()}
    changed = sorted(feed.changed)
    feed.changed.clear()
    with pipeline.db.session() as session:
        for incident_id in changed:
            detail = get_incident(session, SYSTEM, incident_id)
            merged = detail.merged_into is not None
            if detail.tenant_id != twin.tenant_id or not desk.wants(detail.id, detail.signal_count, merged):
                continue
            signal_assets = [s.asset_id for s in signal_rows(session, detail.signal_ids)]
            ordered = [a for a in (detail.root_cause_asset_id, detail.asset_id, *signal_assets) if a]
            assets = tuple(dict.fromkeys(names[a] for a in ordered if a in names))
            desk.incident_changed(IncidentView(detail.id, detail.opened_at, detail.severity, detail.proactive,
                                               assets, detail.signal_count, merged), pipeline.clock.now())
