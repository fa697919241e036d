"""The SSH seam: runs one command on an asset with asyncssh, host key verified, output bounded.

The argv is joined with `shlex.join` because SSH carries one command *string*, which the remote
login shell parses. `shlex.join` wraps every item in single quotes (an embedded `'` becomes
`'"'"'`); inside single quotes a POSIX shell expands nothing — no `$()`, backticks, `;`, globs,
variables or line breaks act — so each item reaches the remote program as exactly one argument.
That holds for POSIX shells (sh, bash, dash, zsh, ksh); a csh/fish/Windows login shell would
parse differently, so remediation accounts must use a POSIX shell.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncssh

from forewarn.remediation.steps.process import TRUNCATED, ProcessResult


@dataclass(frozen=True, slots=True)
class SshTarget:
    host: str
    port: int
    username: str
    private_key: str | None = None
    passphrase: str | None = None
    password: str | None = None
    host_key: str | None = None  # the server's public key (OpenSSH line); required unless insecure
    insecure_skip_host_key: bool = False

    def __repr__(self) -> str:  # never print the credentials
        return f"SshTarget({self.username}@{self.host}:{self.port})"


class SshRunner(Protocol):
    async def run(self, target: SshTarget, argv: Sequence[str], *, timeout: float,
                  max_output: int) -> ProcessResult: ...


def remote_command(argv: Sequence[str]) -> str:
    """The command line sent over SSH: each item single-quoted so the remote shell keeps it whole."""
    return shlex.join(argv)


class AsyncSshRunner:
    async def run(self, target: SshTarget, argv: Sequence[str], *, timeout: float,
                  max_output: int) -> ProcessResult:
        try:
            return await asyncio.wait_for(self._run(target, remote_command(argv), max_output), timeout)
        except TimeoutError:
            return ProcessResult(None, "", "", timed_out=True)

    async def _run(self, target: SshTarget, command: str, max_output: int) -> ProcessResult:
        async with asyncssh.connect(target.host, port=target.port, **_auth(target)) as conn:
            async with conn.create_process(command, encoding=None, stdin=asyncssh.DEVNULL) as proc:
                out, err = await asyncio.gather(_bounded(proc.stdout, max_output),
                                                _bounded(proc.stderr, max_output))
                completed = await proc.wait(check=False)
        return ProcessResult(completed.exit_status, out, err)


def _auth(target: SshTarget) -> dict:
    options: dict = {"username": target.username, "agent_path": None, "config": [],
                     "known_hosts": None if target.insecure_skip_host_key else
                     ([asyncssh.import_public_key(target.host_key or "")], [], [])}
    if target.private_key:
        options["client_keys"] = [asyncssh.import_private_key(target.private_key, target.passphrase)]
    else:
        options["client_keys"] = []
    if target.password:
        options["password"] = target.password
    return options


async def _bounded(stream: asyncssh.SSHReader, limit: int) -> str:
    kept = bytearray()
    dropped = False
    while chunk := await stream.read(65536):
        room = limit - len(kept)
        if room > 0:
            kept += chunk[:room]
        dropped = dropped or len(chunk) > room
    return kept.decode("utf-8", "replace") + (TRUNCATED if dropped else "")
