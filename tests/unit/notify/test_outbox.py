"""Enqueueing: each change of an incident becomes one outbox row per routed channel, exactly once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forewarn.auth import Principal
from forewarn.core.errors import ConflictError, ValidationFailed
from forewarn.incidents import IncidentAction, act
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.notify import enqueue_changes, enqueue_for_change
from forewarn.notify.models import OutboxRow

T0 = 1_700_000_000.0


def _count(ndb) -> int:
    with ndb.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxRow))


def _changes(ndb, incident_id: str, now: float = T0) -> list[str]:
    with ndb.session() as s:
        return [k.rsplit(":", 2)[-2] if k.count(":") > 2 else k.rsplit(":", 1)[-1]
                for k in enqueue_changes(s, incident_id, now)]


def test_enqueueing_the_same_change_twice_adds_nothing(ndb, make_incident, webhook):
    incident = make_incident()
    a, b = webhook(), webhook()
    with ndb.session() as s:
        keys = enqueue_for_change(s, incident, "opened", T0)
    assert sorted(keys) == sorted([f"{a}:{incident}:opened", f"{b}:{incident}:opened"])
    with ndb.session() as s:
        assert enqueue_for_change(s, incident, "opened", T0 + 5) == []
    with ndb.session() as s:
        assert enqueue_changes(s, incident, T0 + 6) == []  # the same opening, seen from the timeline
    assert _count(ndb) == 2


def test_routing_by_min_severity_and_events(ndb, make_incident, webhook):
    critical_only = webhook(min_severity="critical")
    resolved_only = webhook(events=["resolved"])
    everything = webhook(events=["opened", "escalated", "acknowledged", "resolved", "reopened", "closed"])
    incident = make_incident(severity="warning")
    with ndb.session() as s:
        keys = enqueue_changes(s, incident, T0)
    assert keys == [f"{everything}:{incident}:opened"]
    with ndb.session() as s:  # the incident turns critical: the critical-only channel hears of it now
        s.get(IncidentRow, incident).severity = "critical"
    with ndb.session() as s:
        keys = enqueue_changes(s, incident, T0 + 1)
    assert sorted(keys) == sorted([f"{critical_only}:{incident}:escalated:critical",
                                   f"{everything}:{incident}:escalated:critical"])
    with ndb.session() as s:
        act(s, Principal.system(), incident, IncidentAction(action="resolve"))
    with ndb.session() as s:
        keys = enqueue_changes(s, incident, T0 + 2)
    assert {k.split(":")[0] for k in keys} == {critical_only, resolved_only, everything}
    assert all(":resolved:" in k for k in keys)


def test_every_lifecycle_change_is_detected_once(ndb, make_incident, webhook):
    webhook(events=["opened", "escalated", "acknowledged", "resolved", "reopened", "closed"])
    incident = make_incident()
    assert _changes(ndb, incident) == ["opened"]
    for action, change in [("acknowledge", "acknowledged"), ("resolve", "resolved"), ("reopen", "reopened"),
                           ("resolve", "resolved"), ("close", "closed")]:
        with ndb.session() as s:
            act(s, Principal.system(), incident, IncidentAction(action=action))
        assert _changes(ndb, incident) == [change]
        assert _changes(ndb, incident) == []  # the pipeline may announce a change twice
    assert _count(ndb) == 6  # both resolutions are distinct changes


def test_a_channel_added_later_hears_only_later_changes(ndb, make_incident, webhook):
    incident = make_incident()
    assert _changes(ndb, incident) == []  # no channel yet: nobody to tell, but the change is seen
    late = webhook()
    with ndb.session() as s:
        act(s, Principal.system(), incident, IncidentAction(action="resolve"))
    with ndb.session() as s:
        keys = enqueue_changes(s, incident, T0 + 1)
    assert len(keys) == 1 and keys[0].startswith(f"{late}:{incident}:resolved:")


def test_an_incident_merged_into_another_is_announced_resolved(ndb, make_incident, webhook):
    webhook()
    target, source = make_incident(title="switch1: down"), make_incident(title="web1: down")
    _changes(ndb, target), _changes(ndb, source)
    with ndb.session() as s:  # what correlation does when a late cause absorbs a symptom's incident
        s.add(IncidentEventRow(incident_id=target, ts=T0 + 3, kind="merged", actor="system",
                               message="absorbed", data={"incident": source}))
        act(s, Principal.system(), source, IncidentAction(action="resolve"))
    with ndb.session() as s:
        keys = enqueue_changes(s, target, T0 + 3)
    assert len(keys) == 1 and f":{source}:resolved:" in keys[0]


def test_other_tenants_channels_are_not_told(ndb, make_incident, webhook):
    webhook(tenant="globex")
    with ndb.session() as s:
        assert enqueue_changes(s, make_incident(tenant="acme"), T0) == []


def test_unknown_or_absent_changes_are_refused_with_a_sentence(ndb, make_incident, webhook):
    webhook()
    incident = make_incident()
    with ndb.session() as s, pytest.raises(ValidationFailed, match="unknown change 'exploded'"):
        enqueue_for_change(s, incident, "exploded", T0)
    with ndb.session() as s, pytest.raises(ConflictError, match="no resolved change"):
        enqueue_for_change(s, incident, "resolved", T0)
