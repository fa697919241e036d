"""The subprocess seam: runs one argv without a shell, with a timeout, a fixed env and bounded output."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

TRUNCATED = "\n[output truncated]"


@dataclass(frozen=True, slots=True)
class ProcessResult:
    exit_status: int | None  # None when killed on timeout
    stdout: str
    stderr: str
    timed_out: bool = False


class ProcessRunner(Protocol):
    async def run(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, timeout: float,
                  max_output: int) -> ProcessResult: ...


async def read_bounded(stream: asyncio.StreamReader, limit: int) -> str:
    """Up to `limit` bytes of the stream; the rest is drained and dropped so the writer never blocks."""
    kept = bytearray()
    dropped = False
    while chunk := await stream.read(65536):
        room = limit - len(kept)
        if room > 0:
            kept += chunk[:room]
        dropped = dropped or len(chunk) > room
    return kept.decode("utf-8", "replace") + (TRUNCATED if dropped else "")


class LocalProcessRunner:
    """asyncio.create_subprocess_exec: argv goes to execve as is, no shell ever parses it."""

    async def run(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, timeout: float,
                  max_output: int) -> ProcessResult:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=dict(env), cwd=cwd,
            start_new_session=True,  # its own process group, so a timeout kills its children too
        )
        assert proc.stdout is not None and proc.stderr is not None
        reads = asyncio.gather(read_bounded(proc.stdout, max_output), read_bounded(proc.stderr, max_output),
                               proc.wait())
        try:
            out, err, status = await asyncio.wait_for(reads, timeout)
        except TimeoutError:
            _kill_group(proc.pid)
            await proc.wait()
            return ProcessResult(None, "", "", timed_out=True)
        return ProcessResult(status, out, err)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
