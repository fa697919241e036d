"""Verification re-runs the failing check (a real HTTP check); matching picks runbooks by signal and asset."""

from __future__ import annotations

import pytest

from forewarn.core import SignalState
from forewarn.remediation import execute, match_signal, start_run
from forewarn.testing.loopback import LoopbackHttpServer


@pytest.fixture
def site():
    server = LoopbackHttpServer().start()
    yield server
    server.stop()


def _runbook(world, attempts: int = 2) -> str:
    return f"""
name: fix-site
match: {{kind: check, check_kind: http, tags: [web]}}
verify: {{check: signal, attempts: {attempts}, interval: 30}}
guards: {{cooldown: 0, max_runs_per_hour: 100}}
steps:
  - kind: local
    argv: ["{world.recorder}", "fix"]
"""


async def test_verification_passes_when_the_failing_check_passes_and_counts_as_prevented(world_any_db, site):
    world = world_any_db
    check_id = world.add_check("homepage", site.url("/"))
    world.set_proactive(True)
    [rb] = world.load(_runbook(world))
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(check_id=check_id), clock=world.clock)
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded", run.reason
    assert run.result["verified"] is True and run.result["prevented"] is True
    assert "homepage passes" in run.result["verification"]


async def test_verification_fails_while_the_check_still_fails(world, site):
    site.reply("/", status=503, body="down")
    check_id = world.add_check("homepage", site.url("/"))
    world.set_proactive(True)
    [rb] = world.load(_runbook(world, attempts=3))
    start = world.clock.now()
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(check_id=check_id), clock=world.clock)
    run = await execute(world.db, run_id, world.config)
    assert run.status == "failed"
    assert run.result == {**run.result, "verified": False, "prevented": False}
    assert "still fails after 3 attempt(s)" in run.reason
    assert world.clock.now() - start == 60  # two waits of 30 s on the fake clock between three attempts
    assert len([r for r in site.requests if r.path == "/"]) == 3


async def test_a_reactive_incident_is_not_prevented_even_when_fixed(world, site):
    check_id = world.add_check("homepage", site.url("/"))
    [rb] = world.load(_runbook(world))
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(check_id=check_id), clock=world.clock)
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded" and run.result["prevented"] is False


async def test_without_a_check_to_rerun_the_run_is_not_called_a_success(world):
    [rb] = world.load(_runbook(world))
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(check_id=None), clock=world.clock)
    run = await execute(world.db, run_id, world.config)
    assert run.status == "failed" and "cannot verify" in run.reason


def test_match_signal_by_kind_tags_check_kind_summary_and_tenant(world, site):
    check_id = world.add_check("homepage", site.url("/"))
    world.load(_runbook(world))
    world.load("""
runbooks:
  - name: by-summary
    match: {summary: 'disk (?P<mount>/\\S*) full', severity: critical}
    steps: [{kind: local, argv: ["true"]}]
  - name: other-tenant
    match: {tenant: acme, tags: [db]}
    steps: [{kind: local, argv: ["true"]}]
""", "more.yaml")
    with world.db.session() as s:
        names = lambda sig: [r.name for r in match_signal(s, sig)]  # noqa: E731
        assert names(world.signal(check_id=check_id)) == ["fix-site"]
        assert names(world.signal(summary="disk /var full", check_id=check_id)) == ["by-summary", "fix-site"]
        assert names(world.signal(summary="disk /var full", kind="anomaly")) == ["by-summary"]
        resolved = world.signal(check_id=check_id)
        resolved.state = SignalState.RESOLVED
        assert names(resolved) == []
