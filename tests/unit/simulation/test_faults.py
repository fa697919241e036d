"""Each fault kind bends the metrics, check results and logs it really would, and carries its ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.core.enums import CheckStatus
from forewarn.monitoring import CheckDefinition, Threshold
from forewarn.simulation import FAULT_KINDS, FAULT_MODELS, Twin
from forewarn.simulation.workload import DAY

from .conftest import environment, scenario

HOUR = 3600.0


def bound_twin(faults: list[dict]) -> Twin:
    """A twin with made-up ids: enough to produce check results and log lines without a pipeline."""
    twin = Twin(scenario(faults))
    checks = []
    for asset in environment()["assets"]:
        for c in asset["checks"]:
            checks.append(CheckDefinition(
                id=f"{asset['name']}/{c['name']}", tenant_id="t", asset_id=asset["name"], asset_name=asset["name"],
                asset_address=None, name=c["name"], kind=c["kind"], params={}, interval=c.get("interval", 60),
                timeout=10, thresholds=tuple(Threshold.model_validate(t) for t in c.get("thresholds", [])),
                confirm_count=2))
    twin.bind("t", {a["name"]: a["name"] for a in environment()["assets"]}, checks)
    return twin


def value(twin: Twin, t: float, asset: str, metric: str) -> float:
    return float(twin.sample(t)[twin.table.index[(asset, metric)]])


def statuses(twin: Twin, t: float, span: int = 3600) -> dict[str, CheckStatus]:
    """Each check's status in [t, t + span): checks due in that window report (span ≥ interval: all do)."""
    out: dict[str, CheckStatus] = {}
    for k in range(0, span, 60):
        for r in twin.check_results(t + k, twin.sample(t + k), every=True):
            out[r.check_id] = r.status
    return out


def logs(twin: Twin, t0: float, minutes: int) -> list[str]:
    return [line.message for k in range(minutes) for line in (twin.sample(t0 + 60 * k) is not None
                                                               and twin.log_lines(t0 + 60 * k))]


def test_the_library_has_every_kind_the_scenario_format_names():
    assert set(FAULT_MODELS) == set(FAULT_KINDS) and len(FAULT_KINDS) == 10


def test_disk_fill_linear_reaches_full_when_its_ground_truth_says():
    twin = bound_twin([{"kind": "disk_fill", "asset": "srv1", "at": "6h", "params": {"days": 1}}])
    s, truth = twin.scenario.start, twin.faults[0].truth
    assert truth.failure_at == s + 6 * HOUR + DAY and truth.fails == "srv1" and not truth.on_site
    assert value(twin, s + 5 * HOUR, "srv1", "disk_used_percent") == pytest.approx(60, abs=0.5)
    assert value(twin, s + 18 * HOUR, "srv1", "disk_used_percent") == pytest.approx(80, abs=0.5)
    assert value(twin, truth.failure_at + 60, "srv1", "disk_used_percent") == 100
    assert statuses(twin, truth.failure_at + 60)["app/http"] is CheckStatus.CRITICAL  # the app on it fails too
    assert statuses(twin, s + 5 * HOUR)["app/http"] is CheckStatus.OK
    assert any("No space left" in m for m in logs(twin, truth.failure_at, 10))


def test_disk_fill_bursty_climbs_in_steps_to_the_same_end():
    twin = bound_twin([{"kind": "disk_fill", "asset": "srv1", "at": "0h", "params": {"days": 1, "mode": "bursty",
                                                                                    "bursts": 6}}])
    s = twin.scenario.start
    levels = [value(twin, s + k * 600, "srv1", "disk_used_percent") for k in range(1, 145)]
    jumps = np.diff(levels)
    assert (jumps > 2).sum() <= 6 and (np.abs(jumps[jumps <= 2]) < 0.5).all()  # flat between bursts
    assert levels[-1] == pytest.approx(100)


def test_memory_leak_then_oom_crash():
    twin = bound_twin([{"kind": "memory_leak", "asset": "srv1", "fails": "app", "at": "0h", "params": {"days": 1}}])
    s, truth = twin.scenario.start, twin.faults[0].truth
    rising = [value(twin, s + h * HOUR, "srv1", "memory_used_percent") for h in (2, 12, 22)]
    assert rising[0] < rising[1] < rising[2] > 90
    assert value(twin, truth.failure_at + 120, "srv1", "memory_used_percent") < 50  # the process is gone
    assert statuses(twin, truth.failure_at + 60)["app/http"] is CheckStatus.CRITICAL
    assert statuses(twin, truth.failure_at + 60)["srv1/node"] is not CheckStatus.CRITICAL  # the host still runs
    assert any("Out of memory" in m for m in logs(twin, truth.failure_at - 60, 3))


def test_certificate_counts_down_to_expiry_and_breaks_the_site():
    twin = bound_twin([{"kind": "cert_expiry", "asset": "cert", "fails": "site", "at": "0h",
                        "params": {"days_left": 10}}])
    s, truth = twin.scenario.start, twin.faults[0].truth
    assert value(twin, s + DAY, "cert", "days_to_expiry") == pytest.approx(9)
    assert statuses(twin, s + 4 * DAY)["cert/expiry"] is CheckStatus.CRITICAL  # 6 days left < 7
    assert statuses(twin, truth.failure_at + 60)["site/http"] is CheckStatus.CRITICAL
    twin.faults[0].repaired_at = s + 2 * DAY
    assert value(twin, s + 3 * DAY, "cert", "days_to_expiry") == pytest.approx(89)  # renewed


