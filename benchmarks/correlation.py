"""Correlation benchmark: generated client topologies and failures through the real correlation code.

Run: .venv/bin/python benchmarks/correlation.py [--sizes 50 200 500] [--throughput-assets 10000]

Prints signals in, incidents out, noise reduction (1 - incidents/signals), unrelated problems merged
(goal 0), root-cause top-1 accuracy, and signals/s through correlation.
"""

from __future__ import annotations

import argparse
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
from forewarn.incidents import apply_signal
from forewarn.incidents.models import IncidentRow, IncidentSignalRow
from forewarn.inventory.models import AssetRow, DependencyRow

LAYERS = ("core", "distribution", "access", "server", "service")


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
        session.execute(insert(AssetRow), [{"id": i, "tenant_id": tenant.id, "name": f"{LAYERS[layer[k]]}-{k}",
                                            "kind": "host", "tags": [], "attributes": {}, "description": "",
                                            "created_at": 0.0} for k, i in enumerate(ids)])
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


def run_scenario(db: Database, tenant_id: str, topo: Topo, group: list[Problem]) -> dict:
    feed = sorted(((ts, m, sev, kind, pi) for pi, p in enumerate(group) for m, ts, sev, kind in p.signals))
    started = time.perf_counter()
    for ts, m, sev, kind, _problem in feed:
        signal = Signal(fingerprint=f"{kind}:{topo.ids[m]}:{ts:.0f}", tenant_id=tenant_id, asset_id=topo.ids[m],
                        kind=kind, severity=sev, state=SignalState.FIRING, summary=f"{kind} {sev.value}", ts=ts)
        with db.session() as session:
            apply_signal(session, signal, record_signal(session, signal))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--throughput-assets", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    console = Console()
    table = Table(title="correlation through forewarn.incidents.apply_signal (SQLite, one transaction per signal)")
    for col in ("assets", "scenario", "signals in", "incidents out", "noise reduction", "unrelated merged",
                "root top-1", "signals/s"):
        table.add_column(col, justify="right" if col not in ("scenario",) else "left")
    totals = {"signals": 0, "incidents": 0, "merged": 0, "correct": 0, "problems": 0, "seconds": 0.0}
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console, transient=True) as progress:
        runs = [(n, seed) for n in [*args.sizes, args.throughput_assets] for seed in range(args.seeds)]
        task = progress.add_task("scenarios", total=len(runs))
        for n, seed in runs:
            db = Database(f"sqlite:///{Path(tmp) / f'c{n}-{seed}.db'}")
            migrate(db.engine)
            topo = store_topology(db, n, 5 if n >= 200 else 4, seed)
            with db.session() as session:
                tenant_id = ensure_tenant(session, f"bench{seed}", "").id
            for group in problems(np.random.default_rng(seed), topo, 1_767_225_600.0):
                r = run_scenario(db, tenant_id, topo, group)
                name = " + ".join(p.name for p in group) if len(group) == 1 else "two unrelated problems"
                table.add_row(str(n), f"{name} (seed {seed})", str(r["signals"]), str(r["incidents"]),
                              f"{1 - r['incidents'] / r['signals']:.2f}", str(r["merged_unrelated"]),
                              f"{r['root_correct']}/{r['problems']}", f"{r['signals'] / r['seconds']:,.0f}")
                for k, v in (("signals", r["signals"]), ("incidents", r["incidents"]),
                             ("merged", r["merged_unrelated"]), ("correct", r["root_correct"]),
                             ("problems", r["problems"]), ("seconds", r["seconds"])):
                    totals[k] += v
            db.dispose()
            progress.advance(task)
    console.print(table)
    console.print(f"overall: {totals['signals']:,} signals in, {totals['incidents']:,} incidents out, noise reduction "
                  f"{1 - totals['incidents'] / totals['signals']:.3f} (goal ≥ 0.9), unrelated merged "
                  f"{totals['merged']} (goal 0), root cause top-1 {totals['correct'] / totals['problems']:.3f} "
                  f"(goal ≥ 0.95), {totals['signals'] / totals['seconds']:,.0f} signals/s (goal ≥ 20,000 at 10k assets)")


if __name__ == "__main__":
    main()
