"""Correlation benchmark: generated client topologies and failures through the real correlation code.

Run: .venv/bin/python benchmarks/correlation.py [--sizes 50 200 500] [--throughput-assets 10000]
     [--batch 2000] [--signals 200000] [--baseline-signals 1000] [--postgres URL|""] [--skip-quality]

Quality: per scenario (core device down, shared database slow, two unrelated problems), signals in,
incidents out, noise reduction (1 - incidents/signals), unrelated problems merged (goal 0) and root-cause
top-1, through forewarn.incidents.correlate in batches. Speed: a time-ordered stream at 10,000 assets
(storms behind switches and servers, lone anomalies re-sent while they last, flapping links, every
condition recovering) recorded and correlated (a) by the old per-signal path of commit 9010cad
(correlation_baseline.py) and (b) by apply_signal now, both one transaction per signal on a smaller
sample, and (c) by the batch path, one transaction per batch, once leaving priorities to the SLA tick and
once rating impact/priority and writing SLA timers in the batch (a tenant SLA policy with business hours;
a third of the service-layer assets have users); on SQLite and, when reachable, PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import insert, select

from forewarn.alerting import record_signal
from forewarn.alerting.models import SignalRow
from forewarn.auth import ensure_tenant
from forewarn.core.enums import Severity, SignalState
from forewarn.core.ids import new_id
from forewarn.core.records import Signal
from forewarn.db import Database, migrate
from forewarn.incidents import apply_signal, correlate
from forewarn.incidents.batch import CORRELATOR
from forewarn.incidents.models import IncidentRow, IncidentSignalRow, IncidentSlaRow
from forewarn.inventory import SlaPolicyIn
from forewarn.inventory.models import AssetRow, DependencyRow
from forewarn.inventory.sla import put_policy

LAYERS = ("core", "distribution", "access", "server", "service")
SLA = SlaPolicyIn(timezone="Europe/Berlin", hours={d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
                  targets={"P1": {"response": 15, "resolution": 240, "clock": "24x7"},
                           "P2": {"response": 60, "resolution": 480}, "P3": {"response": 240, "resolution": 1440},
                           "P4": {"response": 1440, "resolution": 7200}})


@dataclass
class Topo:
    ids: list[str]
    layer: np.ndarray
    parents: dict[int, list[int]]  # node → the nodes it depends on

    def dependants(self, node: int) -> set[int]:
        children: dict[int, list[int]] = {}
        for child, ps in self.parents.items():
            for p in ps:
                children.setdefault(p, []).append(child)
        out, todo = set(), [node]
        while todo:
            for c in children.get(todo.pop(), []):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        return out


@dataclass
class Problem:
    name: str
    root: int
    members: list[int]
    signals: list[tuple[int, float, Severity, str]] = field(default_factory=list)


def make_topology(rng: np.random.Generator, n: int, n_layers: int) -> tuple[list[int], dict[int, list[int]]]:
    weights = np.array([1, 3, 8, 20, 30][:n_layers], dtype=float)
    sizes = np.maximum(1, np.round(n * weights / weights.sum())).astype(int)
    sizes[-1] += n - sizes.sum()
    layer = np.repeat(np.arange(n_layers), sizes)
    parents: dict[int, list[int]] = {}
    start = 0
    for k, size in enumerate(sizes):
        if k:
            prev = np.flatnonzero(layer == k - 1)
            for node in range(start, start + size):
                count = 2 if k >= 3 and rng.random() < 0.2 else 1  # some services use two servers
                parents[node] = sorted(set(rng.choice(prev, size=min(count, len(prev)), replace=False).tolist()))
        start += size
    return layer.tolist(), parents


def store_topology(db: Database, n: int, n_layers: int, seed: int) -> Topo:
    rng = np.random.default_rng(seed)
    layer, parents = make_topology(rng, n, n_layers)
    with db.session() as session:
        tenant = ensure_tenant(session, f"bench{seed}", f"Bench {seed}")
        ids = [new_id() for _ in range(n)]
        # The service layer is what clients use (some with a user count): priorities have impact to find.
        session.execute(insert(AssetRow), [{"id": i, "tenant_id": tenant.id, "name": f"{LAYERS[layer[k]]}-{k}",
                                            "kind": "service" if LAYERS[layer[k]] == "service" else "host",
                                            "tags": [], "attributes": {"users": 10 + k % 200} if k % 3 == 0 else {},
                                            "description": "", "created_at": 0.0} for k, i in enumerate(ids)])
        session.execute(insert(DependencyRow), [{"id": new_id(), "tenant_id": tenant.id, "asset_id": ids[c],
                                                 "depends_on_id": ids[p], "created_at": 0.0}
                                                for c, ps in parents.items() for p in ps])
    return Topo(ids, np.array(layer), parents)


def problems(rng: np.random.Generator, topo: Topo, t0: float) -> list[list[Problem]]:
    """Scenarios, each a list of problems happening at the same time."""
    by_layer = lambda k: np.flatnonzero(topo.layer == k)  # noqa: E731
    fanout = sorted(by_layer(1) if len(by_layer(1)) else by_layer(0), key=lambda x: -len(topo.dependants(x)))
    core = Problem("core device down", int(fanout[0]), [int(fanout[0]), *sorted(topo.dependants(int(fanout[0])))])
    servers = [int(s) for s in by_layer(3) if len(topo.dependants(int(s))) >= 2]
    db = int(rng.choice(servers)) if servers else int(by_layer(len(LAYERS) - 2)[0])
    shared = Problem("shared database slow", db, [db, *sorted(topo.dependants(db))])
    leaves = by_layer(int(topo.layer.max()))
    a, b = (int(x) for x in rng.choice(leaves, size=2, replace=False))
    scenarios = [[core], [shared], [Problem("unrelated A", a, [a]), Problem("unrelated B", b, [b])]]
    for i, group in enumerate(scenarios):
        for p in group:
            start = t0 + i * 7200.0
            for m in p.members:
                delay = 0.0 if m == p.root else float(rng.uniform(0, 90))
                slow = p.name.startswith("shared")
                p.signals.append((m, start + delay, Severity.WARNING if slow else Severity.CRITICAL,
                                  "anomaly" if slow and m == p.root else "check"))
    return scenarios


def run_scenario(db: Database, tenant_id: str, topo: Topo, group: list[Problem], batch: int) -> dict:
    feed = sorted(((ts, m, sev, kind, pi) for pi, p in enumerate(group) for m, ts, sev, kind in p.signals))
    signals = [Signal(fingerprint=f"{kind}:{topo.ids[m]}:{ts:.0f}", tenant_id=tenant_id, asset_id=topo.ids[m],
                      kind=kind, severity=sev, state=SignalState.FIRING, summary=f"{kind} {sev.value}", ts=ts)
               for ts, m, sev, kind, _problem in feed]
    started = time.perf_counter()
    for k in range(0, len(signals), batch):
        with db.session() as session:
            correlate(session, signals[k:k + batch])
    seconds = time.perf_counter() - started
    return {"signals": len(feed), "seconds": seconds, **_judge(db, topo, group)}


def _judge(db: Database, topo: Topo, group: list[Problem]) -> dict:
    owner = {topo.ids[m]: pi for pi, p in enumerate(group) for m in p.members}
    with db.session() as session:
        open_incidents = session.scalars(select(IncidentRow).where(IncidentRow.status.in_(("new", "acknowledged"))))
        incidents = list(open_incidents)
        merged_unrelated, correct = 0, 0
        for inc in incidents:
            assets = set(session.scalars(select(SignalRow.asset_id).join(
                IncidentSignalRow, IncidentSignalRow.signal_id == SignalRow.id).where(
                IncidentSignalRow.incident_id == inc.id)))
            if len({owner[a] for a in assets if a in owner}) > 1:
                merged_unrelated += 1
            if any(inc.root_cause_asset_id == topo.ids[p.root] and topo.ids[p.root] in assets for p in group):
                correct += 1
        for inc in incidents:  # close the scenario so the next one starts clean
            inc.status = "resolved"
    return {"incidents": len(incidents), "merged_unrelated": merged_unrelated,
            "root_correct": correct, "problems": len(group)}


def stream(rng: np.random.Generator, topo: Topo, tenant_id: str, t0: float, count: int) -> list[Signal]:
    """A busy day at one client, time-ordered: failure storms behind switches and servers, lone anomalies,
    flapping links and repeated alerts, each condition recovering later (so dedup and resolve are exercised)."""
    users: dict[int, list[int]] = {}
    for child, ps in topo.parents.items():
        for p in ps:
            users.setdefault(p, []).append(child)
    hubs = np.flatnonzero((topo.layer >= 1) & (topo.layer <= 3))
    leaves = np.flatnonzero(topo.layer == topo.layer.max())
    out: list[tuple[float, int, str, Severity, SignalState, bool]] = []
    t = t0
    while len(out) < count:
        t += float(rng.exponential(15.0))
        r = rng.random()
        if r < 0.45:  # a switch or server down: it and everything behind it fail, then recover
            root = int(rng.choice(hubs))
            members, todo = [root], [root]
            while todo:
                kids = users.get(todo.pop(), [])
                members += kids
                todo += kids
            back = t + float(rng.uniform(300, 1200))
            for m in members:
                at = t if m == root else t + float(rng.uniform(0, 90))
                out.append((at, m, "check", Severity.CRITICAL, SignalState.FIRING, False))
                out.append((back + float(rng.uniform(0, 60)), m, "check", Severity.INFO, SignalState.RESOLVED, False))
        elif r < 0.75:  # a lone anomaly, re-sent while it lasts, then withdrawn
            m = int(rng.choice(leaves))
            for k in range(int(rng.integers(1, 6))):
                out.append((t + 60.0 * k, m, "anomaly", Severity.WARNING, SignalState.FIRING, False))
            out.append((t + 600.0, m, "anomaly", Severity.INFO, SignalState.RESOLVED, False))
        else:  # a flapping link: alerting sends the first failure, then one flapping signal, then recovery
            m = int(rng.choice(hubs))
            out.append((t, m, "check", Severity.CRITICAL, SignalState.FIRING, False))
            out.append((t + 180.0, m, "check", Severity.CRITICAL, SignalState.FIRING, True))
            out.append((t + float(rng.uniform(900, 3600)), m, "check", Severity.INFO, SignalState.RESOLVED, False))
    out.sort(key=lambda e: e[0])
    return [Signal(fingerprint=f"{kind}:{topo.ids[m]}", tenant_id=tenant_id, asset_id=topo.ids[m], kind=kind,
                   severity=sev, state=state, summary=f"{kind} {sev.value}", ts=ts, flapping=flap)
            for ts, m, kind, sev, state, flap in out[:count]]


def throughput(db: Database, signals: list[Signal], batch: int, progress: Progress) -> tuple[float, float]:
    """Wall and CPU seconds to record and correlate the stream through the batch path, a transaction per batch."""
    task = progress.add_task(f"batch path, {len(signals):,} signals", total=len(signals))
    wall = cpu = 0.0
    for k in range(0, len(signals), batch):
        chunk = signals[k:k + batch]
        started, cpu_started = time.perf_counter(), time.process_time()
        with db.session() as session:
            correlate(session, chunk)
        wall += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        progress.advance(task, len(chunk))
    progress.remove_task(task)
    return wall, cpu


def _rated(db: Database) -> tuple[int, int, int]:
    """Incidents, those carrying an impact rating, and SLA timer rows after a run."""
    with db.session() as session:
        rows = session.execute(select(IncidentRow.impact)).scalars().all()
        timers = len(session.scalars(select(IncidentSlaRow.incident_id)).all())
    return len(rows), sum(bool(r) for r in rows), timers


def per_signal(db: Database, signals: list[Signal], apply) -> tuple[float, float]:  # noqa: ANN001 - an apply_signal
    """Wall and CPU seconds through a per-signal path: record_signal then `apply`, a transaction per signal."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for signal in signals:
        with db.session() as session:
            apply(session, signal, record_signal(session, signal))
    return time.perf_counter() - started, time.process_time() - cpu_started


