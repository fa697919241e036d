"""Does the forecast screen ever leave out a series the full forecaster would warn about? Runs a scenario and checks.

Every forecast round of the simulated run fits every limited series in full (as before the screen)
and counts, per round, the series whose full forecast crosses within the watcher's withdraw
distance (1.5x the horizon) although the stage would not have fitted them (screen and recheck). Prints rounds, fits the screen
kept, and those misses; a miss is a warning the screened platform could have raised late.

    .venv/bin/python benchmarks/forecast_screen.py examples/scenarios/dental-practice.yaml 10
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from forewarn.alerting import ForecastSignals
from forewarn.alerting.forecast_stage import HORIZON, LOOKBACK, MAX_POINTS
from forewarn.analysis.forecast import forecast_crossing
from forewarn.core.clock import FakeClock
from forewarn.runtime import Platform
from forewarn.simulation import load_scenario, run_simulation, simulation_store
from forewarn.testing.platform import make_settings

TALLY = {"rounds": 0, "series": 0, "kept": 0, "near": 0, "missed": 0, "close": 0, "close_skipped": 0}
MISSES: list[str] = []


def checked(stage: ForecastSignals):  # noqa: ANN201 - wraps the stage's run
    original = stage.run

    def run(limits, now):  # noqa: ANN001, ANN202
        if limits:
            ids = [lim.series_id for lim in limits]
            ranges = stage._store.read_many(ids, now - LOOKBACK, now, MAX_POINTS)  # noqa: SLF001
            screen = stage._screen(limits, now)  # noqa: SLF001
            kept = [stage._due(lim.series_id, screen, i, now) for i, lim in enumerate(limits)]  # noqa: SLF001
            TALLY["rounds"] += 1
            TALLY["series"] += len(limits)
            TALLY["kept"] += sum(kept)
            for lim, keep in zip(limits, kept, strict=True):
                rng = ranges.get(lim.series_id)
                if rng is None or len(rng) == 0:
                    continue
                ahead = forecast_crossing(rng.timestamps, rng.values, lim.limit, lim.direction,
                                          now).seconds_to_crossing()
                if ahead is not None and ahead <= 1.5 * HORIZON:
                    TALLY["close"] += 1
                    TALLY["close_skipped"] += not keep
                if ahead is not None and ahead <= HORIZON:
                    TALLY["near"] += 1
                    if not keep:
                        TALLY["missed"] += 1
                        MISSES.append(f"t={now:.0f} series {lim.series_id} crossing in {ahead / 3600:.1f} h")
        return original(limits, now)

    stage.run = run


async def main(path: Path, days: float) -> None:
    scenario = load_scenario(path)
    with tempfile.TemporaryDirectory() as tmp:
        p = Platform(make_settings(Path(tmp), None, notify_enabled=False), clock=FakeClock(scenario.start),
                     store=simulation_store())
        checked(p.forecasts)
        t0 = time.perf_counter()
        await run_simulation(scenario, p, days=days)
        seconds = time.perf_counter() - t0
        await p.stop()
    share = TALLY["kept"] / max(1, TALLY["series"])
    print(f"{scenario.name}: {days:g} days, {TALLY['rounds']} rounds, {TALLY['series']} series-rounds "
          f"in {seconds:.0f} s")
    print(f"  stage fitted {TALLY['kept']} ({100 * share:.1f} %); full forecast within {HORIZON / 3600:.0f} h: "
          f"{TALLY['near']}, not fitted: {TALLY['missed']}; within {1.5 * HORIZON / 3600:.0f} h: {TALLY['close']}, "
          f"not fitted: {TALLY['close_skipped']}")
    for line in MISSES[:20]:
        print("  miss:", line)
    sys.exit(1 if TALLY["missed"] else 0)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 2.0))
