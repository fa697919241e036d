"""Priorities P1–P4 from impact (client services, users) and severity; raised as impact grows; overrides stick."""

from __future__ import annotations

import pytest

from forewarn.core.errors import ValidationFailed
from forewarn.incidents import IncidentAction, act, derive_priority, get_incident, list_incidents, sla_tick
from forewarn.incidents.models import IncidentRow

from .conftest import SYSTEM, T0


@pytest.mark.parametrize(("severity", "services", "users", "expected"), [
    ("critical", 0, 0, "P3"), ("critical", 1, 0, "P2"), ("critical", 1, 25, "P1"), ("critical", 3, 0, "P1"),
    ("warning", 0, 0, "P4"), ("warning", 1, 5, "P3"), ("warning", 2, 0, "P2"), ("warning", 1, 500, "P2"),
    ("info", 0, 0, "P4"), ("info", 1, 0, "P4"), ("info", 5, 1000, "P3"),
])
def test_matrix(severity, services, users, expected):
    assert derive_priority(severity, services, users) == expected


def test_priority_follows_the_blast_radius(env):
    backup, _ = env.fire("backup", "critical")
    router, _ = env.fire("router", "critical", ts=T0 + 5000)  # far apart in time: its own incident
    sla_tick(env.session, T0 + 5000)
    b, r = env.session.get(IncidentRow, backup), env.session.get(IncidentRow, router)
    assert (b.priority, b.impact["services"]) == ("P3", [])
    # The router carries the server and both client services behind it; the portal serves 150 users.
    assert (r.priority, r.impact["services"], r.impact["users"]) == ("P1", ["pms", "portal"], 150)
    events = [e for e in get_incident(env.session, SYSTEM, router).timeline if e.kind == "priority"]
    assert events[-1].data["to"] == "P1" and "pms, portal" in events[-1].message


def test_priority_rises_with_severity_and_never_drops_by_itself(env):
    incident, _ = env.fire("pms", "warning", fp="pms:slow")
    sla_tick(env.session, T0)
    row = env.session.get(IncidentRow, incident)
    assert row.priority == "P2"  # one service, 40 users (impact level 2), a warning
    again, _ = env.fire("pms", "critical", fp="pms:down", ts=T0 + 60)
    assert again == incident
    assert sla_tick(env.session, T0 + 60) == []  # correlation raised it when the signal joined, not the tick
    assert row.priority == "P1"
    env.fire("pms", "critical", fp="pms:down", ts=T0 + 120, state="resolved")
    sla_tick(env.session, T0 + 120)
    assert row.priority == "P1"
    assert sla_tick(env.session, T0 + 180) == []  # nothing new: the tick is idempotent


def test_override_sticks_until_set_back_to_auto(env):
    incident, _ = env.fire("pms", "warning", fp="pms:slow")
    sla_tick(env.session, T0)
    with pytest.raises(ValidationFailed) as err:
        act(env.session, SYSTEM, incident, IncidentAction(action="set_priority", priority="P4"), now=T0)
    assert err.value.where == "message"
    out = act(env.session, SYSTEM, incident, IncidentAction(action="set_priority", priority="P4",
                                                            message="client says it can wait"), now=T0 + 10)
    assert (out.priority, out.priority_overridden) == ("P4", True)
    env.fire("pms", "critical", fp="pms:down", ts=T0 + 60)
    sla_tick(env.session, T0 + 60)
    assert env.session.get(IncidentRow, incident).priority == "P4"
    out = act(env.session, SYSTEM, incident, IncidentAction(action="set_priority", priority="auto",
                                                            message="back to impact"), now=T0 + 70)
    assert (out.priority, out.priority_overridden) == ("P1", False)
    kinds = [(e.kind, e.actor, e.data.get("to")) for e in out.timeline if e.kind == "priority"]
    assert kinds[-2:] == [("priority", "system", "P4"), ("priority", "system", "P1")]
    assert out.timeline[-1].message == "back to impact"


def test_list_filters_by_priority_and_sorts_worst_first(env):
    backup, _ = env.fire("backup", "warning")
    router, _ = env.fire("router", "critical", ts=T0 + 5000)
    sla_tick(env.session, T0 + 5000)
    items, total = list_incidents(env.session, SYSTEM, now=T0 + 5000)
    assert [i.id for i in items] == [router, backup] and total == 2
    items, total = list_incidents(env.session, SYSTEM, priority="P1,P2", now=T0)
    assert [i.id for i in items] == [router] and total == 1
    with pytest.raises(ValidationFailed) as err:
        list_incidents(env.session, SYSTEM, priority="P0")
    assert err.value.where == "priority"
