"""The digital twin: topology, series, faults and simulated collectors that turn its state into checks and logs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forewarn.alerting import LogLine
from forewarn.core.enums import CheckStatus
from forewarn.core.records import CheckResult, MetricPoint
from forewarn.monitoring import CheckDefinition, evaluate_thresholds
from forewarn.simulation.faults import FaultModel, build_faults
from forewarn.simulation.scenario import Scenario
from forewarn.simulation.workload import SeriesTable

USER_FACING = "user-facing"
# After a status change a check keeps reporting at its interval for this many results, so the alerting
# stage's hysteresis and flap window see what they would see live; a steady state is then reported
# only when it changes (an OK result on a confirmed OK state changes nothing downstream).
STEADY_RESULTS = 21
BLOCK = 60  # ticks of normal load drawn in one go
_NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")


@dataclass(slots=True)
class SimCheck:
    definition: CheckDefinition
    metrics: list[tuple[str, int]]  # (metric name, series index)
    offset: float
    last: CheckStatus | None = None


class _ThresholdTable:
    """Every (check, threshold) pair whose metric the twin produces, as arrays: which checks breach one now."""

    def __init__(self, checks: list[SimCheck]) -> None:
        rows = [(ci, idx, _level(t.warning), _level(t.critical), 1.0 if t.direction == "above" else -1.0)
                for ci, c in enumerate(checks) for t in c.definition.thresholds
                for name, idx in c.metrics if name == t.metric]
        cols = np.array(rows, dtype=np.float64).reshape(len(rows), 5).T
        self._check, self._series = cols[0].astype(np.int64), cols[1].astype(np.int64)
        self._warning, self._critical, self._sign = cols[2], cols[3], cols[4]
        self._n = len(checks)

    def breached(self, values: np.ndarray) -> np.ndarray:
        """Per check: does any of its thresholds see its metric beyond warning or critical (as evaluate_thresholds)?"""
        v = values[self._series]
        with np.errstate(invalid="ignore"):  # NaN levels (not set) and NaN values compare False, as there
            hit = (self._sign * (v - self._warning) > 0) | (self._sign * (v - self._critical) > 0)
        out = np.zeros(self._n, dtype=bool)
        out[self._check[hit]] = True
        return out


def _level(level: float | None) -> float:
    return float("nan") if level is None else float(level)


@dataclass
class Topology:
    """Asset names, their transitive dependencies and dependants, and which are user-facing."""

    names: list[str]
    deps: dict[str, set[str]]
    dependants: dict[str, set[str]] = field(default_factory=dict)
    user_facing: set[str] = field(default_factory=set)

    @classmethod
    def from_environment(cls, env: dict) -> Topology:
        assets = env.get("assets", [])
        direct = {a["name"]: set(a.get("depends_on", [])) for a in assets}
        deps: dict[str, set[str]] = {}
        for name in direct:
            seen: set[str] = set()
            todo = list(direct[name])
            while todo:
                d = todo.pop()
                if d not in seen:
                    seen.add(d)
                    todo += direct.get(d, ())
            deps[name] = seen
        dependants = {n: {m for m in direct if n in deps[m]} for n in direct}
        user = {a["name"] for a in assets if USER_FACING in a.get("tags", [])}
        return cls(list(direct), deps, dependants, user)

    def affected_services(self, asset: str | None) -> list[str]:
        if asset is None:
            return []
        return sorted(self.user_facing & ({asset} | self.dependants.get(asset, set())))


class Twin:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.step = scenario.step_seconds
        self.topology = Topology.from_environment(scenario.environment)
        seed = scenario.seed
        self.table = SeriesTable(scenario.workloads, self.topology.names, scenario.start,
                                 np.random.default_rng([seed, 1]))
        unknown = [f.asset for f in scenario.faults if f.asset not in self.topology.deps]
        unknown += [f.fails for f in scenario.faults if f.fails and f.fails not in self.topology.deps]
        if unknown:
            raise ValueError(f"faults name assets that are not in the environment: {sorted(set(unknown))}")
        self.faults: list[FaultModel] = build_faults(scenario.faults, scenario.start, self.table, seed)
        self._log_rng = np.random.default_rng([seed, 2])
        self._check_rng = np.random.default_rng([seed, 3])
        self.checks: list[SimCheck] = []
        self._offsets = self._intervals = np.zeros(0)
        self._limits = _ThresholdTable([])
        # Per check: its asset's index in topology.names, whether its last status was OK, and how many
        # results in a row had that status (SimCheck.last keeps the status itself).
        self._asset_index = {name: i for i, name in enumerate(self.topology.names)}
        self._asset_of = np.zeros(0, dtype=np.int64)
        self._last_ok = np.zeros(0, dtype=bool)
        self._steady = np.zeros(0, dtype=np.int64)
        self.asset_ids: dict[str, str] = {}
        self.tenant_id = ""
        self._failed_key: tuple = ()
        self._failed: dict[str, str] = {}
        self._block_first, self._block = 0, np.zeros((0, len(self.table)))

    def bind(self, tenant_id: str, asset_ids: dict[str, str], checks: list[CheckDefinition]) -> None:
        """Attach the ids the pipeline gave the environment's assets and checks."""
        self.tenant_id, self.asset_ids = tenant_id, asset_ids
        by_check: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for i, spec in enumerate(self.table.specs):
            if spec.check:
                by_check.setdefault((spec.asset, spec.check), []).append((spec.metric, i))
        self.checks = []
        for d in sorted(checks, key=lambda c: (c.asset_name, c.name)):
            slots = max(1, int(d.interval // self.step))
            offset = float(self._check_rng.integers(0, slots)) * self.step
            self.checks.append(SimCheck(d, by_check.get((d.asset_name, d.name), []), offset))
        self._offsets = np.array([c.offset for c in self.checks])
        self._intervals = np.array([c.definition.interval for c in self.checks], dtype=np.float64)
        self._limits = _ThresholdTable(self.checks)
        self._asset_of = np.array([self._asset_index.get(c.definition.asset_name, -1) for c in self.checks],
                                  dtype=np.int64)
        self._last_ok = np.zeros(len(self.checks), dtype=bool)
        self._steady = np.zeros(len(self.checks), dtype=np.int64)

    def sample(self, t: float) -> np.ndarray:
        return self._with_faults(t, self.table.sample(t))

    def sample_tick(self, k: int) -> tuple[float, np.ndarray]:
        """The time and values of tick k after the start, the normal load drawn BLOCK ticks at a time.

        Blocks draw the same numbers as tick-by-tick `sample` calls would (see `sample_many`), as long
        as ticks are asked for in order; faults apply per tick, since the desk may repair one at any.
        """
        start, step = self.scenario.start, self.step
        if not self._block_first <= k < self._block_first + len(self._block):
            self._block_first = k
            self._block = self.table.sample_many(start + step * np.arange(k, k + BLOCK))
        t = start + k * step
        return t, self._with_faults(t, self._block[k - self._block_first].copy())

    def _with_faults(self, t: float, values: np.ndarray) -> np.ndarray:
        for fault in self.faults:
            if fault.started(t):
                fault.apply(t, values)
        return values

    def failed(self, t: float) -> dict[str, str]:
        """Assets users cannot use at t, with the reason; a failure travels to everything depending on it."""
        failing = [f for f in self.faults if f.fails is not None and f.failing(t)]
        key = tuple(f.id for f in failing)
        if key != self._failed_key:
            out: dict[str, str] = {}
            for f in failing:
                out.setdefault(f.fails, f.failure_text)
                for d in self.topology.dependants.get(f.fails, ()):
                    out.setdefault(d, f"dependency {f.fails} failed: {f.failure_text}")
            self._failed_key, self._failed = key, out
        return self._failed

    def check_results(self, t: float, values: np.ndarray, every: bool = False) -> list[CheckResult]:
        """Results of the checks due at t; with every=False a steady state is not re-sent (see STEADY_RESULTS).

        Due checks that neither breach a threshold nor sit on a failing asset are OK: those are counted
        as arrays, and only the results actually sent are built one by one.
        """
        failed = self.failed(t)
        probes = {f.asset: text for f in self.faults if f.started(t) and (text := f.probe_failure(t))}
        due = np.flatnonzero((t - self.scenario.start - self._offsets) % self._intervals < self.step)
        hot = self._limits.breached(values)[due]
        if failed or probes:
            down = np.zeros(len(self.topology.names) + 1, dtype=bool)  # the last cell: assets not in names
            down[[self._asset_index.get(a, -1) for a in (failed.keys() | probes.keys())]] = True
            hot |= down[self._asset_of[due]]
        quiet, phrased = due[~hot], due[hot]
        # OK again after OK: one more in a row; OK after anything else (or nothing yet): a change.
        again = self._last_ok[quiet]
        self._steady[quiet[again]] += 1
        changed = quiet[~again]
        self._steady[changed] = 0
        self._last_ok[changed] = True
        for i in changed.tolist():
            self.checks[i].last = CheckStatus.OK
        out: dict[int, tuple[CheckStatus, str]] = {}
        for i in phrased.tolist():
            check = self.checks[i]
            d = check.definition
            status, summary = self._status(check, values, failed.get(d.asset_name) or probes.get(d.asset_name))
            if status == check.last:
                self._steady[i] += 1
            else:
                check.last, self._steady[i] = status, 0
            self._last_ok[i] = status == CheckStatus.OK
            out[i] = (status, summary)
        send = due if every else due[self._steady[due] < STEADY_RESULTS]
        results = []
        for i in send.tolist():
            d = self.checks[i].definition
            status, summary = out.get(i, (CheckStatus.OK, "OK"))
            results.append(CheckResult(d.id, d.asset_id, d.tenant_id, status, summary, t, 1.0))
        return results

    @staticmethod
    def _status(check: SimCheck, values: np.ndarray, failure: str | None) -> tuple[CheckStatus, str]:
        if failure:
            return CheckStatus.CRITICAL, failure
        points = [MetricPoint(name, float(values[i])) for name, i in check.metrics]
        status, reasons = evaluate_thresholds(points, check.definition.thresholds)
        return status, "; ".join(reasons) or "OK"

    def log_lines(self, t: float) -> list[LogLine]:
        lines = [(a, app, msg) for f in self.faults if f.started(t) for a, app, msg in f.logs(t, self.step)]
        rng = self._log_rng
        for src in self.scenario.logs:
            for _ in range(int(rng.poisson(src.per_hour * self.step / 3600.0))):
                template = src.templates[int(rng.integers(len(src.templates)))]
                lines.append((src.asset, src.app, template.format(
                    user=_NAMES[int(rng.integers(len(_NAMES)))], ip=f"10.0.{int(rng.integers(1, 9))}."
                    f"{int(rng.integers(2, 250))}", n=int(rng.integers(1000, 99999)))))
        return [LogLine(self.tenant_id, self.asset_ids[a], t, msg, app) for a, app, msg in lines
                if a in self.asset_ids]
