"""Where a simulation's time goes: runs a scenario for some days and prints seconds per pipeline stage.

    .venv/bin/python benchmarks/simulation.py examples/scenarios/dental-practice.yaml 2
    .venv/bin/python benchmarks/simulation.py --compare 30   # the three shipped scenarios: tables and times

Wall seconds and CPU seconds of this process are both printed: on a shared machine the CPU figure
is the fairer one (the goal is 30 days of the 300-asset scenario in 60 s on one core).

Measured 2026-12-07 on main e7a7d44, 30 days, against the same tree with the speed commits
0511f79..e7a7d44 reverted, each pair run side by side on the 2-core box (CPU s / wall s):
msp 210.7 / 180.3 -> 115.5 / 151.2, dental 70.5 / 90.8 -> 37.6 / 38.4, accounting 121.2 / 104.3
-> 43.9 / 44.6. Left in msp: the forecaster's fits (43.7 s, 9,548 of them at 4.6 ms), the anomaly
stage (25.8 s, 0.6 ms a tick for 593 series), the store (rollups 4.7, reads 4.2, appends 2.9), the
hourly grid (3.8) and the twin (6.2).
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

import forewarn.alerting.forecast_stage as forecast_stage
import forewarn.runtime.stages as stages
import forewarn.simulation.runner as runner
from forewarn.core.clock import FakeClock
from forewarn.runtime import Platform
from forewarn.simulation import load_scenario, run_simulation, simulation_store
from forewarn.testing.platform import make_settings

SPENT: collections.Counter = collections.Counter()
CPU: collections.Counter = collections.Counter()  # CPU seconds of the calling thread (stages run in workers)
CALLS: collections.Counter = collections.Counter()
# Counted inside the forecast rounds; the collector runs inside whatever allocates.
NESTED = {"forecaster (in forecast stage)", "store reads (read_many)", "(garbage collection)", "forecast stage"}


def timed(name: str, f):  # noqa: ANN001, ANN201 - wraps anything
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return f(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - t0
            CPU[name] += time.thread_time() - c0
            CALLS[name] += 1
    return wrapper


def _gc_timer(phase: str, info: dict) -> None:
    """Counts the CPU seconds the cyclic garbage collector takes (part of "rest of the process")."""
    if phase == "start":
        _gc_timer.started = time.process_time()  # type: ignore[attr-defined]
    else:
        CPU["(garbage collection)"] += time.process_time() - _gc_timer.started  # type: ignore[attr-defined]
        CALLS["(garbage collection)"] += 1
        SPENT["(garbage collection)"] += 0.0


def timed_async(name: str, f):  # noqa: ANN001, ANN201 - wraps a coroutine function
    async def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return await f(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - t0
            CPU[name] += time.thread_time() - c0
            CALLS[name] += 1
    return wrapper


SCENARIOS = ("dental-practice", "accounting-firm", "msp-datacentre")
ROWS = ("outages", "downtime_minutes", "proactive_incidents", "median_lead_time_minutes", "mttd_minutes",
        "mttr_minutes", "technician_hours", "data_loss_events", "cost")


async def run(path: Path, days: float) -> tuple[dict, float, float]:
    """One timed run: (the result as JSON, wall seconds, CPU seconds)."""
    scenario = load_scenario(path)
    with tempfile.TemporaryDirectory() as tmp:
        p = Platform(make_settings(Path(tmp), None, notify_enabled=False), clock=FakeClock(scenario.start),
                     store=simulation_store(), inline_stages=True)
        p.anomalies.process = timed("anomaly stage", p.anomalies.process)
        p.logs.process = timed("log stage", p.logs.process)
        p.forecasts.run = timed("forecast stage", p.forecasts.run)
        p.forecasts.observe = timed("hourly grid (observe)", p.forecasts.observe)
        p.store.read_many = timed("store reads (read_many)", p.store.read_many)
        p.store.apply_retention = timed("store rollup + retention", p.store.apply_retention)
        p.run_forecasts = timed_async("forecast rounds (limits query + stage)", p.run_forecasts)
        p.ingest.record_results = timed("store check results", p.ingest.record_results)
        p.ingest.append_columns = timed("store samples", p.ingest.append_columns)
        t0, c0 = time.perf_counter(), time.process_time()
        result = await run_simulation(scenario, p, days=days)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        await p.stop()
    return result.as_json(), wall, cpu


async def main(path: Path, days: float) -> None:
    stages.evaluate_result = timed("alerting (evaluate_result)", stages.evaluate_result)
    stages.evaluate_results = timed("alerting (evaluate_results)", stages.evaluate_results)
    stages.correlate = timed("incidents (correlate)", stages.correlate)
    forecast_stage.forecast_crossing = timed("forecaster (in forecast stage)", forecast_stage.forecast_crossing)
    for method in ("sample_tick", "check_results", "log_lines"):
        setattr(runner.Twin, method, timed(f"twin.{method}", getattr(runner.Twin, method)))
    runner.ManagedDesk.tick = timed("desk.tick", runner.ManagedDesk.tick)
    runner._read_incidents = timed("read incidents (desk)", runner._read_incidents)
    runner._setup = timed("setup (environment, ids)", runner._setup)
    runner._backfill = timed("history backfill", runner._backfill)
    gc.callbacks.append(_gc_timer)
    result, wall, cpu = await run(path, days)
    print(f"{result['scenario']}: {days:g} simulated days in {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"  {'stage':28s} {'wall s':>8s} {'CPU s':>8s} {'calls':>8s} {'CPU ms/call':>12s}")
    for name, seconds in SPENT.most_common():
        print(f"  {name:28s} {seconds:8.2f} {CPU[name]:8.2f} {CALLS[name]:8d} {CPU[name] / CALLS[name] * 1000:12.3f}")
    print(f"  {'(rest of the process)':28s} {'':8s} {cpu - sum(v for k, v in CPU.items() if k not in NESTED):8.2f}")


async def compare(days: float, out: Path | None) -> None:
    """Each shipped scenario for `days`: its break-fix vs managed table and the time it took."""
    here = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
    found = []
    for name in SCENARIOS:
        result, wall, cpu = await run(here / f"{name}.yaml", days)
        found.append({**result, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1)})
        print(f"\n{result['scenario']}: {days:g} days in {wall:.1f} s wall, {cpu:.1f} s CPU (seed {result['seed']})")
        print(f"  {'':26s} {'break-fix':>12s} {'managed':>12s}")
        for key in ROWS:
            bf, mg = result["break_fix"].get(key), result["managed"].get(key)
            print(f"  {key:26s} {_cell(bf):>12s} {_cell(mg):>12s}")
    if out is not None:
        out.write_text(json.dumps(found, indent=1))


def _cell(value: object) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, int | float) else str(value)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--compare":
        asyncio.run(compare(float(sys.argv[2]) if len(sys.argv) > 2 else 30.0,
                            Path(sys.argv[3]) if len(sys.argv) > 3 else None))
    else:
        asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
