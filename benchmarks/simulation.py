"""Where a simulation's time goes: runs a scenario for some days and prints seconds per pipeline stage.

    .venv/bin/python benchmarks/simulation.py examples/scenarios/dental-practice.yaml 2
"""

from __future__ import annotations

import asyncio
import collections
import sys
import tempfile
import time
from pathlib import Path

import forewarn.runtime.stages as stages
from forewarn.core.clock import FakeClock
from forewarn.runtime import Platform
from forewarn.simulation import load_scenario, run_simulation, simulation_store
from forewarn.testing.platform import make_settings

SPENT: collections.Counter = collections.Counter()
CALLS: collections.Counter = collections.Counter()


def timed(name: str, f):  # noqa: ANN001, ANN201 - wraps anything
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - t0
            CALLS[name] += 1
    return wrapper


async def main(path: Path, days: float) -> None:
    scenario = load_scenario(path)
    stages.evaluate_result = timed("alerting (evaluate_result)", stages.evaluate_result)
    stages.evaluate_results = timed("alerting (evaluate_results)", stages.evaluate_results)
    stages.correlate = timed("incidents (correlate)", stages.correlate)
    with tempfile.TemporaryDirectory() as tmp:
        p = Platform(make_settings(Path(tmp), None, notify_enabled=False), clock=FakeClock(scenario.start),
                     store=simulation_store())
        p.anomalies.process = timed("anomaly stage", p.anomalies.process)
        p.logs.process = timed("log stage", p.logs.process)
        p.forecasts.run = timed("forecast stage", p.forecasts.run)
        p.ingest.record_results = timed("store check results", p.ingest.record_results)
        p.ingest.append_columns = timed("store samples", p.ingest.append_columns)
        t0 = time.perf_counter()
        await run_simulation(scenario, p, days=days)
        total = time.perf_counter() - t0
        await p.stop()
    print(f"{scenario.name}: {days:g} simulated days in {total:.1f} s")
    for name, seconds in SPENT.most_common():
        print(f"  {name:28s} {seconds:7.2f} s  {CALLS[name]:7d} calls  {seconds / CALLS[name] * 1000:8.3f} ms/call")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
