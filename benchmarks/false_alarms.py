"""What the managed desk's false alarms are: runs a scenario and groups them by signal source, metric, asset and time.

    .venv/bin/python benchmarks/false_alarms.py examples/scenarios/msp-datacentre.yaml 10
    .venv/bin/python benchmarks/false_alarms.py examples/scenarios/msp-datacentre.yaml 10 --list

A false alarm is an incident a technician looked at and found nothing wrong where it pointed (see
`ManagedDesk._work_incident`). At that moment this script reads the incident's signals from the
platform's database, so each is attributed to the signals a real desk would have seen then.
"""

from __future__ import annotations

import asyncio
import collections
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

import forewarn.simulation.runner as runner
from forewarn.alerting import signal_rows
from forewarn.core.clock import FakeClock
from forewarn.incidents import get_incident
from forewarn.inventory.models import AssetRow
from forewarn.monitoring.models import CheckRow
from forewarn.runtime import Platform
from forewarn.simulation import load_scenario, run_simulation, simulation_store
from forewarn.simulation.policies import IncidentView, ManagedDesk
from forewarn.testing.platform import make_settings

DAY, HOUR = 86_400.0, 3_600.0
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Seen:
    """One signal of a false-alarm incident as the desk found it."""

    kind: str  # forecast | anomaly | check | log
    metric: str  # series name, check name or log app
    asset_kind: str  # the asset name with its numbers taken out (ws-012 -> ws-#)
    first_seen: float
    summary: str


@dataclass(frozen=True, slots=True)
class FalseAlarm:
    incident: IncidentView
    looked_at: float
    signals: tuple[Seen, ...]


def _asset_kind(name: str) -> str:
    return re.sub(r"\d+", "#", name)


def instrument(platform: Platform, found: list[FalseAlarm]) -> None:
    """Make the simulation's desk record each false alarm with the incident's signals at that moment."""
    registry = platform.ingest.registry

    class RecordingDesk(ManagedDesk):
        def _work_incident(self, t: float, view: IncidentView) -> None:
            before = self.false_alarms
            super()._work_incident(t, view)
            if self.false_alarms > before:
                found.append(FalseAlarm(view, t, _signals(platform, registry, view)))

    runner.ManagedDesk = RecordingDesk  # type: ignore[misc]


def _signals(platform: Platform, registry, view: IncidentView) -> tuple[Seen, ...]:  # noqa: ANN001
    with platform.db.session() as session:
        detail = get_incident(session, runner.SYSTEM, view.id)
        rows = signal_rows(session, detail.signal_ids)
        names = _asset_names(session, {r.asset_id for r in rows})
        checks = _check_names(session, {r.check_id for r in rows if r.check_id})
    ids = [int(r.evidence["series_id"]) for r in rows if "series_id" in r.evidence]
    info = registry.describe(ids)
    out = []
    for r in rows:
        sid = r.evidence.get("series_id")
        if sid is not None and int(sid) in info:
            metric = info[int(sid)].name
        elif r.kind == "log":
            metric = "log:" + str(r.evidence.get("app", r.evidence.get("template", "?")))[:40]
        else:
            metric = checks.get(r.check_id or "", "?")
        out.append(Seen(r.kind, metric, _asset_kind(names.get(r.asset_id, "?")), r.first_seen, r.summary))
    return tuple(out)


def _asset_names(session, ids: set[str]) -> dict[str, str]:  # noqa: ANN001
    return {a.id: a.name for a in session.scalars(select(AssetRow).where(AssetRow.id.in_(ids)))}


def _check_names(session, ids: set[str]) -> dict[str, str]:  # noqa: ANN001
    return {c.id: c.name for c in session.scalars(select(CheckRow).where(CheckRow.id.in_(ids)))}


def report(found: list[FalseAlarm], start: float, result: dict, listing: bool) -> None:
    mg = result["managed"]
    print(f"false alarms {len(found)} of {mg['incidents']:g} incidents; technician hours break-fix "
          f"{result['break_fix']['technician_hours']:g}, managed {mg['technician_hours']:g}; proactive "
          f"{mg['proactive_incidents']}, median lead {mg['median_lead_time_minutes']} min, outages {mg['outages']}")
    groups = {
        "signal kinds": lambda a: "+".join(sorted({s.kind for s in a.signals})) or "(none)",
        "first signal: kind/metric": lambda a: _first(a, lambda s: f"{s.kind}/{s.metric}"),
        "first signal: kind/asset kind": lambda a: _first(a, lambda s: f"{s.kind}/{s.asset_kind}"),
        "opened: weekday": lambda a: WEEKDAYS[int((a.incident.opened_at // DAY + 3) % 7)],
        "opened: hour (UTC)": lambda a: f"{int(a.incident.opened_at % DAY // HOUR):02d}",
        "opened: day of run": lambda a: f"{int((a.incident.opened_at - start) // DAY):02d}",
        "severity": lambda a: a.incident.severity,
    }
    for title, key in groups.items():
        counts = collections.Counter(key(a) for a in found)
        print(f"\n{title}:")
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {n:5d}  {name}")
    if listing:
        print("\nall:")
        for a in found:
            day = (a.incident.opened_at - start) / DAY
            print(f"  day {day:5.2f} {a.incident.severity:8s} {','.join(a.incident.assets)}")
            for s in a.signals:
                print(f"      {s.kind:8s} {s.metric:28s} {s.summary[:110]}")


def _first(alarm: FalseAlarm, label) -> str:  # noqa: ANN001
    if not alarm.signals:
        return "(none)"
    return label(min(alarm.signals, key=lambda s: s.first_seen))


async def main(path: Path, days: float, listing: bool) -> None:
    scenario = load_scenario(path)
    found: list[FalseAlarm] = []
    with tempfile.TemporaryDirectory() as tmp:
        p = Platform(make_settings(Path(tmp), None, notify_enabled=False), clock=FakeClock(scenario.start),
                     store=simulation_store())
        instrument(p, found)
        t0, c0 = time.perf_counter(), time.process_time()
        result = (await run_simulation(scenario, p, days=days)).as_json()
        print(f"{scenario.name}: {days:g} days in {time.perf_counter() - t0:.1f} s wall, "
              f"{time.process_time() - c0:.1f} s CPU")
        report(found, scenario.start, result, listing)
        await p.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 7.0, "--list" in sys.argv[3:]))
