"""Check results through alerting into incidents, without the scheduler: hysteresis, flapping, dedupe."""

from __future__ import annotations

from itertools import count

import pytest

from forewarn.alerting import evaluate_result, record_signal, signals_by_ids
from forewarn.auth import Principal, ensure_tenant
from forewarn.core.enums import CheckStatus
from forewarn.core.records import CheckResult
from forewarn.db import Database
from forewarn.incidents import apply_signal, get_incident, list_incidents
from forewarn.inventory import AssetIn, AssetKind, create_asset
from forewarn.monitoring import CheckIn, create_check

SYSTEM = Principal.system()
OK, WARN, CRIT = CheckStatus.OK, CheckStatus.WARNING, CheckStatus.CRITICAL


@pytest.fixture
def feeder(database_url: str):
    """feed(status, …) pushes results of one check (confirm_count 2) through alerting and incidents."""
    db = Database(database_url)
    with db.session() as session:
        ensure_tenant(session, "internal", "Internal")
        asset = create_asset(session, SYSTEM, AssetIn(tenant="internal", name="srv-db1", kind=AssetKind.HOST))
        check = create_check(session, SYSTEM, CheckIn(asset=asset.id, name="port", kind="tcp",
                                                      params={"port": 5432}, confirm_count=2))
    clock = count(1_700_000_000, 60)

    def feed(*statuses: CheckStatus) -> None:
        for status in statuses:
            result = CheckResult(check_id=check.id, asset_id=asset.id, tenant_id=asset.tenant_id, status=status,
                                 summary=f"port 5432 {status.name}", ts=float(next(clock)))
            with db.session() as session:
                for signal in evaluate_result(session, result):
                    apply_signal(session, signal, record_signal(session, signal))

    def incidents():
        with db.session() as session:
            return list_incidents(session, SYSTEM)[0]

    def detail(incident_id: str):
        with db.session() as session:
            return get_incident(session, SYSTEM, incident_id)

    feed.incidents, feed.detail, feed.db = incidents, detail, db
    yield feed
    db.dispose()


def test_one_bad_result_opens_nothing(feeder):
    feeder(CRIT, OK, OK)
    assert feeder.incidents() == []


def test_confirmed_failure_opens_one_incident_and_recovery_resolves_it(feeder):
    feeder(CRIT, CRIT, CRIT, CRIT)
    [incident] = feeder.incidents()
    assert incident.status == "new" and incident.severity == "critical" and not incident.proactive
    feeder(OK, OK)
    [incident] = feeder.incidents()
    assert incident.status == "resolved" and incident.resolved_at is not None


def test_warning_is_proactive_and_escalation_updates_the_same_incident(feeder):
    feeder(WARN, WARN)
    [incident] = feeder.incidents()
    assert incident.proactive and incident.severity == "warning"
    feeder(CRIT, CRIT)
    [incident] = feeder.incidents()
    assert incident.severity == "critical" and incident.signal_count == 2


def test_a_flapping_check_is_one_incident_with_a_flap_marker(feeder):
    feeder(*([CRIT, CRIT, OK, OK] * 3), *([CRIT, OK] * 8))
    incidents = feeder.incidents()
    flapping = [i for i in incidents if i.flapping]
    assert len(flapping) == 1 and flapping[0].status == "new"
    assert len([i for i in incidents if i.status == "new"]) == 1
    before = len(feeder.detail(flapping[0].id).timeline)
    feeder(*([CRIT, OK] * 5))
    assert len(feeder.detail(flapping[0].id).timeline) == before  # no stream while flapping


def test_signals_are_deduplicated_by_fingerprint_with_counts(feeder):
    feeder(CRIT, CRIT, OK, OK, CRIT, CRIT)
    open_ = [i for i in feeder.incidents() if i.status == "new"]
    assert len(open_) == 1 and len(feeder.incidents()) == 2
    detail = feeder.detail(open_[0].id)
    with feeder.db.session() as session:
        [signal] = signals_by_ids(session, SYSTEM, detail.signal_ids)
    assert signal.count == 3 and signal.state == "firing" and signal.first_seen > 1_700_000_000 + 60 * 3
