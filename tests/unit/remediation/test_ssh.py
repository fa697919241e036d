"""SSH steps against a real asyncssh server on loopback that runs commands through /bin/sh like sshd does."""

from __future__ import annotations

import asyncio
import shlex
import subprocess

import asyncssh
import pytest

from forewarn.remediation import execute, get_run, start_run, store_secret

from .conftest import SYSTEM

HOSTILE = "x'; touch {tmp}/pwned; echo '$(touch {tmp}/pwned2) `touch {tmp}/pwned3`\nline2 && touch {tmp}/pwned4"


class ShellServer:
    """Accepts one client key, records each command line and runs it with `sh -c` (a POSIX login shell)."""

    def __init__(self, client_public: str) -> None:
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_public = client_public
        self.commands: list[str] = []
        self.server: asyncssh.SSHAcceptor | None = None

    @property
    def host_public(self) -> str:
        return self.host_key.export_public_key().decode()

    async def start(self) -> int:
        self.server = await asyncssh.create_server(
            asyncssh.SSHServer, "127.0.0.1", 0, server_host_keys=[self.host_key],
            authorized_client_keys=asyncssh.import_authorized_keys(self.client_public),
            process_factory=self._handle)
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, process: asyncssh.SSHServerProcess) -> None:
        self.commands.append(process.command)
        done = await asyncio.to_thread(subprocess.run, ["/bin/sh", "-c", process.command],  # noqa: S603
                                       capture_output=True, text=True, timeout=10)
        process.stdout.write(done.stdout)
        process.stderr.write(done.stderr)
        process.exit(done.returncode)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


@pytest.fixture
async def ssh_server():
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    server = ShellServer(client_key.export_public_key().decode())
    port = await server.start()
    yield server, port, client_key.export_private_key().decode()
    server.close()


def _store(world, private_key: str, host_key: str) -> None:
    with world.db.session() as s:
        store_secret(s, SYSTEM, world.config.box, "web-ssh", "ssh_key", private_key, tenant="acme",
                     username="ops", host_key=host_key, now=world.clock.now())


def _runbook(world, port: int) -> str:
    return f"""
name: remote-record
params:
  note: {{from: signal.evidence.note, pattern: '(?s).{{1,1000}}', max_length: 1000}}
verify: {{check: none}}
steps:
  - kind: ssh
    credential: web-ssh
    port: {port}
    argv: ["{world.recorder}", "--note", "{{note}}"]
"""


async def test_ssh_command_line_parses_back_to_the_exact_argv(world, ssh_server):
    server, port, private_key = ssh_server
    _store(world, private_key, server.host_public)
    hostile = HOSTILE.format(tmp=world.tmp)
    [rb] = world.load(_runbook(world, port))
    with world.db.session() as s:
        run_id = start_run(s, rb, world.incident_id, world.signal(evidence={"note": hostile}))
    run = await execute(world.db, run_id, world.config)
    assert run.status == "succeeded", run.reason
    [command] = server.commands
    assert shlex.split(command) == [str(world.recorder), "--note", hostile]
    assert world.recorded() == [["--note", hostile]]
    assert not any(p.name.startswith("pwned") for p in world.tmp.iterdir())
    with world.db.session() as s:
        step = get_run(s, SYSTEM, run_id).steps[0]
    assert step.target == f"ssh ops@127.0.0.1:{port}" and step.exit_status == 0
    assert step.command == [str(world.recorder), "--note", hostile]


async def test_an_unknown_host_key_stops_the_step_before_any_command(world, ssh_server):
    server, port, private_key = ssh_server
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    _store(world, private_key, impostor)
    [rb] = world.load(_runbook(world, port))
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal(evidence={"note": "hello"}))
    run = await execute(world.db, run_id, world.config)
    assert run.status == "failed"
    assert server.commands == [] and world.recorded() == []
    with world.db.session() as s:
        detail = get_run(s, SYSTEM, run_id)
    assert "BEGIN OPENSSH PRIVATE KEY" not in detail.model_dump_json()


async def test_restart_service_on_the_asset_sends_systemctl_restart_name(world, ssh_server):
    from dataclasses import replace

    server, port, private_key = ssh_server
    _store(world, private_key, server.host_public)
    [rb] = world.load(f"""
name: restart-remote
params:
  service: {{from: asset.attributes.unit, pattern: '^[a-zA-Z0-9@._-]+$'}}
verify: {{check: none}}
steps:
  - kind: restart_service
    run_on: asset
    credential: web-ssh
    port: {port}
    service: "{{service}}"
""")
    config = replace(world.config, systemctl=str(world.recorder))
    with world.db.session() as s:
        run_id = start_run(s, rb, None, world.signal())
    run = await execute(world.db, run_id, config)
    assert run.status == "succeeded", run.reason
    assert [shlex.split(c) for c in server.commands] == [[str(world.recorder), "restart", "nginx"]]
    assert world.recorded() == [["restart", "nginx"]]
