"""The batch correlator: a batch decides exactly what the same signals one by one would, writes it in one
transaction, survives a restart (state rebuilt from the database) and follows technicians' changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forewarn.alerting.models import SignalRow
from forewarn.auth import Principal, ensure_tenant
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.db import Database
from forewarn.incidents import IncidentAction, act, correlate, get_incident, list_incidents
from forewarn.incidents.batch import CORRELATOR
from forewarn.incidents.models import IncidentEventRow, IncidentSignalRow
from forewarn.inventory import AssetIn, AssetKind, DependencyIn, create_asset, create_dependency

SYSTEM = Principal.system()
T0 = 1_767_225_600.0
STAR = {f"srv{i}": ["sw1"] for i in range(1, 9)} | {"sw1": ["gw1"], "web": ["srv1"], "db": ["srv2"]}


class Env:
    def __init__(self, db: Database, tenant: str = "acme") -> None:
        self.db = db
        self.ids: dict[str, str] = {}
        with db.session() as session:
            self.tenant_id = ensure_tenant(session, tenant, tenant.upper()).id
            for name in sorted(set(STAR) | {d for ds in STAR.values() for d in ds} | {"printer"}):
                self.ids[name] = create_asset(session, SYSTEM, AssetIn(tenant=tenant, name=name,
                                                                       kind=AssetKind.HOST)).id
            for name, targets in STAR.items():
                for target in targets:
                    create_dependency(session, SYSTEM, DependencyIn(asset_id=self.ids[name],
                                                                    depends_on_id=self.ids[target]))

    def signal(self, asset: str, at: float, state: SignalState = SignalState.FIRING, what: str = "down",
               severity: Severity = Severity.CRITICAL, flapping: bool = False) -> Signal:
        return Signal(fingerprint=f"check:{asset}:{what}", tenant_id=self.tenant_id, asset_id=self.ids[asset],
                      kind="check", severity=severity if state is SignalState.FIRING else Severity.INFO,
                      state=state, summary=what, ts=T0 + at, flapping=flapping)

    def run(self, *signals: Signal) -> list[str | None]:
        with self.db.session() as session:
            return correlate(session, list(signals))

    def incidents(self, open_only: bool = True):
        with self.db.session() as session:
            return [i for i in list_incidents(session, SYSTEM, open_only=open_only)[0] if i.tenant_id == self.tenant_id]

    def name(self, asset_id: str | None) -> str | None:
        return next((k for k, v in self.ids.items() if v == asset_id), None)


@pytest.fixture
def env(database_url: str):
    db = Database(database_url)
    CORRELATOR.forget()
    yield Env(db)
    CORRELATOR.forget()
    db.dispose()


def storm(env: Env) -> list[Signal]:
    """Symptoms first, the cause last, siblings in between: the hardest order for grouping."""
    return [env.signal("web", 0), env.signal("srv3", 1), env.signal("srv4", 2), env.signal("sw1", 20),
            *(env.signal(f"srv{i}", 30 + i) for i in (1, 2, 5, 6, 7, 8)), env.signal("db", 40),
            env.signal("printer", 41)]


def outcome(env: Env) -> list[tuple]:
    return sorted((env.name(i.root_cause_asset_id) or "", i.signal_count, i.status, i.title, i.flapping)
                  for i in env.incidents(open_only=False))


def test_one_batch_decides_what_one_by_one_decides(env):
    alone = Env(env.db, "beta")  # the same topology in another tenant, fed one signal per transaction
    for s in storm(alone):
        alone.run(s)
    results = env.run(*storm(env))
    assert outcome(env) == outcome(alone)
    [sw1] = [i for i in env.incidents() if env.name(i.root_cause_asset_id) == "sw1"]
    assert env.name(sw1.root_cause_asset_id) == "sw1" and sw1.signal_count == 11 and results[3] == sw1.id
    resolved = [i for i in env.incidents(open_only=False) if i.status == "resolved"]
    assert len(resolved) == 2 and all(i.analysis["merged_into"] == sw1.id for i in resolved)
    assert {env.name(i.root_cause_asset_id) for i in env.incidents()} == {"sw1", "printer"}


def test_duplicates_in_one_batch_count_once_per_condition(env):
    env.run(env.signal("sw1", 0), env.signal("sw1", 5), env.signal("sw1", 10))
    [incident] = env.incidents()
    assert incident.signal_count == 3
    with env.db.session() as session:
        [row] = session.scalars(select(SignalRow)).all()
        assert (row.count, row.first_seen, row.last_seen) == (3, T0, T0 + 10)
        assert session.scalar(select(func.count()).select_from(IncidentSignalRow)) == 1


def test_fire_recover_fire_in_one_batch_is_a_new_episode(env):
    results = env.run(env.signal("printer", 0), env.signal("printer", 60, SignalState.RESOLVED),
                      env.signal("printer", 4 * 3600))
    assert results[0] == results[1] and results[2] not in (None, results[0])
    assert [i.status for i in env.incidents(open_only=False)].count("resolved") == 1
    with env.db.session() as session:
        row = session.scalars(select(SignalRow)).one()
        assert (row.count, row.first_seen, row.state) == (3, T0 + 4 * 3600, "firing")


def test_a_restart_rebuilds_the_state_and_a_late_symptom_still_joins(env):
    [first] = env.run(env.signal("sw1", 0))
    CORRELATOR.forget()  # what a restart of the process does to memory
    assert env.run(env.signal("srv3", 600)) == [first]
    [incident] = env.incidents()
    assert incident.signal_count == 2 and env.name(incident.root_cause_asset_id) == "sw1"


def test_an_incident_a_technician_resolved_takes_no_more_signals(env):
    [first] = env.run(env.signal("sw1", 0))
    with env.db.session() as session:
        act(session, SYSTEM, first, IncidentAction(action="resolve", message="fixed the switch"))
    [second] = env.run(env.signal("srv3", 60))
    assert second != first
    assert {i.id for i in env.incidents()} == {second}


def test_a_transaction_that_fails_leaves_nothing_and_memory_follows_the_database(env):
    with pytest.raises(RuntimeError), env.db.session() as session:
        correlate(session, [env.signal("sw1", 0)])
        raise RuntimeError("the caller's transaction fails after correlation")
    assert env.incidents() == []
    [incident_id] = env.run(env.signal("srv3", 10))
    [incident] = env.incidents()
    assert incident.id == incident_id and incident.signal_count == 1  # no phantom sw1 incident to join


def test_storm_of_one_batch_is_ranked_once_and_explained(env):
    env.run(env.signal("sw1", 0), *(env.signal(f"srv{i}", i) for i in range(1, 9)))
    [incident] = env.incidents()
    assert env.name(incident.root_cause_asset_id) == "sw1"
    assert "(+8 affected)" in incident.title and incident.analysis["candidates"][0]["asset"] == "sw1"
    with env.db.session() as session:
        kinds = list(session.scalars(select(IncidentEventRow.kind).where(
            IncidentEventRow.incident_id == incident.id)))
        detail = get_incident(session, SYSTEM, incident.id)
    assert kinds.count("root cause") == 1 and kinds.count("opened") == 1 and kinds.count("signal") == 8
    assert len(detail.signal_ids) == 9


def test_flapping_condition_is_one_incident_with_the_marker(env):
    results = env.run(env.signal("printer", 0), env.signal("printer", 30, flapping=True),
                      env.signal("printer", 90, flapping=True))
    assert len(set(results)) == 1
    [incident] = env.incidents()
    assert incident.flapping and incident.signal_count == 3


def test_a_resolved_incident_keeps_its_root_cause_and_analysis(env):
    env.run(env.signal("sw1", 0), env.signal("srv1", 5), env.signal("sw1", 60, SignalState.RESOLVED),
            env.signal("srv1", 70, SignalState.RESOLVED))
    [incident] = env.incidents(open_only=False)
    assert incident.status == "resolved" and env.name(incident.root_cause_asset_id) == "sw1"
    assert incident.analysis["explanation"].startswith("sw1")
