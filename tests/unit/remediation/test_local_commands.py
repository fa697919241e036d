"""Local command steps run real processes: argv only, hostile signal text stays inert, output is bounded."""

from __future__ import annotations

import pytest

from forewarn.remediation import execute, get_run, start_run

from .conftest import SYSTEM

HOSTILE = [
    "; rm -rf /",
    "$(touch {tmp}/pwned)",
    "`touch {tmp}/pwned-bt`",
    "a\nb; touch {tmp}/pwned-nl",
    "' \" \\ | & > {tmp}/pwned-redirect",
]


def _runbook(recorder: str, extra_steps: str = "", note_pattern: str = "(?s).{1,300}") -> str:
    return f"""
name: record
match: {{kind: check}}
params:
  note: {{from: signal.evidence.note, pattern: '{note_pattern}'}}
  service: {{from: signal.evidence.service, pattern: '^[a-zA-Z0-9@._-]+$', default: web}}
verify: {{check: none}}
guards: {{max_runs_per_hour: 100, cooldown: 0}}
steps:
  - kind: local
    argv: ["{recorder}", "--note", "{{note}}", "svc={{service}}"]
{extra_steps}"""


@pytest.mark.parametrize("template", HOSTILE)
async def test_hostile_signal_text_arrives_as_one_inert_argv_item(world, template):
    hostile = template.format(tmp=world.tmp)
    [rb] = world.load(_runbook(str(world.recorder)))
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(evidence={"note": hostile}))
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded", run.reason
    assert world.recorded() == [["--note", hostile, "svc=web"]]
    assert not any(p.name.startswith("pwned") for p in world.tmp.iterdir())


@pytest.mark.parametrize("service", ["; rm -rf /", "$(touch /tmp/pwned)", "`id`", "web\nevil", "--force", "a b"])
async def test_a_value_outside_the_pattern_fails_the_run_before_anything_runs(world, service):
    [rb] = world.load(_runbook(str(world.recorder)))
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(evidence={"note": "x", "service": service}))
    run = await execute(world.db, run_id, world.config)
    assert run.status == "failed"
    assert "parameter 'service'" in run.reason
    assert ("does not match" in run.reason) or ("starts with '-'" in run.reason)
    assert world.recorded() == []
    with world.db.session() as s:
        detail = get_run(s, SYSTEM, run_id)
    assert detail.steps == [] and detail.started_at is None


async def test_failed_step_stops_the_run_and_records_exit_status_and_output(world):
    extra = f"""  - kind: local
    argv: ["{world.recorder}", "second"]
"""
    text = _runbook(str(world.recorder), extra).replace("    argv: [\"", "    env: {EXIT_WITH: '3'}\n    argv: [\"", 1)
    [rb] = world.load(text)
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(evidence={"note": "hi"}))
    await execute(world.db, run_id, world.config)
    with world.db.session() as s:
        detail = get_run(s, SYSTEM, run_id)
    assert detail.status == "failed"
    assert [st.exit_status for st in detail.steps] == [3]
    assert detail.steps[0].status == "failed"
    assert 'args: ["--note", "hi", "svc=web"]' in detail.steps[0].stdout
    assert world.recorded() == [["--note", "hi", "svc=web"]]  # the second step never ran


async def test_the_platform_environment_does_not_leak_into_commands(world, monkeypatch):
    monkeypatch.setenv("FOREWARN_LEAK_CHECK", "database-password")
    [rb] = world.load(_runbook(str(world.recorder)))
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal(evidence={"note": "n"}))
    await execute(world.db, run_id, world.config)
    with world.db.session() as s:
        out = get_run(s, SYSTEM, run_id).steps[0].stdout
    assert "leak: absent" in out


async def test_timeout_kills_the_command(world):
    text = f"""
name: sleepy
verify: {{check: none}}
steps:
  - kind: local
    argv: ["{world.tmp}/sleep.sh"]
    timeout: 0.5
"""
    script = world.tmp / "sleep.sh"
    script.write_text(f"#!/bin/sh\nsleep 30\ntouch {world.tmp}/woke\n")
    script.chmod(0o755)
    [rb] = world.load(text)
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal())
    run = await execute(world.db, run_id, world.config)
    assert run.status == "failed" and "timeout" in run.reason
    with world.db.session() as s:
        step = get_run(s, SYSTEM, run_id).steps[0]
    assert step.status == "timeout" and step.exit_status is None


async def test_output_is_bounded(world):
    from dataclasses import replace

    text = f"""
name: chatty
verify: {{check: none}}
steps:
  - kind: local
    argv: ["{world.tmp}/chatty.sh"]
"""
    script = world.tmp / "chatty.sh"
    script.write_text("#!/bin/sh\nhead -c 200000 /dev/zero | tr '\\0' 'x'\n")
    script.chmod(0o755)
    [rb] = world.load(text)
    config = replace(world.config, max_output_bytes=1000)
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal())
    run = await execute(world.db, run_id, config)
    assert run.status == "succeeded"
    with world.db.session() as s:
        out = get_run(s, SYSTEM, run_id).steps[0].stdout
    assert out.startswith("x" * 1000) and out.endswith("[output truncated]") and len(out) < 1100
