"""The running embedded platform: database, series store, bus, stages, scheduler and host agent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from forewarn.alerting import (
    ANOMALY_STATE_FILE_NAME,
    AnomalySignals,
    AnomalyStateFile,
    ForecastSignals,
    LogSignals,
    SensitivityLookup,
    all_levels,
)
from forewarn.auth import Principal
from forewarn.bus import CHECK_RESULTS, INCIDENT_CHANGES, METRICS, RUNBOOK_RUNS, SIGNALS, InProcessBus
from forewarn.core.clock import Clock, SystemClock
from forewarn.core.records import MetricBatch
from forewarn.db import Database
from forewarn.incidents import sla_tick
from forewarn.monitoring import (
    CheckScheduler,
    DuckDBSeriesStore,
    HostSampler,
    IngestService,
    SeriesRegistry,
    SeriesStore,
    enabled_definitions,
    series_limits,
)
from forewarn.notify import Deliverer, TickReport
from forewarn.notify import tick as escalation_tick
from forewarn.remediation import (
    RemediationConfig,
    execute,
    fail_interrupted,
    load_runbook_files,
    pending_run_ids,
)
from forewarn.runtime.bootstrap import Bootstrap, bootstrap
from forewarn.runtime.keys import persistent_key
from forewarn.runtime.stages import run_inline, wire_stages
from forewarn.runtime.syslog_feed import SyslogFeed
from forewarn.settings import Settings

log = logging.getLogger(__name__)
CHECK_RELOAD_SECONDS = 15.0
MAINTENANCE_SECONDS = 300.0  # rollups every 5 minutes keep long-range charts cheap
SLA_TICK_SECONDS = 30.0  # SLA warnings and breaches land at most this late
ESCALATION_SECONDS = 10.0  # how late at most an escalation step runs after it is due
ANOMALY_SAVE_SECONDS = 900.0  # wall seconds between saves of what the anomaly detector learned (a crash loses this)


class Platform:
    def __init__(self, settings: Settings, clock: Clock | None = None, store: SeriesStore | None = None,
                 inline_stages: bool = False) -> None:
        """`inline_stages` runs the stages' and forecast rounds' work on the event loop instead of worker
        threads: for a simulation, which awaits each step anyway (no thread hop, no contention for the GIL)."""
        self.settings = settings
        self.clock = clock or SystemClock()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.effective_database_url)
        self.boot: Bootstrap = bootstrap(self.db, settings.admin_user, settings.admin_password)
        self.store = store or DuckDBSeriesStore(settings.series_path)
        self.registry = SeriesRegistry(self.db)
        self.ingest = IngestService(self.db, self.store, self.registry)
        self.bus = InProcessBus()
        self.sensitivity = SensitivityLookup(self._sensitivity_levels)
        self.anomalies = AnomalySignals(self.registry.describe, self.sensitivity.threshold_for)
        # Kept across restarts: a fresh detector would relearn every profile and page no series for a day.
        self.anomaly_state = AnomalyStateFile(settings.data_dir / ANOMALY_STATE_FILE_NAME)
        self.anomaly_state.load(self.anomalies)
        self.forecasts = ForecastSignals(self.store, self.registry.describe)
        self.logs = LogSignals()
        self._offload = run_inline if inline_stages else asyncio.to_thread
        wire_stages(self.bus, self.db, self.ingest, self.anomalies, self.logs, self.forecasts, clock=self.clock,
                    offload=self._offload)
        self.scheduler = CheckScheduler(self._definitions, self._publish_result,
                                        concurrency=settings.scheduler_concurrency,
                                        jitter=settings.scheduler_jitter, clock=self.clock)
        self.remediation = RemediationConfig(
            secret_key=persistent_key(settings, "remediation_key", settings.remediation_key), clock=self.clock)
        self.bus.subscribe(RUNBOOK_RUNS, "remediation", self._execute_run)
        self.deliverer = Deliverer(self.db, settings.public_url, clock=self.clock)
        self._stop_delivery = asyncio.Event()
        self.syslog: SyslogFeed | None = None
        if settings.syslog_port is not None:
            self.syslog = SyslogFeed(self.db, self.bus, self.clock, settings.syslog_host, settings.syslog_port)
        # Tenants whose checks a simulated twin answers (the demo): the scheduler never runs them for real.
        self.simulated_tenants: set[str] = set()
        self.background: list[tuple[str, Callable[[], Awaitable[None]]]] = []  # extra tasks start() runs
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reload_now: asyncio.Event | None = None

    async def _execute_run(self, run_id: str) -> None:
        await execute(self.db, run_id, self.remediation)

    def _recover_runs(self) -> list[str]:
        """Load runbook files; runs cut off by a crash fail (never re-run blindly); pending ones go on."""
        now = self.clock.now()
        with self.db.session() as session:
            if self.settings.runbooks_dir:
                load_runbook_files(session, Principal.system(), sorted(self.settings.runbooks_dir.glob("*.yaml")),
                                   now)
            fail_interrupted(session, older_than=3600)
            return pending_run_ids(session)

    def _sensitivity_levels(self) -> list:
        with self.db.session() as session:
            return all_levels(session)

    async def _definitions(self) -> list:
        def load() -> list:
            with self.db.session() as session:
                return [d for d in enabled_definitions(session) if d.tenant_id not in self.simulated_tenants]

        return await asyncio.to_thread(load)

    async def _publish_result(self, result) -> None:  # noqa: ANN001
        await self.bus.publish(CHECK_RESULTS, result)

    async def start(self, checks: bool = True, agent: bool = True) -> None:
        self._loop = asyncio.get_running_loop()
        self._reload_now = asyncio.Event()
        await self.bus.start()
        for run_id in await asyncio.to_thread(self._recover_runs):
            await self.bus.publish(RUNBOOK_RUNS, run_id)
        if checks:
            await self.scheduler.reload()
            self._tasks.append(asyncio.create_task(self._reload_loop(), name="check-reload"))
        self._tasks.append(asyncio.create_task(self._maintenance_loop(), name="series-maintenance"))
        self._tasks.append(asyncio.create_task(self._forecast_loop(), name="forecasts"))
        self._tasks.append(asyncio.create_task(self._sla_loop(), name="sla"))
        self._tasks.append(asyncio.create_task(self._anomaly_save_loop(), name="anomaly-state"))
        if self.settings.notify_enabled:
            self._stop_delivery = asyncio.Event()
            self._tasks.append(asyncio.create_task(self.deliverer.run(self._stop_delivery), name="notify"))
            self._tasks.append(asyncio.create_task(self._escalation_loop(), name="escalation"))
        if agent and self.settings.agent_enabled:
            self._tasks.append(asyncio.create_task(self._agent_loop(), name="host-agent"))
        if self.syslog is not None:
            await self.syslog.start()
        for name, task in self.background:
            self._tasks.append(asyncio.create_task(task(), name=name))

    def escalate(self) -> TickReport:
        """One escalation tick at the platform clock's time: start, stop and advance escalations."""
        with self.db.session() as session:
            return escalation_tick(session, self.clock.now())

    async def _escalation_loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.escalate)
            except Exception:  # retried next round; due steps stay due
                log.exception("escalation tick failed")
            await asyncio.sleep(ESCALATION_SECONDS)

    async def _reload_loop(self) -> None:
        # Changes made here reload at once; those made by the CLI in another process within the period.
        assert self._reload_now is not None
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._reload_now.wait(), CHECK_RELOAD_SECONDS)
            self._reload_now.clear()
            try:
                await self.scheduler.reload()
            except Exception:
                log.exception("reloading checks failed")

    async def _maintenance_loop(self) -> None:
        while True:
            await asyncio.sleep(MAINTENANCE_SECONDS)
            try:
                now = self.clock.now()
                await asyncio.to_thread(self.store.rollup, now)
                await asyncio.to_thread(self.store.apply_retention, now)
                await asyncio.to_thread(self.store.compact, now)  # closed days into the compressed layout
            except Exception:  # retried next round; samples stay stored meanwhile
                log.exception("series rollup/retention failed")

    async def _forecast_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.forecast_interval)
            try:
                await self.run_forecasts()
            except Exception:  # retried next round
                log.exception("forecast round failed")

    async def _sla_loop(self) -> None:
        while True:
            await asyncio.sleep(SLA_TICK_SECONDS)
            try:
                await self.run_sla_tick()
            except Exception:  # retried next round; the tick is idempotent
                log.exception("SLA tick failed")

    async def _anomaly_save_loop(self) -> None:
        while True:
            await asyncio.sleep(ANOMALY_SAVE_SECONDS)
            await self.save_anomaly_state()

    async def save_anomaly_state(self) -> None:
        """Write what the anomaly detector learned to the data directory (in a thread: tens of MB at 10k series)."""
        try:
            series = await asyncio.to_thread(self.anomaly_state.save, self.anomalies)
            log.debug("anomaly state of %d series saved to %s", series, self.anomaly_state.path)
        except OSError:  # disk full, directory gone: the state stays in memory and the next save tries again
            log.exception("saving the anomaly state to %s failed", self.anomaly_state.path)

    async def run_sla_tick(self) -> list[str]:
        """Priorities, SLA warnings and breaches at the platform clock's now; announces what changed."""
        def tick() -> list[str]:
            with self.db.session() as session:
                return sla_tick(session, self.clock.now())

        touched = await asyncio.to_thread(tick)
        for incident_id in touched:  # only after the tick committed (STYLE habit 8)
            await self.bus.publish(INCIDENT_CHANGES, {"incident_id": incident_id, "action": "sla"})
        return touched

    async def run_forecasts(self) -> int:
        """Forecast every series with a limit now; publish raise/withdraw signals. Returns their count."""
        def forecast() -> list:
            with self.db.session() as session:
                limits = series_limits(session)
            return self.forecasts.run(limits, self.clock.now())

        signals = await self._offload(forecast)
        for signal in signals:
            await self.bus.publish(SIGNALS, signal)
        return len(signals)

    def publish_from_thread(self, topic: str, record: object) -> None:
        """Publish from a worker thread (an API handler); waits until the bus accepted the record."""
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.bus.publish(topic, record), self._loop).result(timeout=60)

    def checks_changed(self) -> None:
        """Thread-safe: ask the scheduler to pick up changed checks now."""
        if self._loop is not None and self._reload_now is not None:
            self._loop.call_soon_threadsafe(self._reload_now.set)

    async def _agent_loop(self) -> None:
        sampler = HostSampler()
        asset_id, tenant_id = self.boot.local_asset_id, self.boot.internal_tenant_id
        while True:
            try:
                points = await asyncio.to_thread(sampler.sample)
                await self.bus.publish(METRICS, MetricBatch(tenant_id, asset_id, self.clock.now(), points))
            except Exception:  # a sampling hiccup must not stop local monitoring
                log.exception("host agent sample failed")
            await asyncio.sleep(self.settings.agent_interval)

    async def reload_checks(self) -> None:
        await self.scheduler.reload()

    async def stop(self) -> None:
        self._stop_delivery.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.scheduler.stop()
        if self.syslog is not None:
            await self.syslog.stop()  # delivers what it queued before the bus stops
        await self.bus.stop()
        # After the bus drained its last batches. Only a started platform (a service) saves: a simulation
        # drives one without start() in a directory deleted after the run.
        if self._loop is not None:
            await self.save_anomaly_state()
        await self.deliverer.aclose()
        self.store.close()
        self.db.dispose()
