"""The outside effects of the SMART check: run smartctl as argv, or read its saved output."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from forewarn.integrations.process import Runner
from forewarn.integrations.smart.config import SmartConfig


@dataclass(frozen=True, slots=True)
class Collected:
    """smartctl's JSON text and how it was obtained (for the summary when it is unusable)."""

    output: bytes
    source: str
    exit_code: int | None = None
    stderr: str = ""
    timed_out: bool = False
    truncated: bool = False


def smartctl_argv(cfg: SmartConfig) -> list[str]:
    """The command line; the device is always the last argument, after every option."""
    assert cfg.device is not None
    argv = [cfg.smartctl, "--json", "-a"]
    if cfg.device_type:
        argv += ["-d", cfg.device_type]
    return [*argv, cfg.device]


async def run_smartctl(cfg: SmartConfig, runner: Runner, timeout: float) -> Collected:
    """Run smartctl through `runner`; OSError when the program cannot be started."""
    argv = smartctl_argv(cfg)
    run = await runner(argv, {}, timeout, cfg.max_output_bytes)
    stderr = run.stderr.decode("utf-8", errors="replace").strip()
    return Collected(run.stdout, " ".join(argv), run.exit_code, stderr, run.timed_out, run.stdout_truncated)


async def read_saved(path: str, max_bytes: int) -> Collected:
    """The saved output file, at most `max_bytes` of it; OSError when it cannot be read."""

    def read() -> tuple[bytes, bool]:
        with Path(path).open("rb") as handle:
            data = handle.read(max_bytes + 1)
        return data[:max_bytes], len(data) > max_bytes

    data, truncated = await asyncio.to_thread(read)
    return Collected(data, path, truncated=truncated)
