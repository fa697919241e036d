"""HTTP steps against a loopback server; secrets encrypted at rest, masked in reads and in captured output."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from forewarn.remediation import REDACTED, execute, get_run, list_secrets, start_run, store_secret
from forewarn.remediation.secrets import SecretBox, SecretUnreadable
from forewarn.testing.loopback import LoopbackHttpServer

from .conftest import SYSTEM

TOKEN = "s3cr3t-token-value-1234"


@pytest.fixture
def http_server():
    server = LoopbackHttpServer().start()
    yield server
    server.stop()


def _store_token(world) -> None:
    with world.db.session() as s:
        store_secret(s, SYSTEM, world.config.box, "api", "token", TOKEN, tenant="acme", now=world.clock.now())


async def test_http_step_calls_the_endpoint_with_quoted_params_and_secret_header(world, http_server):
    _store_token(world)
    http_server.reply("/hooks/restart", status=202, body=f"accepted, token was {TOKEN}")
    [rb] = world.load(f"""
name: call-hook
params:
  service: {{from: signal.evidence.service, pattern: '(?s).{{1,100}}'}}
verify: {{check: none}}
steps:
  - kind: http
    method: POST
    url: "{http_server.url('/hooks/restart')}?service={{service}}"
    headers: {{Authorization: "Bearer {{secret.api}}"}}
    json: {{service: "{{service}}"}}
    expect_status: [202]
""")
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal(evidence={"service": "a&b=c#/x"}))
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded", run.reason
    [seen] = http_server.requests
    assert seen.method == "POST"
    assert seen.path == "/hooks/restart?service=a%26b%3Dc%23%2Fx"
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
    with world.db.session() as s:
        detail = get_run(s, SYSTEM, run_id)
    assert detail.steps[0].exit_status == 202
    assert detail.steps[0].stdout == f"accepted, token was {REDACTED}"
    assert TOKEN not in detail.model_dump_json()


async def test_unexpected_status_fails_the_step(world, http_server):
    http_server.reply("/hook", status=500, body="boom")
    [rb] = world.load(f"""
name: call-hook
verify: {{check: none}}
steps:
  - {{kind: http, method: GET, url: "{http_server.url('/hook')}"}}
""")
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal())
    run = await execute(world.db, run_id, world.config)
    assert run.status == "failed" and "HTTP 500" in run.reason


async def test_a_secret_echoed_by_a_command_is_masked_in_the_stored_output(world):
    _store_token(world)
    [rb] = world.load(f"""
name: echo-secret
verify: {{check: none}}
steps:
  - kind: local
    argv: ["{world.recorder}"]
    env: {{API_TOKEN: "{{secret.api}}"}}
""")
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal())
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded", run.reason
    with world.db.session() as s:
        detail = get_run(s, SYSTEM, run_id)
        raw = s.execute(text("SELECT stdout FROM runbook_run_steps")).scalar_one()
    assert f"token: {REDACTED}" in detail.steps[0].stdout
    assert TOKEN not in raw


def test_secrets_are_encrypted_at_rest_and_listed_masked(world):
    _store_token(world)
    with world.db.session() as s:
        stored = s.execute(text("SELECT ciphertext FROM remediation_secrets")).scalar_one()
        listed = list_secrets(s, SYSTEM, world.config.box)
    assert TOKEN not in stored
    assert world.config.box.open(stored)["value"] == TOKEN
    assert [(x.name, x.value) for x in listed] == [("api", REDACTED)]
    assert TOKEN not in repr(listed) and "test remediation key" not in repr(world.config)
    with pytest.raises(SecretUnreadable):
        SecretBox("another key").open(stored)


def test_an_invalid_ssh_key_is_refused_without_echoing_it(world):
    from forewarn.core.errors import ValidationFailed

    with world.db.session() as s, pytest.raises(ValidationFailed) as err:
        store_secret(s, SYSTEM, world.config.box, "k", "ssh_key", "not-a-key-but-secret", now=0.0)
    assert "not-a-key-but-secret" not in str(err.value)
