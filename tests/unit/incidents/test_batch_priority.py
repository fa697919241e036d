"""An incident is rated (impact, priority, SLA timers) by the batch that opens or grows it: the same answers
as assign_priority gives afterwards, and the escalation tick already sees the priority when it picks a policy."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import select

from forewarn.auth import Principal, Role, ensure_tenant, set_email
from forewarn.auth.models import UserRow
from forewarn.auth.passwords import hash_password
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.db import Database
from forewarn.incidents import IncidentAction, act, assign_priority, correlate
from forewarn.incidents.batch import CORRELATOR
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSlaRow
from forewarn.incidents.priority import is_stale
from forewarn.inventory import (
    AssetIn,
    DependencyIn,
    SlaPolicyIn,
    create_asset,
    create_dependency,
    delete_dependency,
    set_sla_policy,
)
from forewarn.inventory.models import DependencyRow
from forewarn.notify import PolicyIn, create_policy, escalation_for_incident, tick
from forewarn.notify.escalation_schemas import StepIn

SYSTEM = Principal.system()
T0 = 1_767_945_600.0  # 2026-01-09 08:00 UTC, a Friday: business hours run out over the weekend
POLICY = SlaPolicyIn(timezone="Europe/Berlin", hours={d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
                     targets={"P1": {"response": 15, "resolution": 240, "clock": "24x7"},
                              "P2": {"response": 60, "resolution": 480}, "P3": {"response": 240, "resolution": 1440}})


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    CORRELATOR.forget()
    yield database
    CORRELATOR.prioritise = True
    CORRELATOR.forget()
    database.dispose()


def make_site(db: Database, slug: str, rng: np.random.Generator) -> dict[str, str]:
    """core ← 3 switches ← 12 servers ← 36 applications; some applications are client services with users."""
    names: dict[str, tuple[str, list[str], dict, list[str]]] = {"core": ("network_device", [], {}, [])}
    names |= {f"sw{i}": ("network_device", [], {}, ["core"]) for i in range(3)}
    names |= {f"srv{i}": ("host", [], {}, [f"sw{i % 3}"]) for i in range(12)}
    for i in range(36):
        kind = ("website", "service", "application", "application")[i % 4]
        tags = ["user-facing"] if i % 5 == 0 else []
        attrs = {"users": int(rng.integers(1, 300))} if i % 3 == 0 else {}
        deps = [f"srv{i % 12}"] + ([f"srv{(i + 5) % 12}"] if i % 7 == 0 else [])
        names[f"app{i}"] = (kind, tags, attrs, deps)
    ids: dict[str, str] = {}
    with db.session() as s:
        ensure_tenant(s, slug, slug.title())
        for name, (kind, tags, attrs, _) in names.items():
            ids[name] = create_asset(s, SYSTEM, AssetIn(tenant=slug, name=name, kind=kind, tags=tags,
                                                        attributes=attrs)).id
        for name, (_, _, _, deps) in names.items():
            for dep in deps:
                create_dependency(s, SYSTEM, DependencyIn(asset_id=ids[name], depends_on_id=ids[dep]))
        set_sla_policy(s, SYSTEM, slug, POLICY, T0 - 86400)
    return ids


def storm(rng: np.random.Generator, count: int) -> list[tuple[float, str, str, str, str]]:
    """(ts, asset, what, severity, state): hub outages with their dependants, lone warnings that turn
    critical, repeats and recoveries, in time order."""
    hubs = ["core", *(f"sw{i}" for i in range(3)), *(f"srv{i}" for i in range(12))]
    below = {"core": [*(f"sw{i}" for i in range(3)), *(f"srv{i}" for i in range(12)), *(f"app{i}" for i in range(36))]}
    below |= {f"sw{i}": [f"srv{j}" for j in range(i, 12, 3)] + [f"app{j}" for j in range(36) if j % 3 == i]
              for i in range(3)}
    below |= {f"srv{i}": [f"app{j}" for j in range(36) if j % 12 == i] for i in range(12)}
    out: list[tuple[float, str, str, str, str]] = []
    t = T0
    while len(out) < count:
        t += float(rng.exponential(200.0))
        r = rng.random()
        if r < 0.35:  # an outage: the dependants' checks first or last, the hub somewhere in between
            hub = str(rng.choice(hubs))
            members = [hub, *rng.choice(below[hub], size=min(len(below[hub]), int(rng.integers(1, 8))),
                                        replace=False).tolist()]
            back = t + float(rng.uniform(600, 3000))
            for m in members:
                at = t + float(rng.uniform(0, 90))
                out += [(at, m, "down", "critical", "firing"), (back + float(rng.uniform(0, 60)), m, "down", "info",
                                                                 "resolved")]
        elif r < 0.8:  # something slow that gets worse: a warning, then a critical on the same asset
            m = f"app{int(rng.integers(0, 36))}" if rng.random() < 0.7 else str(rng.choice(hubs))
            out += [(t, m, "slow", "warning", "firing"), (t + 60.0, m, "slow", "warning", "firing")]
            if rng.random() < 0.5:
                out.append((t + float(rng.uniform(100, 400)), m, "down", "critical", "firing"))
        else:
            m = f"app{int(rng.integers(0, 36))}"
            out += [(t, m, "disk", "info", "firing"), (t + 900.0, m, "disk", "info", "resolved")]
    out.sort()
    return out


def signal(tenant_id: str, ids: dict[str, str], ts: float, asset: str, what: str, severity: str,
           state: str) -> Signal:
    return Signal(fingerprint=f"{tenant_id}:check:{asset}:{what}", tenant_id=tenant_id, asset_id=ids[asset], kind="check",
                  severity=Severity(severity), state=SignalState(state), summary=f"{asset} {what}", ts=ts)


def snapshot(db: Database, tenant_id: str) -> list[tuple]:
    """Every incident by (title, opening), with what rating decided: priority, impact, timers, priority events."""
    with db.session() as s:
        rows = s.scalars(select(IncidentRow).where(IncidentRow.tenant_id == tenant_id)).all()
        slas = {r.incident_id: r for r in s.scalars(select(IncidentSlaRow).where(
            IncidentSlaRow.incident_id.in_([r.id for r in rows])))}
        events: dict[str, list[tuple]] = {}
        for e in s.scalars(select(IncidentEventRow).where(IncidentEventRow.kind == "priority",
                                                          IncidentEventRow.incident_id.in_([r.id for r in rows]))
                           .order_by(IncidentEventRow.id)):
            events.setdefault(e.incident_id, []).append((e.ts, e.actor, e.message, e.data["from"], e.data["to"],
                                                         e.data["source"], tuple(e.data["impact"]["services"])))
        out = []
        for r in rows:
            sla = slas.get(r.id)
            timers = None if sla is None else (sla.priority, sla.response_due_at, sla.resolution_due_at,
                                               sla.response_warn_at, sla.resolution_warn_at, sla.response_minutes)
            out.append((r.title, r.opened_at, r.status, r.signal_count, r.severity, r.priority, r.priority_overridden,
                        tuple(r.impact.get("services", ())), r.impact.get("users"), r.impact.get("assets"),
                        timers, tuple(events.get(r.id, ()))))
        return sorted(out, key=lambda x: (x[0], x[1]))


def run_both(db: Database, tenants: dict[str, tuple[str, dict[str, str]]], part: list[tuple]) -> None:
    """One batch through each tenant: rated by correlation itself ("batch"), or afterwards row by row ("ref")."""
    now = max(e[0] for e in part)
    CORRELATOR.prioritise = True
    with db.session() as s:
        correlate(s, [signal(tenants["batch"][0], tenants["batch"][1], *e) for e in part])
    CORRELATOR.prioritise = False
    with db.session() as s:
        correlate(s, [signal(tenants["ref"][0], tenants["ref"][1], *e) for e in part])
    with db.session() as s:
        for row in s.scalars(select(IncidentRow).where(IncidentRow.tenant_id == tenants["ref"][0])):
            if is_stale(row):
                assign_priority(s, row, now)


def test_the_batch_rates_as_assign_priority_does_over_a_generated_storm(db):
    rng = np.random.default_rng(7)
    seed = int(rng.integers(1 << 30))
    tenants = {}
    for slug in ("batch", "ref"):
        ids = make_site(db, slug, np.random.default_rng(seed))
        with db.session() as s:
            tenants[slug] = (ensure_tenant(s, slug, "").id, ids)
    feed = storm(rng, 400)
    for k in range(0, len(feed), 25):
        run_both(db, tenants, feed[k:k + 25])
        if k == 100:  # a technician's override sticks on both paths while the incident keeps growing
            for tenant_id, _ in tenants.values():
                with db.session() as s:
                    target = s.scalars(select(IncidentRow).where(IncidentRow.tenant_id == tenant_id,
                                                                 IncidentRow.status == "new")
                                       .order_by(IncidentRow.opened_at.desc(), IncidentRow.title)).first()
                    act(s, SYSTEM, target.id, IncidentAction(action="set_priority", priority="P4",
                                                             message="client says it can wait"), now=feed[k + 24][0])
    # Later, quiet: srv0 fails, its applications move to other servers, it flaps. Rated again with a
    # blast radius of one server, its incident must keep P1 (automatic recomputation only raises).
    t = feed[-1][0] + 7200.0
    firing: dict[tuple[str, str], bool] = {}
    for _, asset, what, _, state in feed:
        firing[(asset, what)] = state == "firing"
    # Quiet means recovered: the cut-off storm left some outages open, and a server behind a switch
    # still down joins that switch's incident (a consequence), where this test wants a new problem.
    run_both(db, tenants, [(t - 600.0, a, w, "info", "resolved") for (a, w), on in sorted(firing.items()) if on])
    run_both(db, tenants, [(t, "srv0", "power", "critical", "firing")])
    for tenant_id, ids in tenants.values():
        with db.session() as s:
            for dep in s.scalars(select(DependencyRow).where(DependencyRow.tenant_id == tenant_id,
                                                             DependencyRow.depends_on_id == ids["srv0"])):
                delete_dependency(s, SYSTEM, dep.id)
    run_both(db, tenants, [(t + 60.0, "srv0", "flap", "critical", "firing")])
    got, want = snapshot(db, tenants["batch"][0]), snapshot(db, tenants["ref"][0])
    assert got == want
    priorities = {row[5] for row in got}
    assert {"P1", "P2", "P3", "P4"} <= priorities  # the storm reached every row of the matrix
    assert sum(row[10] is not None for row in got) > 10  # timers under the business-hours policy
    assert any(ev[3] != "P4" for row in got for ev in row[11])  # some were raised after their first rating
    assert any(row[6] for row in got)  # the override is in the comparison
    [last] = [row for row in got if row[1] == t]
    assert (last[3], last[5], last[7], last[9]) == (2, "P1", (), 1)  # no service left in its radius, still P1
    with db.session() as s:  # nothing left for the SLA tick to rate
        assert not [r.id for r in s.scalars(select(IncidentRow).where(IncidentRow.tenant_id == tenants["batch"][0]))
                    if is_stale(r)]


def test_the_escalation_tick_picks_the_policy_by_the_priority_correlation_gave(db):
    ids = {}
    with db.session() as s:
        tenant_id = ensure_tenant(s, "acme", "Acme").id
        for name, kind, attrs in (("router", "network_device", {}), ("server", "host", {}),
                                  ("portal", "website", {"users": 150}), ("backup", "backup_job", {})):
            ids[name] = create_asset(s, SYSTEM, AssetIn(tenant="acme", name=name, kind=kind, attributes=attrs)).id
        create_dependency(s, SYSTEM, DependencyIn(asset_id=ids["server"], depends_on_id=ids["router"]))
        create_dependency(s, SYSTEM, DependencyIn(asset_id=ids["portal"], depends_on_id=ids["server"]))
        for name in ("alice", "carol"):
            s.add(UserRow(username=name, password_hash=hash_password("password-123"), role=Role.TECHNICIAN.value))
            s.flush()
            set_email(s, SYSTEM, name, f"{name}@msp.example")
        create_policy(s, SYSTEM, "acme", PolicyIn(name="p1-wakes-alice", steps=[StepIn(user="alice")],
                                                  priorities=["P1"], position=1), T0)
        create_policy(s, SYSTEM, "acme", PolicyIn(name="catch-all", steps=[StepIn(user="carol")], position=2), T0)
        set_sla_policy(s, SYSTEM, "acme", POLICY, T0 - 86400)
    with db.session() as s:
        down, slow = correlate(s, [
            Signal(fingerprint="check:router", tenant_id=tenant_id, asset_id=ids["router"], kind="check",
                   severity=Severity.CRITICAL, state=SignalState.FIRING, summary="router down", ts=T0),
            Signal(fingerprint="check:backup", tenant_id=tenant_id, asset_id=ids["backup"], kind="check",
                   severity=Severity.WARNING, state=SignalState.FIRING, summary="backup late", ts=T0 + 1)])
    with db.session() as s:  # the very next tick, no SLA tick in between
        tick(s, T0 + 2)
    with db.session() as s:
        assert s.get(IncidentRow, down).priority == "P1"
        assert escalation_for_incident(s, SYSTEM, down).policy == "p1-wakes-alice"
        assert escalation_for_incident(s, SYSTEM, slow).policy == "catch-all"
        sla = s.get(IncidentSlaRow, down)
        assert (sla.priority, sla.response_due_at) == ("P1", T0 + 15 * 60)  # P1 runs around the clock