def fresh_db(url: str, n: int, seed: int) -> tuple[Database, Topo, str]:
    db = Database(url)
    migrate(db.engine)
    topo = store_topology(db, n, 5, seed)
    with db.session() as session:
        tenant_id = ensure_tenant(session, f"bench{seed}", "").id
        put_policy(session, tenant_id, SLA, 0.0)  # every rated incident gets its timers under business hours
    return db, topo, tenant_id


def postgres_url(admin: str) -> tuple[str, str] | None:
    """A throwaway database on the PostgreSQL at `admin`, or None when it is unreachable."""
    try:
        import psycopg

        name = f"forewarn_bench_{new_id()[-8:]}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL figure
        Console().print(f"PostgreSQL skipped: {exc}")
        return None
    return admin.rsplit("/", 1)[0] + f"/{name}", name


def drop_postgres(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def quality(args: argparse.Namespace, console: Console, tmp: str) -> None:
    table = Table(title=f"quality through forewarn.incidents.correlate (SQLite, batches of {args.batch})")
    for col in ("assets", "scenario", "signals in", "incidents out", "noise reduction", "unrelated merged",
                "root top-1"):
        table.add_column(col, justify="right" if col not in ("scenario",) else "left")
    totals = {"signals": 0, "incidents": 0, "merged": 0, "correct": 0, "problems": 0}
    with Progress(console=console, transient=True) as progress:
        runs = [(n, seed) for n in [*args.sizes, args.throughput_assets] for seed in range(args.seeds)]
        task = progress.add_task("quality scenarios", total=len(runs))
        for n, seed in runs:
            db = Database(f"sqlite:///{Path(tmp) / f'c{n}-{seed}.db'}")
            migrate(db.engine)
            topo = store_topology(db, n, 5 if n >= 200 else 4, seed)
            with db.session() as session:
                tenant_id = ensure_tenant(session, f"bench{seed}", "").id
            for group in problems(np.random.default_rng(seed), topo, 1_767_225_600.0):
                r = run_scenario(db, tenant_id, topo, group, args.batch)
                name = " + ".join(p.name for p in group) if len(group) == 1 else "two unrelated problems"
                table.add_row(str(n), f"{name} (seed {seed})", str(r["signals"]), str(r["incidents"]),
                              f"{1 - r['incidents'] / r['signals']:.2f}", str(r["merged_unrelated"]),
                              f"{r['root_correct']}/{r['problems']}")
                for k, v in (("signals", r["signals"]), ("incidents", r["incidents"]),
                             ("merged", r["merged_unrelated"]), ("correct", r["root_correct"]),
                             ("problems", r["problems"])):
                    totals[k] += v
            db.dispose()
            progress.advance(task)
    console.print(table)
    console.print(f"quality: {totals['signals']:,} signals in, {totals['incidents']:,} incidents out, noise reduction "
                  f"{1 - totals['incidents'] / totals['signals']:.3f} (goal ≥ 0.9), unrelated merged "
                  f"{totals['merged']} (goal 0), root cause top-1 {totals['correct'] / totals['problems']:.3f} "
                  "(goal ≥ 0.95)")


def speed(args: argparse.Namespace, console: Console, tmp: str) -> None:
    import correlation_baseline as baseline  # noqa: PLC0415 - a sibling file, only needed here

    n, t0 = args.throughput_assets, 1_767_225_600.0
    table = Table(title=f"signals/s through correlation at {n:,} assets (record + correlate, one core)")
    for col in ("path", "database", "signals", "wall s", "signals/s (wall)", "CPU s", "signals/CPU s",
                "× old path (wall)"):
        table.add_column(col, justify="left" if col in ("path", "database") else "right")
    names = {"old": "old apply_signal (9010cad), 1 signal/transaction",
             "one": "apply_signal now (batch of one), 1 signal/transaction",
             "plain": f"correlate, batches of {args.batch}, priorities left to the SLA tick",
             "batch": f"correlate, batches of {args.batch}, rating priority + SLA timers"}
    labels = ["SQLite"] + (["PostgreSQL"] if args.postgres else [])
    notes: list[str] = []
    with Progress(console=console, transient=True) as progress:
        for label in labels:
            rates: dict[str, float] = {}
            cpu_rates: dict[str, float] = {}
            rated: dict[str, tuple[int, int, int]] = {}
            for path in ("old", "one", "plain", "batch"):
                pg = postgres_url(args.postgres) if label == "PostgreSQL" else None
                if label == "PostgreSQL" and pg is None:
                    break
                url = pg[0] if pg else f"sqlite:///{Path(tmp) / f'speed-{path}.db'}"
                db, topo, tenant_id = fresh_db(url, n, 0)
                signals = stream(np.random.default_rng(1), topo, tenant_id, t0,
                                 args.signals if path in ("plain", "batch") else args.baseline_signals)
                if path in ("plain", "batch"):
                    CORRELATOR.prioritise = path == "batch"
                    try:
                        wall, cpu = throughput(db, signals, args.batch, progress)
                    finally:
                        CORRELATOR.prioritise = True
                    rated[path] = _rated(db)
                else:
                    wall, cpu = per_signal(db, signals, baseline.apply_signal if path == "old" else apply_signal)
                db.dispose()
                if pg:
                    drop_postgres(args.postgres, pg[1])
                rates[path] = len(signals) / wall
                cpu_rates[path] = len(signals) / cpu
                table.add_row(names[path], label, f"{len(signals):,}", f"{wall:.2f}", f"{rates[path]:,.0f}",
                              f"{cpu:.2f}", f"{len(signals) / cpu:,.0f}", f"{rates[path] / rates['old']:,.1f}")
            if "batch" in cpu_rates and "plain" in cpu_rates:
                notes.append(f"{label}: rating in the batch costs {1 - cpu_rates['batch'] / cpu_rates['plain']:.1%} "
                             f"of signals/CPU s ({cpu_rates['plain']:,.0f} without → {cpu_rates['batch']:,.0f} with); "
                             "incidents, rated, with SLA timers: without " + "/".join(map(str, rated["plain"]))
                             + ", with " + "/".join(map(str, rated["batch"])))
    console.print(table)
    for note in notes:
        console.print(note)
    console.print("CPU s counts this process only (for PostgreSQL the server's work is not in it); wall time "
                  "depends on what else the machine runs.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--throughput-assets", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=2000, help="signals per batch (one transaction each)")
    parser.add_argument("--signals", type=int, default=200_000, help="signals in the throughput stream")
    parser.add_argument("--baseline-signals", type=int, default=1000,
                        help="signals through the per-signal paths (the baseline sample)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="admin URL for a throwaway PostgreSQL database; empty to skip")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    console = Console(width=None if sys.stdout.isatty() else 160)  # piped output keeps whole table rows
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_quality:
            quality(args, console, tmp)
        speed(args, console, tmp)


if __name__ == "__main__":
    main()
