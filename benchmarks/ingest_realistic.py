"""The realistic-profile section of the ingest benchmark: hosts sampled every 10 s, checks every 60 s.

Each host has 8 agent metrics every 10 s (CPU %, memory bytes, two disk %, network rx/tx and disk I/O
byte counters, process count) and 2 check latencies every 60 s (ms, 2 decimals), as DESIGN.md's agent
and checks produce them. The store gets them in arrival order (all hosts × 5 minutes a batch) with
rollups every 5 simulated minutes as the platform's maintenance loop does, then compaction once the
day has closed. Sizes are of the whole store directory (main file, WAL and day files), what `du` counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import DuckDBSeriesStore, compaction, dayfiles

DAY = 86_400
AGENT_EVERY, CHECK_EVERY = 10, 60
AGENT_METRICS, CHECKS = 8, 2  # per host
BATCH_SECONDS = 300  # a poller pushes about this much at a time


@dataclass
class Profile:
    hosts: int
    groups: list[tuple[np.ndarray, int, np.ndarray]]  # (series ids, seconds apart, values: series × samples)

    @property
    def series(self) -> int:
        return sum(len(ids) for ids, _, _ in self.groups)


def make_profile(hosts: int, seed: int = 7) -> Profile:
    """Values per series for one day; the shapes follow what the agent and checks report."""
    rng = np.random.default_rng(seed)
    n_agent, n_check = DAY // AGENT_EVERY, DAY // CHECK_EVERY
    walk = lambda n, scale: np.cumsum(rng.normal(0, scale, n))  # noqa: E731 - slow wander of a gauge
    agent, checks = [], []
    for _ in range(hosts):
        cpu = np.clip(np.round(rng.uniform(5, 60) + walk(n_agent, 0.3) + rng.normal(0, 3, n_agent), 1), 0, 100)
        total = rng.choice([8, 16, 32, 64]) * 2**30
        mem = np.clip(np.round(total * rng.uniform(0.3, 0.8) / 4096 + walk(n_agent, 500)) * 4096, 0, total)
        disks = [np.round(rng.uniform(10, 90) + np.arange(n_agent) * rng.uniform(0, 2e-4)
                          + rng.normal(0, 0.005, n_agent), 2) for _ in range(2)]
        counters = [np.floor(rng.uniform(0, 1e12) + np.cumsum(rng.gamma(2, rng.uniform(1e3, 1e6) / 2, n_agent)))
                    for _ in range(3)]
        procs = np.round(rng.uniform(80, 400) + walk(n_agent, 0.2))
        agent += [cpu, mem, *disks, *counters, procs]
        checks += [np.round(rng.uniform(1, 80) * rng.lognormal(0, 0.15, n_check), 2) for _ in range(CHECKS)]
    per_host = AGENT_METRICS + CHECKS
    host = np.arange(hosts)[:, None] * per_host
    agent_ids = (host + np.arange(AGENT_METRICS)).ravel()
    check_ids = (host + AGENT_METRICS + np.arange(CHECKS)).ravel()
    return Profile(hosts, [(agent_ids, AGENT_EVERY, np.vstack(agent)), (check_ids, CHECK_EVERY, np.vstack(checks))])


def batches(profile: Profile, t0: float, seed: int = 8) -> list[SampleBatch]:
    """Arrival order: every series' samples of a 5-minute window, sorted by collection time."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, AGENT_EVERY, profile.hosts)  # each host's agent runs on its own phase
    out = []
    for w in range(0, DAY, BATCH_SECONDS):
        ids, ts, vals = [], [], []
        for sid, every, matrix in profile.groups:
            k = np.arange(w // every, (w + BATCH_SECONDS) // every)
            ids.append(np.repeat(sid, len(k)))
            ts.append((t0 + k[None, :] * every + phase[sid // (AGENT_METRICS + CHECKS)][:, None]).ravel())
            vals.append(matrix[:, k].ravel())
        ts_all = np.concatenate(ts)
        order = np.argsort(ts_all, kind="stable")  # as collected: by time, hosts interleaved
        out.append(SampleBatch(np.concatenate(ids)[order], np.round(ts_all[order], 3), np.concatenate(vals)[order]))
    return out


def directory_bytes(path: Path) -> int:
    """Bytes on disk of the store's files (main file, WAL, day files), as `du` counts them."""
    files = [path, path.with_name(path.name + ".wal"), *dayfiles.directory(path).glob("*")]
    return sum(f.stat().st_blocks * 512 for f in files if f.exists())


def bench_realistic(hosts: int, directory: Path, table_bytes, bare) -> dict[str, float]:
    """One day of the profile through the store; bytes/sample at each step, the append rate, and the
    rate of `bare(batches, directory)` (bare DuckDB) on the same batches."""
    t0 = 1_700_006_400
    profile = make_profile(hosts)
    day = batches(profile, t0)
    path = directory / "realistic.duckdb"
    store = DuckDBSeriesStore(path)
    append_s, rows = 0.0, 0
    for i, b in enumerate(day):
        started = time.perf_counter()
        rows += store.append(b)
        append_s += time.perf_counter() - started
        store.rollup(t0 + (i + 1) * BATCH_SECONDS)  # the maintenance loop's 5-minute rollup
    store.checkpoint()
    arrival = directory_bytes(path)
    store.rollup(t0 + DAY + compaction.LAG)
    started = time.perf_counter()
    moved = store.compact(t0 + DAY + compaction.LAG)
    compact_s = time.perf_counter() - started
    store.close()
    day_files = sum(p.stat().st_size for p in dayfiles.directory(path).glob("*.duckdb"))
    rollups = table_bytes(path, ("rollup_5m", "rollup_1h"), directory / "realistic-rollups.duckdb")
    hourly = table_bytes(path, ("rollup_1h",), directory / "realistic-hourly.duckdb")
    bare_rate = bare(day, directory / "realistic-bare").rows_per_s
    return {"series": profile.series, "bare_rate": bare_rate, "rows": rows, "append_rate": rows / append_s, "arrival": arrival / rows,
            "day_files": day_files / rows, "whole": directory_bytes(path) / rows, "rollups": rollups / rows,
            "five_minute": (rollups - hourly) / rows, "hourly": hourly / rows, "peak": arrival / rows,
            "main": (path.stat().st_blocks * 512) / rows, "compact_s": compact_s, "moved": moved}
