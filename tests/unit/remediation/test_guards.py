"""Guards and the run lifecycle: dry run, approval, rate limit, cooldown, kill switch, idempotent execute."""

from __future__ import annotations

import pytest

from forewarn.auth import Principal, Role
from forewarn.core.errors import ConflictError, PermissionDenied
from forewarn.incidents import get_incident
from forewarn.remediation import (
    TRANSITIONS,
    RunStatus,
    approve,
    execute,
    get_run,
    reject,
    runs_for_incident,
    set_kill_switch,
    start_run,
)

from .conftest import SYSTEM, TECH


def _runbook(world, guards: str = "{}") -> str:
    return f"""
name: restart-web
match: {{kind: check, tags: [web]}}
params:
  service: {{from: asset.attributes.unit, pattern: '^[a-zA-Z0-9@._-]+$'}}
verify: {{check: none}}
guards: {guards}
steps:
  - kind: local
    argv: ["{world.recorder}", "restart", "{{service}}"]
"""


def _start(world, rb: str, dry_run: bool = False) -> str:
    with world.db.session() as s:
        return start_run(s, rb, world.incident_id, world.signal(), dry_run=dry_run, clock=world.clock)


def _detail(world, run_id: str):
    with world.db.session() as s:
        return get_run(s, SYSTEM, run_id)


async def test_dry_run_renders_every_step_and_executes_nothing(world_any_db):
    world = world_any_db
    [rb] = world.load(_runbook(world))
    run_id = _start(world, rb, dry_run=True)
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded" and run.result["dry_run"] is True
    assert world.recorded() == []
    step = _detail(world, run_id).steps[0]
    assert step.status == "planned" and step.command == [str(world.recorder), "restart", "nginx"]


async def test_approval_flow_waits_then_runs_once_approved(world_any_db):
    world = world_any_db
    [rb] = world.load(_runbook(world, "{approval: true}"))
    run_id = _start(world, rb)
    assert (await execute(world.db, run_id, world.config)).status == "awaiting_approval"
    assert world.recorded() == []
    client = Principal(user_id=None, username="carl", role=Role.CLIENT, tenant_id=world.tenant_id)
    with world.db.session() as s, pytest.raises(PermissionDenied):
        approve(s, client, run_id)
    with world.db.session() as s:
        assert approve(s, TECH, run_id, clock=world.clock).approved_by == "tess"
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded", run.reason
    assert world.recorded() == [["restart", "nginx"]]
    # Idempotent: executing again does nothing.
    assert (await execute(world.db, run_id, world.config)).status == "succeeded"
    assert len(world.recorded()) == 1
    timeline = [(e.from_status, e.to_status, e.actor) for e in _detail(world, run_id).timeline]
    assert timeline == [(None, "pending", "system"), ("pending", "awaiting_approval", "system"),
                        ("awaiting_approval", "pending", "tess"), ("pending", "running", "system"),
                        ("running", "verifying", "system"), ("verifying", "succeeded", "system")]
    with world.db.session() as s:
        mirrored = [e for e in get_incident(s, SYSTEM, world.incident_id).timeline if e.kind == "runbook"]
    assert len(mirrored) == 6 and mirrored[-1].data["status"] == "succeeded"


async def test_rejected_run_never_executes(world):
    [rb] = world.load(_runbook(world, "{approval: true}"))
    run_id = _start(world, rb)
    with world.db.session() as s:
        assert reject(s, TECH, run_id, "not during business hours").status == "rejected"
    await execute(world.db, run_id, world.config)
    assert world.recorded() == []
    with world.db.session() as s, pytest.raises(ConflictError):
        approve(s, TECH, run_id)


async def test_rate_limit_per_asset_per_hour(world_any_db):
    world = world_any_db
    [rb] = world.load(_runbook(world, "{max_runs_per_hour: 2, cooldown: 0}"))
    statuses = []
    for _ in range(3):
        run_id = _start(world, rb)
        statuses.append((await execute(world.db, run_id, world.config)).status)
        world.clock.advance(60)
    assert statuses == ["succeeded", "succeeded", "skipped"]
    assert "rate limit" in _detail(world, run_id).reason
    world.clock.advance(3600)
    assert (await execute(world.db, _start(world, rb), world.config)).status == "succeeded"
    assert len(world.recorded()) == 3


async def test_cooldown_after_a_run(world):
    [rb] = world.load(_runbook(world, "{max_runs_per_hour: 100, cooldown: 600}"))
    await execute(world.db, _start(world, rb), world.config)
    world.clock.advance(300)
    second = _start(world, rb)
    assert _detail(world, second).status == "skipped" and "cooldown" in _detail(world, second).reason
    world.clock.advance(301)
    assert (await execute(world.db, _start(world, rb), world.config)).status == "succeeded"
    assert len(world.recorded()) == 2


async def test_kill_switch_stops_new_waiting_and_approved_runs(world_any_db):
    world = world_any_db
    [rb] = world.load(_runbook(world, "{approval: true, cooldown: 0, max_runs_per_hour: 100}"))
    waiting = _start(world, rb)
    with world.db.session() as s:
        set_kill_switch(s, TECH, "acme", True, "change freeze", clock=world.clock)
    assert _detail(world, waiting).status == "skipped"
    blocked = _start(world, rb)
    assert _detail(world, blocked).status == "skipped" and "kill switch" in _detail(world, blocked).reason
    with world.db.session() as s, pytest.raises(PermissionDenied):
        set_kill_switch(s, TECH, "acme", False)  # only an admin re-enables remediation
    with world.db.session() as s:
        set_kill_switch(s, SYSTEM, "acme", False, clock=world.clock)
    approved = _start(world, rb)
    with world.db.session() as s:
        approve(s, TECH, approved, clock=world.clock)
        set_kill_switch(s, TECH, "acme", True, clock=world.clock)
    assert (await execute(world.db, approved, world.config)).status == "skipped"
    assert world.recorded() == []
    with world.db.session() as s:
        assert [r.status for r in runs_for_incident(s, SYSTEM, world.incident_id)] == ["skipped"] * 3


def test_transition_table_allows_only_forward_moves():
    assert all(not TRANSITIONS[s] for s in RunStatus if s.terminal)
    assert RunStatus.RUNNING not in TRANSITIONS[RunStatus.AWAITING_APPROVAL]
    assert RunStatus.PENDING not in TRANSITIONS[RunStatus.RUNNING]


async def test_a_later_edit_does_not_change_a_run_already_started(world):
    [rb] = world.load(_runbook(world, "{approval: true}"))
    run_id = _start(world, rb)
    world.load(_runbook(world, "{approval: true}").replace('"restart"', '"stop"'))
    with world.db.session() as s:
        approve(s, TECH, run_id, clock=world.clock)
    await execute(world.db, run_id, world.config)
    assert world.recorded() == [["restart", "nginx"]]
    assert _detail(world, run_id).snapshot["version"] == 1
