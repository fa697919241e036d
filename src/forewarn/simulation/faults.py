"""The fault library: each kind shapes the metrics and logs it really produces and knows its ground truth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from forewarn.simulation.scenario import Fault
from forewarn.simulation.workload import DAY, SeriesTable

HOUR = 3600.0
Log = tuple[str, str, str]  # asset name, app, message


@dataclass(frozen=True, slots=True)
class Truth:
    """What really happened, for scoring: onset, when users are hit (if never repaired), data at risk."""

    id: int
    kind: str
    asset: str
    fails: str | None  # the asset users lose at failure_at (None: nothing goes down, e.g. a backup)
    onset: float
    failure_at: float
    data_loss: bool  # an unprevented failure loses data
    on_site: bool  # the repair needs someone on site
    repair_minutes: float


class FaultModel:
    """One fault instance on the twin; `repaired_at` is set by whichever policy fixes it."""

    kind = ""
    on_site = False
    data_loss = False
    fails_users = True
    repair_range = (20.0, 60.0)
    failure_text = "failed"

    def __init__(self, n: int, spec: Fault, start: float, table: SeriesTable, rng: np.random.Generator) -> None:
        self.id = n
        self.asset = spec.asset
        self.fails = (spec.fails or spec.asset) if self.fails_users else None
        self.onset = start + spec.at
        self.p = spec.params
        self.rng = rng
        self.repaired_at = math.inf
        self.repair_minutes = float(rng.uniform(*self.repair_range))
        self.failure_at = self.setup(table)

    def setup(self, table: SeriesTable) -> float:
        raise NotImplementedError

    @property
    def truth(self) -> Truth:
        return Truth(self.id, self.kind, self.asset, self.fails, self.onset, self.failure_at, self.data_loss,
                     self.on_site, self.repair_minutes)

    def started(self, t: float) -> bool:
        return self.onset <= t < self.repaired_at

    def failing(self, t: float) -> bool:
        return self.failure_at <= t < self.repaired_at

    def frac(self, t: float) -> float:
        """Share of the way from onset to failure, 0…1."""
        return min(1.0, max(0.0, (t - self.onset) / max(self.failure_at - self.onset, 1.0)))

    def apply(self, t: float, values: np.ndarray) -> None:
        """Bend this tick's metric values (called only while started)."""

    def probe_failure(self, t: float) -> str | None:
        """A check failure on the asset itself that does not (yet) reach users, e.g. a DNS probe."""
        return None

    def logs(self, t: float, step: float) -> list[Log]:
        return []

    def crossed(self, moment: float, t: float, step: float) -> bool:
        return t - step < moment <= t


class DiskFill(FaultModel):
    kind, failure_text, repair_range = "disk_fill", "disk full: No space left on device", (20.0, 60.0)

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, self.p.get("metric", "disk_used_percent"), "%", 50.0)
        self.p0 = float(self.p.get("from_percent", table.base[self.idx]))
        end = self.onset + float(self.p.get("days", 5.0)) * DAY
        self.steps: np.ndarray | None = None
        if self.p.get("mode", "linear") == "bursty":
            n = int(self.p.get("bursts", 12))
            self.times = np.append(np.sort(self.rng.uniform(self.onset, end, n - 1)), end)
            self.steps = np.cumsum(self.rng.dirichlet(np.ones(n)))
        return end

    def apply(self, t: float, values: np.ndarray) -> None:
        if self.steps is None:
            share = self.frac(t)
        else:
            k = int(np.searchsorted(self.times, t, side="right"))
            share = float(self.steps[k - 1]) if k else 0.0
        level = min(100.0, self.p0 + (100.0 - self.p0) * share)
        values[self.idx] = max(min(values[self.idx], 100.0), level)

    def logs(self, t: float, step: float) -> list[Log]:
        if self.failing(t) and int(t // step) % 5 == 0:
            return [(self.asset, "app", "write failed: No space left on device (errno 28)")]
        return []


class MemoryLeak(FaultModel):
    kind, failure_text, repair_range = "memory_leak", "service crashed: out of memory", (20.0, 45.0)

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "memory_used_percent", "%", 45.0)
        self.p0 = float(table.base[self.idx])
        return self.onset + float(self.p.get("days", 3.0)) * DAY

    def apply(self, t: float, values: np.ndarray) -> None:
        if self.failing(t):
            values[self.idx] = self.p0 * 0.6  # the killed process gave its memory back
        else:
            values[self.idx] = max(values[self.idx], min(99.9, self.p0 + (100.0 - self.p0) * self.frac(t)))

    def logs(self, t: float, step: float) -> list[Log]:
        if self.crossed(self.failure_at, t, step):
            return [(self.asset, "kernel", "Out of memory: Killed process 2315 (app-server) total-vm:8123456kB")]
        return []


