"""The outside effect of running a program as an argv list: bounded output, whole group killed on timeout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

# Plugins get a small, fixed environment rather than forewarn's own (which may hold database
# passwords); LC_ALL=C keeps decimal points in perfdata, whatever the host's locale.
BASE_ENV: dict[str, str] = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "LC_ALL": "C"}
_DRAIN_AFTER_KILL = 1.0  # seconds to collect what a killed child already wrote


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """What one run of a program produced. `exit_code` is None when it was killed on timeout.

    A negative `exit_code` means the child died from that signal (asyncio's convention).
    """

    exit_code: int | None
    stdout: bytes
    stderr: bytes = b""
    stdout_truncated: bool = False
    timed_out: bool = False


class Runner(Protocol):
    """The seam: runs argv and reports; tests and the simulator pass a fake."""

    async def __call__(
        self, argv: list[str], env: Mapping[str, str], timeout: float, max_output: int
    ) -> ProcessRun: ...


async def run_process(
    argv: list[str], env: Mapping[str, str], timeout: float, max_output: int
) -> ProcessRun:
    """Run `argv` (never through a shell) with `BASE_ENV` plus `env`, killing its group after `timeout`.

    Output beyond `max_output` bytes is read and dropped, so a chatty child never blocks on a full
    pipe. Raises OSError when the program cannot be started (missing, not executable).
    """
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**BASE_ENV, **env},
        start_new_session=True,  # its own process group, so a timeout kills the grandchildren too
    )
    assert proc.stdout is not None and proc.stderr is not None
    out, err = _Capture(max_output), _Capture(max_output)
    tasks = {asyncio.ensure_future(out.read(proc.stdout)), asyncio.ensure_future(err.read(proc.stderr)),
             asyncio.ensure_future(proc.wait())}
    try:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        if pending:
            _kill_group(proc.pid)
            # the pipes close once the group is dead; keep whatever it wrote before
            _, still = await asyncio.wait(pending, timeout=_DRAIN_AFTER_KILL)
            for task in still:
                task.cancel()
    except asyncio.CancelledError:
        _kill_group(proc.pid)
        for task in tasks:
            task.cancel()
        raise
    exit_code = None if pending else proc.returncode
    return ProcessRun(exit_code, bytes(out.kept), bytes(err.kept), out.dropped, bool(pending))


class _Capture:
    """One output stream read to its end, keeping the first `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.dropped = False

    async def read(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            room = self.limit - len(self.kept)
            if len(chunk) > room:
                self.dropped = True
            self.kept += chunk[:max(room, 0)]


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
