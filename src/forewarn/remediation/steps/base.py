"""What every step executor gets (StepContext) and gives back (StepOutcome), plus the plan between them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from forewarn.core.errors import ForewarnError
from forewarn.remediation.config import RemediationConfig
from forewarn.remediation.enums import StepStatus
from forewarn.remediation.params import AssetInfo
from forewarn.remediation.steps.process import ProcessResult


class StepError(ForewarnError):
    """A step cannot be prepared (missing credential, bad rendered value); it fails without running."""


@dataclass(frozen=True)
class StepContext:
    config: RemediationConfig
    params: dict[str, str | int]
    asset: AssetInfo | None
    credentials: dict[str, dict[str, Any]] = field(repr=False)  # secret name → decrypted payload
    now: float = 0.0

    def secret_values(self) -> dict[str, str]:
        return {name: str(p.get("value", "")) for name, p in self.credentials.items()}


@dataclass
class StepOutcome:
    status: StepStatus
    exit_status: int | None = None
    stdout: str = ""
    stderr: str = ""
    error: str = ""


@dataclass(frozen=True)
class Plan:
    """A rendered step: where it runs, what it runs (for the timeline), and how to run it."""

    target: str
    command: list[str]
    action: Callable[[], Awaitable[StepOutcome]]


def from_process(result: ProcessResult, timeout: float) -> StepOutcome:
    if result.timed_out:
        return StepOutcome(StepStatus.TIMEOUT, None, result.stdout, result.stderr,
                           f"no exit within {timeout:g} s; killed")
    status = StepStatus.OK if result.exit_status == 0 else StepStatus.FAILED
    error = "" if status is StepStatus.OK else f"exit status {result.exit_status}"
    return StepOutcome(status, result.exit_status, result.stdout, result.stderr, error)