class CertExpiry(FaultModel):
    """Onset: the automatic renewal did not happen; the certificate runs out `days_left` days later."""

    kind, failure_text, repair_range = "cert_expiry", "TLS handshake failed: certificate has expired", (15.0, 40.0)

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "days_to_expiry", "d", 90.0)
        return self.onset + float(self.p.get("days_left", 21.0)) * DAY

    def started(self, t: float) -> bool:
        return True  # the countdown is visible before the renewal fails, and a renewed one restarts it

    def apply(self, t: float, values: np.ndarray) -> None:
        if t >= self.repaired_at:
            values[self.idx] = 90.0 - (t - self.repaired_at) / DAY
        else:
            values[self.idx] = (self.failure_at - t) / DAY


class FailingDisk(FaultModel):
    kind, failure_text, repair_range = "failing_disk", "I/O error: file system remounted read-only", (120.0, 240.0)
    on_site, data_loss = True, True

    def setup(self, table: SeriesTable) -> float:
        self.realloc = table.ensure(self.asset, "smart_reallocated_sectors", "", 0.0)
        self.pending = table.ensure(self.asset, "smart_pending_sectors", "", 0.0)
        self.io = table.ensure(self.asset, "io_errors_per_min", "", 0.0)
        self.io_from = float(self.p.get("io_error_hours", 12.0)) * HOUR
        self._io_now = 0
        return self.onset + float(self.p.get("days", 10.0)) * DAY

    def apply(self, t: float, values: np.ndarray) -> None:
        grown = (math.exp(4.0 * self.frac(t)) - 1.0) / (math.exp(4.0) - 1.0)
        values[self.realloc] = round(float(self.p.get("sectors", 600)) * grown)
        values[self.pending] = round(0.2 * float(self.p.get("sectors", 600)) * grown)
        left = self.failure_at - t
        self._io_now = int(self.rng.poisson(1 + 30 * (1 - left / self.io_from))) if left < self.io_from else 0
        values[self.io] = self._io_now

    def logs(self, t: float, step: float) -> list[Log]:
        n = min(self._io_now, 5)
        return [(self.asset, "kernel", f"blk_update_request: I/O error, dev sda, sector {int(s)} op 0x0:(READ)")
                for s in self.rng.integers(1_000_000, 900_000_000, n)]


class BackupFailing(FaultModel):
    """Onset: the nightly job stops saving anything but still says "success"; data is lost when a restore is
    needed (`restore_after_days` later) and the last good backup is too old."""

    kind, failure_text, repair_range = "backup_failing", "restore failed: no recent backup", (30.0, 90.0)
    fails_users, data_loss = False, True

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "backup_age_hours", "h", 0.0)
        hour = table.reset_hour[self.idx]
        self.reset_hour = 2.0 if math.isnan(hour) else float(hour)
        since = (self.onset - self.reset_hour * HOUR) % DAY
        self.last_good = self.onset - since
        return self.onset + float(self.p.get("restore_after_days", 8.0)) * DAY

    def apply(self, t: float, values: np.ndarray) -> None:
        values[self.idx] = (t - self.last_good) / HOUR

    def logs(self, t: float, step: float) -> list[Log]:
        nightly = (t - self.reset_hour * HOUR) % DAY < step
        return [(self.asset, "backup", "job nightly finished: status=Success, 0 files, 0 bytes")] if nightly else []


class LinkDown(FaultModel):
    kind, failure_text, repair_range = "link_down", "unreachable: link down", (45.0, 120.0)
    on_site = True

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "if_errors_per_min", "", 0.0)
        self.lead = float(self.p.get("precursor_hours", 0.0)) * HOUR
        return self.onset + self.lead

    def apply(self, t: float, values: np.ndarray) -> None:
        if not self.failing(t) and self.lead:
            values[self.idx] = self.rng.poisson(2 + 60 * self.frac(t))

    def logs(self, t: float, step: float) -> list[Log]:
        if self.crossed(self.failure_at, t, step):
            return [(self.asset, "switch", "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down")]
        return []


