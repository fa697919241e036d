"""One table from step kind to planner, and the single place a step is planned, run and contained."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncssh
import httpx

from forewarn.remediation.enums import StepStatus
from forewarn.remediation.steps.base import Plan, StepContext, StepError, StepOutcome
from forewarn.remediation.steps.commands import (
    plan_local,
    plan_renew_certificate,
    plan_restart_service,
    plan_ssh,
)
from forewarn.remediation.steps.files import plan_delete_old_files, plan_rotate_logs
from forewarn.remediation.steps.http import plan_http

log = logging.getLogger(__name__)

PLANNERS: dict[str, Callable[[Any, StepContext], Plan]] = {
    "local": plan_local,
    "ssh": plan_ssh,
    "http": plan_http,
    "restart_service": plan_restart_service,
    "delete_old_files": plan_delete_old_files,
    "rotate_logs": plan_rotate_logs,
    "renew_certificate": plan_renew_certificate,
}

# What the outside world throws at a step; anything else is a bug and fails the run loudly.
STEP_ERRORS = (StepError, OSError, httpx.HTTPError, asyncssh.Error, asyncssh.KeyImportError)


@dataclass
class StepRecord:
    target: str
    command: list[str]
    outcome: StepOutcome
    duration_ms: float


async def run_step(step: Any, ctx: StepContext, dry_run: bool) -> StepRecord:
    """Plans the step, then (unless a dry run) runs it; outside failures become a failed outcome."""
    started = time.perf_counter()
    target, command = "", []
    try:
        plan = PLANNERS[step.kind](step, ctx)
        target, command = plan.target, plan.command
        outcome = StepOutcome(StepStatus.PLANNED) if dry_run else await plan.action()
    except STEP_ERRORS as exc:
        log.info("runbook step %s failed: %s", step.kind, type(exc).__name__)
        outcome = StepOutcome(StepStatus.FAILED, error=_sentence(exc))
    return StepRecord(target, command, outcome, (time.perf_counter() - started) * 1000)


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, StepError) else text
