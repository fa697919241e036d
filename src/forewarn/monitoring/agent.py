"""The built-in host agent: samples this machine with psutil into metric points (rates from counters)."""

from __future__ import annotations

import os
import time

import psutil

from forewarn.core.records import MetricPoint

# Pseudo file systems say nothing about capacity; skipping them keeps the charts meaningful.
_SKIP_FSTYPES = {"tmpfs", "devtmpfs", "squashfs", "overlay", "proc", "sysfs", "nsfs", "cgroup2", ""}


class HostSampler:
    """Keeps the previous counters so disk and network I/O become per-second rates."""

    def __init__(self) -> None:
        self._prev: tuple[float, dict[str, float]] | None = None
        psutil.cpu_percent(None)  # primes the CPU measurement so the first sample is real

    def sample(self) -> list[MetricPoint]:
        points = self._cpu_and_memory() + self._disks()
        now = time.monotonic()
        counters = self._counters()
        if self._prev is not None:
            points += self._rates(now - self._prev[0], self._prev[1], counters)
        self._prev = (now, counters)
        points.append(MetricPoint("process_count", float(len(psutil.pids())), ""))
        points.append(MetricPoint("uptime_seconds", time.time() - psutil.boot_time(), "s"))
        return points

    def _cpu_and_memory(self) -> list[MetricPoint]:
        load1, load5, load15 = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
        mem = psutil.virtual_memory()
        swap = psutil.swap_memory()
        return [
            MetricPoint("cpu_percent", psutil.cpu_percent(None), "%"),
            MetricPoint("load1", load1), MetricPoint("load5", load5), MetricPoint("load15", load15),
            MetricPoint("memory_used_percent", mem.percent, "%"),
            MetricPoint("memory_available_bytes", float(mem.available), "B"),
            MetricPoint("swap_used_percent", swap.percent if swap.total else 0.0, "%"),
        ]

    def _disks(self) -> list[MetricPoint]:
        points: list[MetricPoint] = []
        seen: set[str] = set()
        for part in psutil.disk_partitions(all=False):
            if part.fstype in _SKIP_FSTYPES or part.device in seen:
                continue
            seen.add(part.device)
            try:
                usage = psutil.disk_usage(part.mountpoint)
            except OSError:  # unreadable or vanished mount
                continue
            labels = {"mount": part.mountpoint}
            points.append(MetricPoint("disk_used_percent", usage.percent, "%", labels))
            points.append(MetricPoint("disk_free_bytes", float(usage.free), "B", labels))
        return points

    @staticmethod
    def _counters() -> dict[str, float]:
        out: dict[str, float] = {}
        disk = psutil.disk_io_counters()
        if disk is not None:
            out["disk_read_bytes_per_second"] = float(disk.read_bytes)
            out["disk_write_bytes_per_second"] = float(disk.write_bytes)
        net = psutil.net_io_counters()
        if net is not None:
            out["network_receive_bytes_per_second"] = float(net.bytes_recv)
            out["network_transmit_bytes_per_second"] = float(net.bytes_sent)
        return out

    @staticmethod
    def _rates(dt: float, prev: dict[str, float], now: dict[str, float]) -> list[MetricPoint]:
        if dt <= 0:
            return []
        # A counter that went down was reset (reboot, driver reload): skip it for this round.
        return [MetricPoint(name, (value - prev[name]) / dt, "B/s")
                for name, value in now.items() if name in prev and value >= prev[name]]
