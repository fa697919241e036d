"""Correlation rules: one incident per problem with its root cause named; unrelated problems stay apart;
late symptoms join; dependency failures are consequences; maintenance hides but keeps."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from forewarn.alerting import SilenceIn, active_at, create_silence, record_signal
from forewarn.alerting.models import SignalRow, SilenceRow
from forewarn.auth import Principal, ensure_tenant
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.db import Database
from forewarn.incidents import apply_signal, get_incident, list_incidents
from forewarn.inventory import AssetIn, AssetKind, DependencyIn, create_asset, create_dependency

SYSTEM = Principal.system()
T0 = 1_767_225_600.0


class Env:
    """A tenant's topology and a way to fire signals into correlation."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ids: dict[str, str] = {}
        self.tenant_id = ""
        self._n = itertools.count()

    def build(self, deps: dict[str, list[str]], tags: dict[str, list[str]] | None = None) -> Env:
        with self.db.session() as session:
            self.tenant_id = ensure_tenant(session, "acme", "ACME").id
            for name in sorted(set(deps) | {d for ds in deps.values() for d in ds}):
                self.ids[name] = create_asset(session, SYSTEM, AssetIn(
                    tenant="acme", name=name, kind=AssetKind.HOST, tags=(tags or {}).get(name, []))).id
            for name, targets in deps.items():
                for target in targets:
                    create_dependency(session, SYSTEM, DependencyIn(asset_id=self.ids[name],
                                                                    depends_on_id=self.ids[target]))
        return self

    def fire(self, asset: str, at: float, severity: Severity = Severity.CRITICAL, kind: str = "check",
             state: SignalState = SignalState.FIRING, what: str = "down") -> str | None:
        signal = Signal(fingerprint=f"{kind}:{asset}:{what}", tenant_id=self.tenant_id, asset_id=self.ids[asset],
                        kind=kind, severity=severity, state=state, summary=f"{what}", ts=T0 + at)
        with self.db.session() as session:
            return apply_signal(session, signal, record_signal(session, signal))

    def incidents(self, open_only: bool = True):
        with self.db.session() as session:
            return list_incidents(session, SYSTEM, open_only=open_only)[0]

    def detail(self, incident_id: str):
        with self.db.session() as session:
            return get_incident(session, SYSTEM, incident_id)

    def suppressed(self) -> dict[str, str | None]:
        names = {v: k for k, v in self.ids.items()}
        with self.db.session() as session:
            return {names[r.asset_id]: r.suppressed for r in session.scalars(select(SignalRow))}


@pytest.fixture
def env(database_url: str):
    db = Database(database_url)
    yield Env(db)
    db.dispose()


STAR = {f"srv{i}": ["sw1"] for i in range(1, 9)} | {"sw1": ["gw1"], "web": ["srv1"], "db": ["srv2"]}


def test_switch_down_is_one_incident_with_the_switch_as_root_cause(env):
    env.build(STAR)
    env.fire("sw1", 0)
    for i, name in enumerate([f"srv{i}" for i in range(1, 9)] + ["web", "db"], start=1):
        env.fire(name, 5 * i)
    [incident] = env.incidents()
    assert incident.signal_count == 11
    assert incident.root_cause_asset_id == env.ids["sw1"]
    assert incident.title.startswith("sw1: down") and "(+10 affected)" in incident.title
    analysis = incident.analysis
    assert analysis["candidates"][0]["asset"] == "sw1" and len(analysis["candidates"]) == 3
    assert analysis["explanation"].startswith("sw1: down") and " → " in analysis["explanation"]
    assert "explains 100% of the observed impact" in analysis["explanation"]
    assert set(analysis["affected"]) == {f"srv{i}" for i in range(1, 9)} | {"web", "db"}
    # Every server's failure is a consequence of its switch: recorded, but it pages nobody.
    assert all(v == "dependency down" for k, v in env.suppressed().items() if k != "sw1")


def test_symptoms_first_still_name_the_cause_when_it_arrives(env):
    env.build(STAR)
    env.fire("web", 0)
    env.fire("srv1", 10)
    env.fire("sw1", 30)
    [incident] = env.incidents()
    assert incident.root_cause_asset_id == env.ids["sw1"]
    timeline = env.detail(incident.id).timeline
    assert any(e.kind == "root cause" and e.data["asset"] == "sw1" for e in timeline)


def test_a_late_symptom_joins_the_open_incident(env):
    env.build(STAR)
    env.fire("sw1", 0)
    env.fire("srv3", 600)  # ten minutes later, still within the grouping window
    [incident] = env.incidents()
    assert incident.signal_count == 2


