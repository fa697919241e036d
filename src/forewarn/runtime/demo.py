"""Demo mode: plays the dental-practice twin live into the running platform as tenant "Demo Dental".

Time mapping (the choice `forewarn up --demo` makes): every record is stamped with the real moment it is
made, so charts, incident times and the detectors' windows all read as wall-clock time. Two clocks run
from the same origin t0 (the moment the demo started):

- the *workload* (daily and weekly patterns, noise, nightly backup resets) is evaluated at real time, so
  the charts show a realistic working day and the forecaster's daily model fits;
- the *faults* and the desk that repairs them run on accelerated time, sim = t0 + (wall - t0) × speed,
  so at 60× a six-hour disk fill takes six real minutes and an incident opens and resolves within minutes.

The twin advances in its scenario steps (60 simulated seconds, i.e. one real second at 60×); the k-th step
is stamped t0 + k·step/speed; samples go out every SAMPLE_SECONDS of real time. A demo fault schedule (DEMO_FAULTS, one cycle of CYCLE simulated seconds)
replaces the scenario's month-long timeline and repeats with fresh random draws every cycle; a new cycle waits
(up to CYCLE_WAIT) until the last one's incidents are resolved, so its first fault never joins one of them.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
import math
from pathlib import Path

import numpy as np

from forewarn.alerting import signal_rows
from forewarn.auth import Principal, Role
from forewarn.bus import CHECK_RESULTS, INCIDENT_CHANGES, LOGS, SAMPLES
from forewarn.incidents import IncidentAction, act, get_incident, list_incidents
from forewarn.inventory import list_assets
from forewarn.monitoring import apply_environment, enabled_definitions
from forewarn.runtime.platform import Platform
from forewarn.simulation import (
    FAULT_MODELS,
    FaultModel,
    IncidentView,
    ManagedDesk,
    Scenario,
    Twin,
    load_scenario,
)

log = logging.getLogger(__name__)
SYSTEM = Principal.system()
TECHNICIAN = Principal(user_id=None, username="demo technician", role=Role.ADMIN)
DEMO_TENANT = {"slug": "demo-dental", "name": "Demo Dental"}
DEFAULT_SCENARIO = Path(__file__).resolve().parents[3] / "examples" / "scenarios" / "dental-practice.yaml"
HOUR = 3600.0
# Simulated seconds per round of the demo faults (24 real minutes at 60×). The faults sit a few real minutes
# apart: the correlation window is in real seconds, so closer ones would merge into one incident.
CYCLE = 24 * HOUR
# The last fault (sw1's link at 20 h) was repaired 4 h later in the live run, and its incident resolved at 25.3 h
# (an hourly check was the last to recover): the next round's DNS fault at 24 h 10 m joined it.
CYCLE_WAIT = 6 * HOUR
# Samples every 10 real seconds, as the host agent does: denser ones would only multiply the detectors'
# chance surprises per real minute (the check results still follow the twin's every step).
SAMPLE_SECONDS = 10.0
FORECAST_EVERY = 1800.0  # simulated seconds between the demo's own forecast rounds (30 real s at 60×)
USER_CALL_MINUTES = 20.0  # simulated minutes from a failure users notice to their call to the desk
# Anomaly and log signals resolve only after 15 and 30 quiet *real* minutes (the detectors' windows), which at
# 60x are 15 and 30 simulated hours: a chance surprise held its incident open across the next faults, and
# they joined it (seen live: a ws-08 memory "unusual" took in the sw1 link-down and the next round's DNS
# fault). The demo technician closes an incident whose only firing signals are of these kinds once nothing
# has happened in it for QUIET_MINUTES of simulated time, as the same windows in a simulation would.
QUIET_KINDS = frozenset({"anomaly", "log"})
QUIET_MINUTES = 30.0
SWEEP_EVERY = 300.0  # simulated seconds between the technician's looks for such incidents
# Offsets in simulated time from the start of a cycle; the first incident opens within a real minute at 60×.
DEMO_FAULTS: list[dict] = [
    {"kind": "dns_misconfig", "asset": "office-dns", "at": "10m", "params": {"ttl_minutes": 45}},
    {"kind": "disk_fill", "asset": "srv1", "fails": "srv1", "at": "1h30m", "params": {"days": 0.1}},
    {"kind": "cpu_runaway", "asset": "srv1", "fails": "pms-app", "at": "6h", "params": {"impact_minutes": 60}},
    {"kind": "db_pool_exhaustion", "asset": "pms-db", "at": "9h", "params": {"hours": 1.5, "pool_size": 100}},
    {"kind": "brute_force", "asset": "vpn", "at": "13h", "params": {"rate_per_min": 120, "lockout_minutes": 40}},
    {"kind": "memory_leak", "asset": "srv1", "fails": "pms-app", "at": "16h", "params": {"days": 0.1}},
    {"kind": "link_down", "asset": "sw1", "at": "20h", "params": {"precursor_hours": 0.5}},
]


# One slow problem that runs at real pace, so a forecast is there from the first round: the demo's faults are
# accelerated (a six-hour disk fill takes six real minutes), too quick to be a trend on a real-time chart, so
# without this a newcomer never saw one. nas1 has filled for the backfilled week and crosses its 95 % limit
# about 2.5 real days after the start, inside the forecaster's three-day horizon.
REAL_PACE_TREND = {"assets": ["nas1"], "metric": "disk_used_percent", "base": 80.0, "growth_per_day": 6.0}


def demo_scenario(base: Scenario, start: float) -> Scenario:
    """The scenario re-labelled as Demo Dental, starting at `start`, with the demo fault schedule.

    Countdowns in days (a certificate's expiry) become flat: the workload runs at real pace, so they would
    not move, but a forecaster would still see one tenth of a unit per hour and call it a trend. The
    REAL_PACE_TREND workload fills its disk at real pace instead (levels count from `start`).
    """
    data = base.model_dump()
    env = copy.deepcopy(base.environment)
    env["tenant"] = dict(DEMO_TENANT)
    for w in data["workloads"]:
        if w.get("countdown_days") is not None:
            w["base"], w["countdown_days"] = float(w["countdown_days"]), None
        if w["assets"] == REAL_PACE_TREND["assets"] and w["metric"] == REAL_PACE_TREND["metric"]:
            w.update(REAL_PACE_TREND)
    data.update(environment=env, faults=DEMO_FAULTS, start=start, name=f"{base.name} (demo)")
    return Scenario.model_validate(data)


class DemoFeeder:
    """Feeds one twin into a running platform: samples, check results, logs and a desk repairing faults."""

    def __init__(self, platform: Platform, scenario: Scenario, speed: float = 60.0) -> None:
        if speed <= 0:
            raise ValueError(f"demo speed must be positive, got {speed}")
        self.platform = platform
        self.speed = speed
        self.t0 = platform.clock.now()
        self.scenario = demo_scenario(scenario, self.t0)
        self.twin = Twin(self.scenario)
        self.step = self.scenario.step_seconds
        self.sample_steps = max(1, round(SAMPLE_SECONDS * speed / self.step))
        self.tenant_id = ""
        self.series_ids = np.zeros(0, dtype=np.int64)
        self.steps_done = 0
        self.cycle = 0
        self.cycle_start = self.t0  # simulated time the current round of faults counts from
        self.incidents_open = False  # as of the technician's last look (every SWEEP_EVERY)
        self.desk = self._desk()
        self._changed: set[str] = set()

    @classmethod
    def from_file(cls, platform: Platform, path: Path | None = None, speed: float = 60.0) -> DemoFeeder:
        return cls(platform, load_scenario(path or DEFAULT_SCENARIO), speed)

    def sim(self, wall: float) -> float:
        return self.t0 + (wall - self.t0) * self.speed

    def wall(self, sim: float) -> float:
        return self.t0 + (sim - self.t0) / self.speed

    def install(self) -> str:
        """Apply the inventory (idempotent), bind the twin, backfill history; start with the platform."""
        self.tenant_id = self._setup()
        self.platform.simulated_tenants.add(self.tenant_id)
        self._backfill()
        self.platform.bus.subscribe(INCIDENT_CHANGES, "demo", self._incident_changed)
        self.platform.background.append(("demo-feeder", self.run))
        return self.tenant_id

    def _setup(self) -> str:
        db = self.platform.db
        with db.session() as session:
            apply_environment(session, SYSTEM, self.scenario.environment_yaml(), "demo (Demo Dental)")
        with db.session() as session:
            assets, _ = list_assets(session, SYSTEM, tenant=DEMO_TENANT["slug"], limit=100_000)
            tenant_id = assets[0].tenant_id
            checks = [d for d in enabled_definitions(session) if d.tenant_id == tenant_id]
        self.twin.bind(tenant_id, {a.name: a.id for a in assets}, checks)
        check_ids = {(d.asset_name, d.name): d.id for d in checks}
        groups: dict[tuple[str, str | None], list[int]] = {}
        for i, spec in enumerate(self.twin.table.specs):
            groups.setdefault((spec.asset, spec.check if (spec.asset, spec.check) in check_ids else None),
                              []).append(i)
        ids = np.zeros(len(self.twin.table), dtype=np.int64)
        for (asset, check), rows in groups.items():
            specs = [self.twin.table.specs[i] for i in rows]
            ids[rows] = self.platform.ingest.registry.resolve(
                tenant_id, self.twin.asset_ids[asset], [(s.metric, "", s.unit) for s in specs],
                check_ids.get((asset, check)) if check else None)
        self.series_ids = ids
        return tenant_id

    def _backfill(self) -> None:
        """Normal history before t0 at one sample per step, only where the store has none yet (a restart)."""
        newest, _ = self.platform.store.latest(self.series_ids)
        first = self.t0 - self.scenario.history_days * 86_400.0
        if np.isfinite(newest).any():
            first = max(first, float(np.nanmax(newest)) + self.step)
        ts = np.arange(first, self.t0, self.step)
        n = len(self.series_ids)
        for chunk in np.array_split(ts, max(1, len(ts) // 1440)):
            if len(chunk):
                values = np.stack([self.twin.table.sample(float(t)) for t in chunk])
                self.platform.ingest.append_columns(np.tile(self.series_ids, len(chunk)), np.repeat(chunk, n),
                                                    values.ravel())

    def _desk(self) -> ManagedDesk:
        return ManagedDesk(self.twin.faults, self.twin.topology, self.scenario.managed,
                           {f.id: USER_CALL_MINUTES for f in self.twin.faults}, self.scenario.seed + self.cycle)

    def cycle_due(self, sim_t: float) -> bool:
        """Whether the next round starts at sim_t: a cycle on, once the last round's incidents are resolved."""
        end = self.cycle_start + CYCLE
        return sim_t >= end + CYCLE_WAIT or (sim_t >= end and not self.incidents_open)

    def _new_cycle(self, start: float) -> None:
        """Fresh fault draws for the next round; whatever the last round left broken is repaired now."""
        self.cycle += 1
        self.cycle_start = start
        self.twin.faults = [self._fault(n, spec, start) for n, spec in enumerate(self.scenario.faults)]
        self.desk = self._desk()

    def _fault(self, n: int, spec, start: float) -> FaultModel:  # noqa: ANN001
        rng = np.random.default_rng([self.scenario.seed, 101, self.cycle, n])
        return FAULT_MODELS[spec.kind](n, spec, start, self.twin.table, rng)

    async def _incident_changed(self, change: dict) -> None:
        self._changed.add(change["incident_id"])

    async def run(self) -> None:
        """Advance to the present every step/speed seconds of the platform clock, until cancelled."""
        clock = self.platform.clock
        tick = self.step / self.speed
        next_forecast = self.t0 + FORECAST_EVERY
        next_sweep = self.t0 + SWEEP_EVERY
        while True:
            target = self.sim(clock.now())
            try:
                while self.t0 + (self.steps_done + 1) * self.step <= target:
                    self.steps_done += 1
                    sim_t = self.t0 + self.steps_done * self.step
                    if self.cycle_due(sim_t):
                        self._new_cycle(sim_t)
                    await self._step(sim_t)
                    if sim_t >= next_forecast:
                        next_forecast += FORECAST_EVERY
                        await self.platform.run_forecasts()
                await self.platform.bus.drain()
                if self._changed:
                    await asyncio.to_thread(self._read_incidents)
                self.desk.tick(self.sim(clock.now()))
                if self.sim(clock.now()) >= next_sweep:
                    next_sweep += SWEEP_EVERY
                    closed, self.incidents_open = await asyncio.to_thread(self._close_quiet)
                    for incident_id in closed:
                        await self.platform.bus.publish(INCIDENT_CHANGES, {"incident_id": incident_id,
                                                                           "action": "resolve"})
            except Exception:  # a bad step must not end the demo; the next tick goes on
                log.exception("demo step failed at simulated %s", self.steps_done)
            await clock.sleep(tick)

    async def _step(self, sim_t: float) -> None:
        wall = self.wall(sim_t)
        values = self.twin.table.sample(wall)
        for fault in self.twin.faults:
            if fault.started(sim_t):
                fault.apply(sim_t, values)
        bus, n = self.platform.bus, len(self.series_ids)
        if self.steps_done % self.sample_steps == 0:
            # Whole seconds, rounded down: the store keeps seconds and rounds to the nearest, which would
            # otherwise stamp a sample taken at :16.6 a moment in the future.
            stamp = np.full(n, math.floor(wall), dtype=np.float64)
            await bus.publish(SAMPLES, self.platform.ingest.append_columns(self.series_ids, stamp, values))
        for result in self.twin.check_results(sim_t, values):
            await bus.publish(CHECK_RESULTS, dataclasses.replace(result, ts=wall))
        lines = self.twin.log_lines(sim_t)
        if lines:
            await bus.publish(LOGS, [dataclasses.replace(line, ts=wall) for line in lines])

    def _read_incidents(self) -> None:
        """Hand the desk the Demo Dental incidents that opened or grew (times mapped to simulated time)."""
        names = {v: k for k, v in self.twin.asset_ids.items()}
        changed = sorted(self._changed)
        self._changed.clear()
        now = self.sim(self.platform.clock.now())
        with self.platform.db.session() as session:
            for incident_id in changed:
                d = get_incident(session, SYSTEM, incident_id)
                if d.tenant_id != self.tenant_id or d.resolved_at is not None or \
                        not self.desk.wants(d.id, d.signal_count):
                    continue
                signal_assets = [s.asset_id for s in signal_rows(session, d.signal_ids)]
                ordered = [a for a in (d.root_cause_asset_id, d.asset_id, *signal_assets) if a]
                assets = tuple(dict.fromkeys(names[a] for a in ordered if a in names))
                view = IncidentView(d.id, self.sim(d.opened_at), d.severity, d.proactive, assets, d.signal_count)
                self.desk.incident_changed(view, now)

    def _close_quiet(self) -> tuple[list[str], bool]:
        """Resolve the open Demo Dental incidents held open only by quiet anomaly and log signals; returns
        their ids and whether an incident the next round must wait for is still open (a forecast-only one,
        REAL_PACE_TREND's days-away disk, is no round's and would hold every round back CYCLE_WAIT)."""
        now = self.platform.clock.now()
        quiet_since = now - QUIET_MINUTES * 60.0 / self.speed
        closed: list[str] = []
        waiting = 0
        with self.platform.db.session() as session:
            incidents = list_incidents(session, SYSTEM, tenant=self.tenant_id, open_only=True, limit=1000)[0]
            for incident in incidents:
                signals = signal_rows(session, get_incident(session, SYSTEM, incident.id).signal_ids)
                firing = [s for s in signals if s.state == "firing"]
                if not firing or any(s.kind not in QUIET_KINDS for s in firing) or \
                        max(s.last_seen for s in signals) > quiet_since:
                    waiting += not firing or any(s.kind != "forecast" for s in firing)
                    continue
                kinds = " and ".join(sorted({s.kind for s in firing}))
                act(session, TECHNICIAN, incident.id, IncidentAction(
                    action="resolve", message=f"nothing failing and no new {kinds} signal for "
                                              f"{QUIET_MINUTES:g} simulated minutes; closed by the demo"), now)
                closed.append(incident.id)
        return closed, waiting > 0
