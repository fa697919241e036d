"""Runs one check once: its plugin under a deadline, then its thresholds, as a CheckResult."""

from __future__ import annotations

import asyncio
import logging
import os
import time

from pydantic import ValidationError

from forewarn.core.clock import Clock, SystemClock
from forewarn.core.enums import CheckStatus
from forewarn.core.errors import ValidationFailed
from forewarn.core.records import CheckResult
from forewarn.monitoring.checks import CheckDefinition
from forewarn.monitoring.thresholds import evaluate_thresholds
from forewarn.plugins.registry import get_check_plugin
from forewarn.plugins.v1 import CheckContext, CheckOutcome

log = logging.getLogger(__name__)
PRIVILEGED = hasattr(os, "geteuid") and os.geteuid() == 0


async def run_check(check: CheckDefinition, clock: Clock | None = None) -> CheckResult:
    clock = clock or SystemClock()
    started = time.perf_counter()
    ts = clock.now()
    outcome = await _outcome(check, clock)
    status, reasons = evaluate_thresholds(outcome.metrics, check.thresholds)
    final = CheckStatus.worst(outcome.status, status)
    summary = outcome.summary if not reasons else f"{outcome.summary}; " + "; ".join(reasons)
    return CheckResult(check_id=check.id, asset_id=check.asset_id, tenant_id=check.tenant_id, status=final,
                       summary=summary, ts=ts, duration_ms=(time.perf_counter() - started) * 1000,
                       metrics=list(outcome.metrics))


async def _outcome(check: CheckDefinition, clock: Clock) -> CheckOutcome:
    try:
        plugin = get_check_plugin(check.kind)
        config = plugin.parse_config(check.params)
    except (ValidationFailed, ValidationError) as exc:
        return CheckOutcome(CheckStatus.UNKNOWN, f"check is misconfigured: {exc}")
    ctx = CheckContext(timeout=check.timeout, asset_address=check.asset_address, privileged=PRIVILEGED,
                       clock=clock, log=log.getChild(check.kind))
    try:
        # The plugin honours ctx.timeout itself; the outer deadline is the backstop for one that hangs.
        return await asyncio.wait_for(plugin.run(config, ctx), timeout=check.timeout + 2.0)
    except TimeoutError:
        return CheckOutcome(CheckStatus.CRITICAL, f"no answer within {check.timeout:g} s")
    except Exception as exc:  # a plugin bug must become UNKNOWN, not kill the scheduler
        log.exception("check %s (%s) failed", check.id, check.kind)
        return CheckOutcome(CheckStatus.UNKNOWN, f"check failed internally: {type(exc).__name__}")