class CpuRunaway(FaultModel):
    kind, failure_text, repair_range = "cpu_runaway", "request timeouts: server overloaded", (10.0, 30.0)

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "cpu_percent", "%", 20.0)
        return self.onset + float(self.p.get("impact_minutes", 90.0)) * 60.0

    def apply(self, t: float, values: np.ndarray) -> None:
        ramp = min(1.0, (t - self.onset) / 300.0)
        values[self.idx] = max(values[self.idx], 97.0 * ramp + float(self.rng.uniform(0, 2.5)))


class DnsMisconfig(FaultModel):
    """Onset: a change breaks a zone; the DNS probe fails at once, users only when their caches expire."""

    kind, failure_text, repair_range = "dns_misconfig", "name resolution failed (NXDOMAIN)", (15.0, 45.0)

    def setup(self, table: SeriesTable) -> float:
        self.name = str(self.p.get("name", "fileserver.office.lan"))
        return self.onset + float(self.p.get("ttl_minutes", 60.0)) * 60.0

    def probe_failure(self, t: float) -> str | None:
        return f"{self.name}: NXDOMAIN"

    def logs(self, t: float, step: float) -> list[Log]:
        out: list[Log] = []
        if self.crossed(self.onset, t, step):
            out.append((self.asset, "named", "zone office.lan/IN: loaded serial 2026010501"))
        n = int(self.rng.poisson(4 if self.failing(t) else 1))
        out += [(self.asset, "named", f"client 10.0.0.{int(i)}#53: query failed (NXDOMAIN) for {self.name}")
                for i in self.rng.integers(2, 250, n)]
        return out


class DbPoolExhaustion(FaultModel):
    kind, failure_text, repair_range = "db_pool_exhaustion", "FATAL: sorry, too many clients already", (20.0, 60.0)

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "db_connections", "", 20.0)
        self.pool = float(self.p.get("pool_size", 100.0))
        self.p0 = float(table.base[self.idx])
        return self.onset + float(self.p.get("hours", 8.0)) * HOUR

    def apply(self, t: float, values: np.ndarray) -> None:
        level = self.p0 + (self.pool - self.p0) * self.frac(t)
        values[self.idx] = min(self.pool, max(values[self.idx], level))

    def logs(self, t: float, step: float) -> list[Log]:
        if self.failing(t):
            return [(self.asset, "postgres", "FATAL: sorry, too many clients already")] * 3
        return []


class BruteForce(FaultModel):
    kind, failure_text, repair_range = "brute_force", "logins refused: accounts locked out", (20.0, 45.0)

    def setup(self, table: SeriesTable) -> float:
        self.idx = table.ensure(self.asset, "auth_failures_per_min", "", 0.3)
        self.rate = float(self.p.get("rate_per_min", 120.0))
        self._now = 0
        return self.onset + float(self.p.get("lockout_minutes", 60.0)) * 60.0

    def apply(self, t: float, values: np.ndarray) -> None:
        self._now = int(self.rng.poisson(self.rate))
        values[self.idx] = self._now

    def logs(self, t: float, step: float) -> list[Log]:
        users = ("admin", "root", "test", "oracle", "user", "backup")
        return [(self.asset, "sshd", f"Failed password for invalid user {users[int(u) % 6]} from 203.0.113.{int(u)} "
                                     f"port {40000 + int(u) * 7} ssh2")
                for u in self.rng.integers(1, 254, self._now)]


KINDS: dict[str, type[FaultModel]] = {cls.kind: cls for cls in (
    DiskFill, MemoryLeak, CertExpiry, FailingDisk, BackupFailing, LinkDown, CpuRunaway, DnsMisconfig,
    DbPoolExhaustion, BruteForce)}


def build_faults(specs: list[Fault], start: float, table: SeriesTable, seed: int) -> list[FaultModel]:
    """One model per fault; each draws from its own random stream so faults never perturb each other."""
    return [KINDS[s.kind](n, s, start, table, np.random.default_rng([seed, 101, n])) for n, s in enumerate(specs)]
