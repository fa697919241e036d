"""SLA timers on incidents, driven by a frozen clock: due instants, warning before a breach, breaches
recorded once, pauses outside business hours, recomputation on priority and policy changes, counts."""

from __future__ import annotations

from sqlalchemy import select

from forewarn.core.clock import FakeClock
from forewarn.incidents import IncidentAction, act, get_incident, refresh_tenant_timers, sla_summary, sla_tick
from forewarn.incidents.models import SlaBreachRow
from forewarn.inventory import SlaPolicyIn, set_sla_policy

from .conftest import SYSTEM, T0

H = 3600.0
POLICY = SlaPolicyIn(
    timezone="Europe/Berlin", hours={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    targets={"P1": {"response": 15, "resolution": 240, "clock": "24x7"},
             "P2": {"response": 60, "resolution": 600}, "P3": {"response": 240, "resolution": 2400}})


def setup(env, clock: FakeClock) -> str:
    set_sla_policy(env.session, SYSTEM, "dental", POLICY, clock.now())
    incident, _ = env.fire("pms", "warning", ts=clock.now())  # one client service, 40 users: P2
    sla_tick(env.session, clock.now())
    return incident


def test_warning_then_breach_each_once(env):
    clock = FakeClock(T0)  # Friday 09:00 in Berlin, when the office opens
    incident = setup(env, clock)
    sla = get_incident(env.session, SYSTEM, incident, clock.now()).sla
    assert sla.priority == "P2" and sla.clock == "business"
    assert sla.response.due_at == T0 + H and sla.response.warn_at == T0 + 0.8 * H
    assert sla.response.remaining_seconds == H and not sla.response.paused
    clock.advance(0.7 * H)
    assert sla_tick(env.session, clock.now()) == []
    clock.advance(0.15 * H)
    assert sla_tick(env.session, clock.now()) == [incident]
    assert sla_tick(env.session, clock.now()) == []
    warned = get_incident(env.session, SYSTEM, incident, clock.now())
    assert warned.timeline[-1].kind == "sla" and warned.timeline[-1].data["change"] == "sla_warning"
    assert warned.sla.response.warned and not warned.sla.response.breached
    clock.advance(0.2 * H)
    assert sla_tick(env.session, clock.now()) == [incident]
    assert sla_tick(env.session, clock.now()) == []
    late = get_incident(env.session, SYSTEM, incident, clock.now())
    assert late.sla.response.breached and late.sla.response.remaining_seconds == -0.05 * H
    assert late.timeline[-1].data["change"] == "sla_breached"
    breaches = env.session.scalars(select(SlaBreachRow)).all()
    assert [(b.kind, b.priority, b.due_at) for b in breaches] == [("response", "P2", T0 + H)]


def test_clock_pauses_over_the_weekend(env):
    clock = FakeClock(T0)
    incident = setup(env, clock)
    act(env.session, SYSTEM, incident, IncidentAction(action="acknowledge"), now=T0 + 600)
    # Resolution: 10 business hours from Friday 09:00 = 8 on Friday and 2 on Monday (due Monday 11:00).
    monday_11 = T0 + 3 * 24 * H + 2 * H
    clock.advance(30 * H)  # Saturday afternoon
    sla = get_incident(env.session, SYSTEM, incident, clock.now()).sla
    assert sla.resolution.due_at == monday_11
    assert sla.resolution.paused and sla.resolution.remaining_seconds == 2 * H
    assert sla.response.stopped_at == T0 + 600 and not sla.response.running and not sla.response.breached
    # 80% (8 business hours) was used up at Friday 17:00: warned, but nothing breaches while the office is closed.
    assert sla_tick(env.session, clock.now()) == [incident]
    assert sla_tick(env.session, clock.now() + 24 * H) == []
    clock.advance(monday_11 - clock.now() - 60)
    assert sla_tick(env.session, clock.now()) == []
    assert get_incident(env.session, SYSTEM, incident, clock.now()).sla.resolution.remaining_seconds == 60
    clock.advance(120)
    assert sla_tick(env.session, clock.now()) == [incident]
    events = [e.data["change"] for e in get_incident(env.session, SYSTEM, incident, clock.now()).timeline
              if e.kind == "sla"]
    assert events == ["sla_warning", "sla_breached"]


def test_late_acknowledgement_is_a_breach_at_once(env):
    clock = FakeClock(T0)
    set_sla_policy(env.session, SYSTEM, "dental", POLICY, clock.now())
    incident, _ = env.fire("router", "critical", ts=clock.now())  # P1, around the clock: 15 minutes
    sla_tick(env.session, clock.now())
    out = act(env.session, SYSTEM, incident, IncidentAction(action="acknowledge"), now=T0 + 1200)
    assert out.priority == "P1" and out.sla.response.breached
    assert out.timeline[-1].data["change"] == "sla_breached"
    assert env.session.scalars(select(SlaBreachRow.kind)).all() == ["response"]
    summary = sla_summary(env.session, SYSTEM, "dental")
    assert (summary.breaches, summary.breaches_by_priority, summary.breaches_by_kind["response"]) == (1, {"P1": 1}, 1)
    assert summary.met == {"response": 0, "resolution": 0} and summary.open_breached == 1


def test_priority_override_and_policy_change_recompute_due_instants(env):
    clock = FakeClock(T0)
    incident = setup(env, clock)
    out = act(env.session, SYSTEM, incident, IncidentAction(action="set_priority", priority="P1",
                                                            message="the practice cannot bill"), now=T0 + 60)
    assert out.sla.priority == "P1" and out.sla.clock == "24x7" and out.sla.response.due_at == T0 + 900
    looser = POLICY.model_copy(update={"targets": {**POLICY.targets,
                                                   "P1": POLICY.targets["P1"].model_copy(update={"response": 30})}})
    set_sla_policy(env.session, SYSTEM, "dental", looser, T0 + 120)
    refresh_tenant_timers(env.session, env.tenant_id, T0 + 120)
    assert get_incident(env.session, SYSTEM, incident, T0 + 120).sla.response.due_at == T0 + 1800
    # A priority without a target has no timers; the tick keeps it that way.
    act(env.session, SYSTEM, incident, IncidentAction(action="set_priority", priority="P4", message="minor"),
        now=T0 + 180)
    assert sla_tick(env.session, T0 + 4 * H) == []
    assert get_incident(env.session, SYSTEM, incident, T0 + 4 * H).sla is None


def test_met_targets_are_counted(env):
    clock = FakeClock(T0)
    incident = setup(env, clock)
    act(env.session, SYSTEM, incident, IncidentAction(action="acknowledge"), now=T0 + 600)
    act(env.session, SYSTEM, incident, IncidentAction(action="resolve"), now=T0 + 1200)
    assert sla_tick(env.session, T0 + 100 * H) == []  # stopped timers never breach later
    summary = sla_summary(env.session, SYSTEM, "dental")
    assert (summary.incidents, summary.breaches, summary.met) == (1, 0, {"response": 1, "resolution": 1})
    assert summary.policy is not None and summary.policy.timezone == "Europe/Berlin"
