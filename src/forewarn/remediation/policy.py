"""Pure rules: does a runbook match a signal, and which guard (if any) stops a new run."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from forewarn.core.enums import SignalState
from forewarn.core.records import Signal
from forewarn.remediation.document import RunbookDoc

HOUR = 3600.0


def matches(doc: RunbookDoc, signal: Signal, tags: set[str], check_kind: str | None) -> bool:
    """Every criterion the runbook gives holds for this firing signal (tenant is checked by the caller)."""
    m = doc.match
    if signal.state != SignalState.FIRING:
        return False
    if m.kind and signal.kind not in m.kind:
        return False
    if m.severity and signal.severity not in m.severity:
        return False
    if m.tags and not set(m.tags) <= tags:
        return False
    if m.check_kind and check_kind not in m.check_kind:
        return False
    return m.summary is None or re.search(m.summary, signal.summary) is not None


@dataclass(frozen=True, slots=True)
class PastRun:
    """A run of the same runbook on the same asset that counts against the guards."""

    created_at: float
    finished_at: float | None
    active: bool


def guard_reason(doc: RunbookDoc, past: Sequence[PastRun], now: float, kill_switch: bool) -> str | None:
    """Why a new run must be skipped, or None when every guard lets it through."""
    if kill_switch:
        return "the tenant's remediation kill switch is engaged"
    if not doc.enabled:
        return "the runbook is disabled"
    if any(p.active for p in past):
        return "a run of this runbook on this asset is still in progress"
    in_hour = sum(1 for p in past if p.created_at > now - HOUR)
    if in_hour >= doc.guards.max_runs_per_hour:
        return f"rate limit: {in_hour} run(s) on this asset in the last hour (at most {doc.guards.max_runs_per_hour})"
    last = max((p.finished_at or p.created_at for p in past), default=None)
    if last is not None and now - last < doc.guards.cooldown:
        return f"cooldown: the last run on this asset ended {now - last:.0f} s ago (cooldown {doc.guards.cooldown:g} s)"
    return None
