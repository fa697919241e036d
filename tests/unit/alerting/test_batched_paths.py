"""The batch paths the simulator uses give what the one-by-one paths give: alerting, result storage, anomalies."""

from __future__ import annotations

from itertools import count

import numpy as np
import pytest

from forewarn.alerting import AnomalySignals, evaluate_result, evaluate_results
from forewarn.auth import Principal, ensure_tenant
from forewarn.core.enums import CheckStatus, SignalState
from forewarn.core.records import CheckResult, SampleBatch
from forewarn.db import Database
from forewarn.inventory import AssetIn, AssetKind, create_asset
from forewarn.monitoring import (
    CheckIn,
    IngestService,
    MemorySeriesStore,
    SeriesInfo,
    SeriesRegistry,
    check_history,
    create_check,
    get_check,
)

SYSTEM = Principal.system()
OK, WARN, CRIT = CheckStatus.OK, CheckStatus.WARNING, CheckStatus.CRITICAL
# Two checks interleaved: a confirmed failure and recovery on one, flapping on the other.
STATUSES = [(0, CRIT), (1, OK), (0, CRIT), (1, CRIT), (0, CRIT), (1, OK), (1, CRIT), (1, OK), (1, CRIT), (1, OK),
            (1, CRIT), (1, OK), (1, CRIT), (0, OK), (1, OK), (0, OK), (1, CRIT), (1, OK), (1, CRIT), (1, OK)]


@pytest.fixture
def world(database_url: str):
    db = Database(database_url)
    with db.session() as session:
        ensure_tenant(session, "internal", "Internal")
        asset = create_asset(session, SYSTEM, AssetIn(tenant="internal", name="srv-db1", kind=AssetKind.HOST))
        checks = [create_check(session, SYSTEM, CheckIn(asset=asset.id, name=f"port{i}", kind="tcp",
                                                        params={"port": 5000 + i}, confirm_count=2)).id
                  for i in range(4)]
    yield db, asset, checks
    db.dispose()


def _results(asset, check_ids: list[str]) -> list[CheckResult]:
    clock = count(1_700_000_000, 60)
    return [CheckResult(check_id=check_ids[i], asset_id=asset.id, tenant_id=asset.tenant_id, status=status,
                        summary=f"port {status.name}", ts=float(next(clock))) for i, status in STATUSES]


def _shape(signals, check_ids: list[str]) -> list[tuple]:
    return [(check_ids.index(s.check_id), s.state, s.severity, s.flapping, s.summary, s.ts) for s in signals]


def test_evaluate_results_in_one_session_match_one_result_per_session(world):
    db, asset, checks = world
    one_by_one, batch = checks[:2], checks[2:]
    singles = []
    for result in _results(asset, one_by_one):
        with db.session() as session:
            singles += evaluate_result(session, result)
    with db.session() as session:
        together = evaluate_results(session, _results(asset, batch))
    assert _shape(together, batch) == _shape(singles, one_by_one)
    assert any(s.flapping for s in together) and any(s.state is SignalState.FIRING and not s.flapping
                                                     for s in together)


def test_evaluate_results_skips_deleted_checks(world):
    db, asset, checks = world
    gone = CheckResult(check_id="no-such-check", asset_id=asset.id, tenant_id=asset.tenant_id, status=CRIT,
                       summary="x", ts=1.0)
    with db.session() as session:
        assert evaluate_results(session, [gone, gone]) == []


def test_record_results_stores_every_result_and_each_checks_newest_status(world):
    db, asset, checks = world
    ingest = IngestService(db, MemorySeriesStore(), SeriesRegistry(db))
    results = [CheckResult(checks[0], asset.id, asset.tenant_id, CRIT, "down", 200.0),
               CheckResult(checks[0], asset.id, asset.tenant_id, OK, "up", 260.0),
               CheckResult(checks[1], asset.id, asset.tenant_id, WARN, "slow", 230.0),
               CheckResult("deleted-meanwhile", asset.id, asset.tenant_id, CRIT, "lost", 240.0)]
    assert ingest.record_results(results) is None  # no metrics: no samples
    with db.session() as session:
        assert [(h.ts, h.status) for h in check_history(session, SYSTEM, checks[0])] == [(260.0, "OK"),
                                                                                       (200.0, "CRITICAL")]
        first, second = get_check(session, SYSTEM, checks[0]), get_check(session, SYSTEM, checks[1])
    assert (first.last_status, first.last_summary, first.last_run_at) == ("OK", "up", 260.0)
    assert (second.last_status, second.last_run_at) == ("WARNING", 230.0)


def _series(n: int) -> dict[int, SeriesInfo]:
    names = ["cpu_percent", "rtt_ms", "uptime_seconds"]
    return {100 + i: SeriesInfo(100 + i, "t1", f"a{i}", names[i % 3], "", "", None) for i in range(n)}


def _samples(n_series: int, steps: int) -> SampleBatch:
    rng = np.random.default_rng(7)
    ts = 1_700_000_000 + 60.0 * np.arange(steps)
    values = 20 + 3 * np.sin(ts / 3600.0)[:, None] + rng.normal(0, 0.5, (steps, n_series))
    values[steps - 40, 0] += 40.0  # a surprise on the first series after the learning period
    values[steps - 25, 1] -= 30.0
    ids = np.tile(100 + np.arange(n_series), steps)
    ids[5] = 999  # an id the registry never heard of
    return SampleBatch(ids, np.repeat(ts, n_series), values.ravel())


def test_anomaly_stage_gives_the_same_firing_signals_for_one_big_batch_as_tick_by_tick():
    info = _series(3)

    def describe(ids):
        return {i: info[i] for i in ids if i in info}

    batch = _samples(3, 1600)  # past the stage's first day, when series start to page
    whole = AnomalySignals(describe).process(batch)
    ticked = AnomalySignals(describe)
    per_tick = []
    for t in np.unique(batch.timestamps):
        at = batch.timestamps == t
        per_tick += ticked.process(SampleBatch(batch.series_ids[at], batch.timestamps[at], batch.values[at]))

    def firing(signals):
        return [(s.fingerprint, s.ts, s.evidence["value"], s.evidence["score"]) for s in signals
                if s.state is SignalState.FIRING]

    assert firing(whole) == firing(per_tick)
    assert {s.fingerprint for s in whole if s.state is SignalState.FIRING} >= {"anomaly:100", "anomaly:101"}
    assert not any(s.fingerprint in ("anomaly:102", "anomaly:999") for s in whole + per_tick)  # skipped, unknown


def test_anomaly_stage_pages_for_a_series_only_after_its_first_day():
    info = _series(1)

    def describe(ids):
        return {i: info[i] for i in ids if i in info}

    stage = AnomalySignals(describe)
    rng = np.random.default_rng(5)
    fired = []
    for k in range(1600):  # minute samples; a surprise after two hours and one after 25 hours
        t = 1_700_000_000 + 60.0 * k
        v = 20 + 3 * np.sin(t / 3600.0) + rng.normal(0, 0.5) + (40.0 if k in (120, 1500) else 0.0)
        fired += [s.ts for s in stage.process(SampleBatch(np.array([100]), np.array([t]), np.array([v])))
                  if s.state is SignalState.FIRING]
    assert fired == [1_700_000_000 + 60.0 * 1500]
