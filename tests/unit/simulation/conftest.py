"""A small twin for the simulation tests: a server, its app and database, DNS, a certificate, a backup, a VPN."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from forewarn.core.clock import FakeClock
from forewarn.runtime import Platform
from forewarn.simulation import Scenario, parse_scenario, simulation_store
from forewarn.testing.platform import make_settings

NODE = {"name": "node", "kind": "prometheus", "interval": 300,
        "thresholds": [{"metric": "cpu_percent", "warning": 92, "critical": 98}]}


def environment() -> dict:
    def a(name: str, kind: str, deps: list[str] | None = None, checks: list | None = None, tags: list | None = None):
        return {"name": name, "kind": kind, "depends_on": deps or [], "checks": checks or [], "tags": tags or []}

    return {"tenant": {"slug": "sim-test", "name": "Simulated"}, "assets": [
        a("sw1", "network_device", checks=[{"name": "ping", "kind": "ping", "interval": 60}]),
        a("srv1", "host", ["sw1"], [NODE, {"name": "smart", "kind": "smart", "interval": 600, "params": {"device": "/dev/sda"},
                                           "thresholds": [{"metric": "smart_reallocated_sectors", "warning": 10,
                                                           "critical": 100}]}]),
        a("dns", "service", ["srv1"], [{"name": "resolve", "kind": "dns", "interval": 60}]),
        a("db", "database", ["srv1"], [{"name": "pool", "kind": "prometheus", "interval": 300, "thresholds": [
            {"metric": "db_connections", "warning": 80, "critical": 95}]}]),
        a("app", "application", ["srv1", "db", "dns"],
          [{"name": "http", "kind": "http", "interval": 60, "params": {"url": "http://app/"}}], ["user-facing"]),
        a("cert", "certificate", checks=[{"name": "expiry", "kind": "tls", "interval": 3600, "thresholds": [
            {"metric": "days_to_expiry", "warning": 14, "critical": 7, "direction": "below"}]}]),
        a("site", "website", ["cert"], [{"name": "http", "kind": "http", "interval": 60,
                                         "params": {"url": "https://site/"}}], ["user-facing"]),
        a("vpn", "service", ["sw1"], [{"name": "port", "kind": "tcp", "interval": 60, "params": {"port": 443}}],
          ["user-facing"]),
        a("backup", "backup_job", ["srv1"], [{"name": "age", "kind": "prometheus", "interval": 900, "thresholds": [
            {"metric": "backup_age_hours", "warning": 26, "critical": 48}]}]),
    ]}


WORKLOADS = [
    {"assets": ["srv1"], "metric": "cpu_percent", "unit": "%", "check": "node", "base": 15, "daily": 25, "noise": 3,
     "max": 100},
    {"assets": ["srv1"], "metric": "memory_used_percent", "unit": "%", "base": 50, "daily": 5, "noise": 1, "max": 100},
    {"assets": ["srv1"], "metric": "disk_used_percent", "unit": "%", "base": 60, "noise": 0.05, "max": 100},
    {"assets": ["srv1"], "metric": "smart_reallocated_sectors", "check": "smart"},
    {"assets": ["db"], "metric": "db_connections", "check": "pool", "base": 15, "daily": 20, "noise": 2},
    {"assets": ["cert"], "metric": "days_to_expiry", "unit": "d", "check": "expiry", "countdown_days": 60},
    {"assets": ["backup"], "metric": "backup_age_hours", "unit": "h", "check": "age", "resets_daily_at": 2},
    {"assets": ["vpn"], "metric": "auth_failures_per_min", "base": 0.3, "noise": 0.3},
]
LOGS = [{"asset": "vpn", "app": "sshd", "per_hour": 20, "templates": ["Accepted password for {user} from {ip} port {n}"]},
        {"asset": "srv1", "app": "app", "per_hour": 30, "templates": ["GET /items/{n} 200"]}]


def scenario(faults: list[dict], days: float = 2.0, seed: int = 5, history_days: float = 2.0) -> Scenario:
    doc = {"name": "test twin", "seed": seed, "days": days, "history_days": history_days,
           "environment": environment(), "workloads": WORKLOADS, "logs": LOGS, "faults": faults}
    return parse_scenario(yaml.safe_dump(doc), "test.yaml")


@pytest.fixture
def make_platform(tmp_path: Path, sqlite_url: str):
    made: list[Platform] = []

    def make(sc: Scenario, inline_stages: bool = False) -> Platform:
        p = Platform(make_settings(tmp_path / str(len(made)), sqlite_url if not made else None,
                                   notify_enabled=False), clock=FakeClock(sc.start), store=simulation_store(),
                     inline_stages=inline_stages)
        made.append(p)
        return p

    yield make
    for p in made:
        await_stop(p)


def await_stop(p: Platform) -> None:
    # The bus tasks belong to the test's event loop, already closed here: drop the stores directly.
    p.store.close()
    p.db.dispose()