def test_unrelated_simultaneous_problems_stay_separate(env):
    env.build(STAR | {"printer": [], "ups": []})
    env.fire("sw1", 0)
    env.fire("printer", 1)
    env.fire("srv5", 2)
    incidents = env.incidents()
    assert len(incidents) == 2
    roots = {i.root_cause_asset_id for i in incidents}
    assert roots == {env.ids["sw1"], env.ids["printer"]}


def test_far_apart_in_time_is_a_new_problem(env):
    env.build(STAR)
    env.fire("srv1", 0)
    env.fire("srv2", 4 * 3600)  # hours later: a new problem, even with a shared switch
    assert len(env.incidents()) == 2


def test_recovery_of_every_signal_resolves_the_incident(env):
    env.build(STAR)
    env.fire("sw1", 0)
    env.fire("srv1", 5)
    env.fire("sw1", 60, severity=Severity.INFO, state=SignalState.RESOLVED)
    assert len(env.incidents()) == 1  # srv1 still firing
    env.fire("srv1", 70, severity=Severity.INFO, state=SignalState.RESOLVED)
    assert env.incidents() == []
    assert env.incidents(open_only=False)[0].status == "resolved"


def test_maintenance_hides_but_keeps(env):
    env.build(STAR, tags={"srv4": ["patching"]})
    with env.db.session() as session:
        create_silence(session, SYSTEM, SilenceIn(tenant="acme", tag="patching", starts_at=T0, ends_at=T0 + 3600,
                                                  reason="monthly patches"))
    assert env.fire("srv4", 60) is None
    assert env.incidents() == []
    assert env.suppressed() == {"srv4": "maintenance"}  # the signal is stored, marked, not lost
    assert env.fire("srv4", 7200, what="down again") is not None  # after the window it pages again


def test_recurring_window_is_open_only_inside_each_occurrence():
    nightly = SilenceRow(starts_at=T0 + 2 * 3600, ends_at=T0 + 3 * 3600, recurrence="daily", until=None)
    assert active_at(nightly, T0 + 2.5 * 3600)
    assert active_at(nightly, T0 + 86_400 * 5 + 2.5 * 3600)
    assert not active_at(nightly, T0 + 86_400 * 5 + 4 * 3600)
    assert not active_at(nightly, T0 + 3600)


def test_siblings_behind_a_healthy_switch_are_separate_problems(env):
    env.build(STAR)
    env.fire("srv3", 0)
    env.fire("srv4", 1)
    assert len(env.incidents()) == 2


def test_a_late_cause_absorbs_the_incidents_of_its_symptoms(env):
    env.build(STAR)
    env.fire("srv3", 0)
    env.fire("srv4", 1)
    env.fire("sw1", 20)
    [incident] = env.incidents()
    assert incident.root_cause_asset_id == env.ids["sw1"] and incident.signal_count == 3
    merged = [i for i in env.incidents(open_only=False) if i.status == "resolved"]
    assert len(merged) == 1 and merged[0].analysis["merged_into"] == incident.id
    assert any(e.kind == "merged" for e in env.detail(incident.id).timeline)


def test_a_symptom_of_a_dependency_still_down_joins_its_incident_however_late(env):
    env.build(STAR)
    env.fire("sw1", 0)  # a broken DNS zone, say: its own probe fails at once ...
    env.fire("web", 1800)  # ... users' lookups only when their caches expire, 30 minutes later
    [incident] = env.incidents()
    assert incident.root_cause_asset_id == env.ids["sw1"] and incident.signal_count == 2
    assert env.suppressed()["web"] == "dependency down"


def test_a_warning_that_turns_critical_absorbs_the_symptoms_that_failed_just_before(env):
    env.build(STAR)
    env.fire("sw1", 0, severity=Severity.WARNING)  # rising interface errors, hours before the link fails
    env.fire("srv3", 5 * 3600)  # the link fails: a server's check happens to report first ...
    env.fire("srv4", 5 * 3600 + 30)
    env.fire("sw1", 5 * 3600 + 60)  # ... then the switch's own check
    env.fire("srv5", 5 * 3600 + 90)  # and one after it
    [incident] = env.incidents()
    assert incident.root_cause_asset_id == env.ids["sw1"] and incident.signal_count == 5


def test_a_symptom_seen_hours_before_its_dependency_failed_is_not_its_consequence(env):
    env.build(STAR)
    env.fire("sw1", 7200)  # the switch fails ...
    env.fire("web", 0)  # ... and a web check from two hours before arrives late (a backlog, a backdated push)
    incidents = env.incidents()
    assert len(incidents) == 2
    assert env.suppressed()["web"] is None