def test_failing_disk_smart_counters_then_io_errors_then_loss():
    twin = bound_twin([{"kind": "failing_disk", "asset": "srv1", "at": "0h", "params": {"days": 2}}])
    s, truth = twin.scenario.start, twin.faults[0].truth
    assert truth.data_loss and truth.on_site
    counts = [value(twin, s + h * HOUR, "srv1", "smart_reallocated_sectors") for h in (1, 24, 47)]
    assert counts[0] < counts[1] < counts[2] and counts[2] > 100
    assert statuses(twin, s + 47 * HOUR)["srv1/smart"] is CheckStatus.CRITICAL
    assert value(twin, s + HOUR, "srv1", "io_errors_per_min") == 0
    assert any("I/O error" in m for m in logs(twin, truth.failure_at - 3 * HOUR, 30))
    assert statuses(twin, truth.failure_at + 60)["srv1/node"] is CheckStatus.CRITICAL


def test_backup_silently_failing_ages_and_ends_in_data_loss():
    twin = bound_twin([{"kind": "backup_failing", "asset": "backup", "at": "3h",
                        "params": {"restore_after_days": 3}}])
    s, truth = twin.scenario.start, twin.faults[0].truth
    assert truth.fails is None and truth.data_loss and truth.failure_at == s + 3 * HOUR + 3 * DAY
    assert value(twin, s + 2.5 * HOUR, "backup", "backup_age_hours") == pytest.approx(0.5)
    assert value(twin, s + DAY + 2.5 * HOUR, "backup", "backup_age_hours") == pytest.approx(24.5)  # no reset
    assert statuses(twin, s + 2 * DAY + 4 * HOUR)["backup/age"] is CheckStatus.CRITICAL
    assert any("0 files" in m for m in logs(twin, s + DAY + 2 * HOUR - 60, 3))


def test_link_down_cascades_to_everything_behind_it():
    twin = bound_twin([{"kind": "link_down", "asset": "sw1", "at": "10h", "params": {"precursor_hours": 2}}])
    truth = twin.faults[0].truth
    assert truth.on_site and truth.failure_at == twin.scenario.start + 12 * HOUR
    assert value(twin, truth.failure_at - 600, "sw1", "if_errors_per_min") > 20  # the precursor
    down = statuses(twin, truth.failure_at + 60)
    assert all(down[c] is CheckStatus.CRITICAL for c in ("sw1/ping", "srv1/node", "app/http", "vpn/port"))
    assert down["site/http"] is CheckStatus.OK  # hosted elsewhere
    assert sorted(twin.topology.affected_services("sw1")) == ["app", "vpn"]


def test_cpu_runaway_pins_the_cpu_then_the_app_times_out():
    twin = bound_twin([{"kind": "cpu_runaway", "asset": "srv1", "fails": "app", "at": "3h",
                        "params": {"impact_minutes": 60}}])
    s = twin.scenario.start
    assert value(twin, s + 3 * HOUR + 600, "srv1", "cpu_percent") > 95
    early = statuses(twin, s + 3 * HOUR + 600, span=300)
    assert early["srv1/node"] in (CheckStatus.WARNING, CheckStatus.CRITICAL) and early["app/http"] is CheckStatus.OK
    assert statuses(twin, s + 4 * HOUR + 60, span=60)["app/http"] is CheckStatus.CRITICAL


def test_dns_change_fails_the_probe_at_once_and_users_after_the_ttl():
    twin = bound_twin([{"kind": "dns_misconfig", "asset": "dns", "at": "9h", "params": {"ttl_minutes": 90}}])
    s = twin.scenario.start
    early = statuses(twin, s + 9 * HOUR + 60, span=60)
    assert early["dns/resolve"] is CheckStatus.CRITICAL and early["app/http"] is CheckStatus.OK
    assert statuses(twin, s + 10.5 * HOUR + 60)["app/http"] is CheckStatus.CRITICAL
    assert any("NXDOMAIN" in m for m in logs(twin, s + 9 * HOUR, 5))


def test_connection_pool_fills_then_refuses_clients():
    twin = bound_twin([{"kind": "db_pool_exhaustion", "asset": "db", "at": "1h", "params": {"hours": 4}}])
    truth = twin.faults[0].truth
    assert value(twin, truth.failure_at - HOUR, "db", "db_connections") > 70
    assert statuses(twin, truth.failure_at + 60)["app/http"] is CheckStatus.CRITICAL
    assert any("too many clients" in m for m in logs(twin, truth.failure_at, 2))


def test_brute_force_floods_the_auth_log_then_locks_users_out():
    twin = bound_twin([{"kind": "brute_force", "asset": "vpn", "at": "2h", "params": {"rate_per_min": 50,
                                                                                     "lockout_minutes": 30}}])
    s, truth = twin.scenario.start, twin.faults[0].truth
    lines = logs(twin, s + 2 * HOUR, 5)
    assert sum("Failed password" in m for m in lines) > 150
    assert value(twin, s + 2 * HOUR + 60, "vpn", "auth_failures_per_min") > 30
    assert statuses(twin, truth.failure_at + 60)["vpn/port"] is CheckStatus.CRITICAL


def test_a_repaired_fault_stops_producing_its_effects():
    twin = bound_twin([{"kind": "disk_fill", "asset": "srv1", "at": "0h", "params": {"days": 1}}])
    s = twin.scenario.start
    twin.faults[0].repaired_at = s + 12 * HOUR
    assert value(twin, s + 13 * HOUR, "srv1", "disk_used_percent") == pytest.approx(60, abs=0.5)
    assert statuses(twin, s + 2 * DAY)["app/http"] is CheckStatus.OK
