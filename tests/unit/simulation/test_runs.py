"""Whole runs on the real pipeline: reproducible by seed, break-fix blind to forewarn, managed needing the detectors."""

from __future__ import annotations

import inspect

import pytest
from threadpoolctl import threadpool_info

from forewarn.alerting import AnomalySignals, ForecastSignals
from forewarn.simulation import break_fix, run_simulation

from .conftest import scenario

# Faults only forewarn's analysis sees coming: no threshold watches memory or the disk of srv1, so a
# forecast (built-in limit 100 %) is the only early warning; a runaway CPU shows as an anomaly first.
FAULTS = [
    {"kind": "memory_leak", "asset": "srv1", "fails": "app", "at": "2h", "params": {"days": 0.8}},
    {"kind": "disk_fill", "asset": "srv1", "at": "1d", "params": {"days": 0.6}},
]


async def run(make_platform, sc, days: float = 2.0):
    return await run_simulation(sc, make_platform(sc), days=days)


async def test_the_same_seed_gives_the_same_result_and_another_seed_another(make_platform):
    faults = [{"kind": "db_pool_exhaustion", "asset": "db", "at": "3h", "params": {"hours": 3}},
              {"kind": "brute_force", "asset": "vpn", "at": "8h", "params": {"lockout_minutes": 40}}]
    first = (await run(make_platform, scenario(faults, seed=3), days=0.6)).as_json()
    again = (await run(make_platform, scenario(faults, seed=3), days=0.6)).as_json()
    other = (await run(make_platform, scenario(faults, seed=4), days=0.6)).as_json()
    assert first == again
    assert first != other


async def test_stages_inline_on_the_event_loop_give_the_result_of_worker_threads(make_platform):
    # `forewarn simulate` runs the stages inline (no thread hops); the outcome must not depend on it.
    faults = [*FAULTS, {"kind": "cpu_runaway", "asset": "srv1", "fails": "app", "at": "5h",
                        "params": {"impact_minutes": 60}},
              {"kind": "brute_force", "asset": "vpn", "at": "8h", "params": {"lockout_minutes": 40}}]
    sc = scenario(faults, seed=3)
    threaded = (await run_simulation(sc, make_platform(sc), days=1.5)).as_json()
    inline = (await run_simulation(sc, make_platform(sc, inline_stages=True), days=1.5)).as_json()
    assert inline == threaded
    assert threaded["managed"]["proactive_incidents"] >= 1  # a run where the pipeline had work to do


async def test_the_loop_runs_with_one_blas_thread_and_gives_the_setting_back(make_platform):
    def blas_threads() -> set[int]:
        return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}

    before = blas_threads()
    seen: list[set[int]] = []
    sc = scenario(FAULTS, seed=3)
    await run_simulation(sc, make_platform(sc), days=0.05, progress=lambda k, n: seen.append(blas_threads()))
    assert seen and all(s == {1} for s in seen)
    assert blas_threads() == before


def test_break_fix_sees_only_the_ground_truth():
    # Its inputs are the faults' ground truth, the topology and its rates: no pipeline, signal or incident.
    assert list(inspect.signature(break_fix).parameters) == ["truths", "topology", "rates", "delays", "end", "seed"]


async def test_managed_prevents_what_forewarn_forecasts_and_break_fix_suffers_it(make_platform):
    result = await run(make_platform, scenario(FAULTS))
    bf, mg = result.break_fix, result.managed
    assert bf.outages == 2 and bf.proactive_incidents == 0 and bf.downtime_minutes > 0
    assert mg.proactive_incidents >= 1 and mg.outages < bf.outages
    assert mg.median_lead_time_minutes is not None and mg.median_lead_time_minutes > 0
    assert mg.downtime_minutes < bf.downtime_minutes
    caught = [f for f in mg.faults if f.prevented]
    assert caught and all(f.via == "incident" and f.detected_at < f.failure_at for f in caught)


async def test_a_broken_detector_makes_the_managed_result_worse(make_platform, monkeypatch):
    working = await run(make_platform, scenario(FAULTS))
    monkeypatch.setattr(ForecastSignals, "run", lambda self, limits, now: [])
    monkeypatch.setattr(AnomalySignals, "process", lambda self, batch: [])
    broken = await run(make_platform, scenario(FAULTS))
    assert broken.managed.proactive_incidents < working.managed.proactive_incidents
    assert broken.managed.outages > working.managed.outages
    assert broken.managed.downtime_minutes > working.managed.downtime_minutes
    # Break-fix never used the detectors: the same result either way.
    assert broken.break_fix.as_json() == working.break_fix.as_json()


async def test_every_fault_kind_reaches_the_pipeline_as_an_incident(make_platform):
    faults = [
        {"kind": "cert_expiry", "asset": "cert", "fails": "site", "at": "0h", "params": {"days_left": 7.5}},
        {"kind": "failing_disk", "asset": "srv1", "at": "1h", "params": {"days": 1.2}},
        {"kind": "backup_failing", "asset": "backup", "at": "3h", "params": {"restore_after_days": 3}},
        {"kind": "link_down", "asset": "sw1", "at": "1d 20h", "params": {"precursor_hours": 1}},
        {"kind": "cpu_runaway", "asset": "srv1", "fails": "app", "at": "5h", "params": {"impact_minutes": 60}},
        {"kind": "dns_misconfig", "asset": "dns", "at": "9h", "params": {"ttl_minutes": 60}},
        {"kind": "db_pool_exhaustion", "asset": "db", "at": "12h", "params": {"hours": 3}},
        {"kind": "brute_force", "asset": "vpn", "at": "16h", "params": {"lockout_minutes": 60}},
        {"kind": "memory_leak", "asset": "srv1", "fails": "app", "at": "20h", "params": {"days": 0.5}},
        {"kind": "disk_fill", "asset": "srv1", "at": "1d 6h", "params": {"days": 0.4, "mode": "bursty"}},
    ]
    result = await run(make_platform, scenario(faults))
    missed = [f.kind for f in result.managed.faults if f.via != "incident"]
    assert missed == [], f"faults no incident led to: {missed}"


@pytest.mark.parametrize("path", ["dental-practice", "accounting-firm", "msp-datacentre"])
def test_shipped_scenarios_load_and_build(path):
    from pathlib import Path

    from forewarn.simulation import Twin, load_scenario

    root = Path(__file__).resolve().parents[3] / "examples" / "scenarios"
    twin = Twin(load_scenario(root / f"{path}.yaml"))
    kinds = {f.kind for f in twin.faults}
    assert len(twin.topology.names) >= 15 and len(kinds) == 10 and twin.topology.user_facing
