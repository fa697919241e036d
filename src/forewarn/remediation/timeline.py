"""Moves a run through its lifecycle: table-checked, one timeline row each, mirrored to the incident."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forewarn.incidents import add_event
from forewarn.remediation.enums import RunStatus
from forewarn.remediation.models import RunbookRunRow, RunEventRow
from forewarn.remediation.state import check_transition


def transition(session: Session, run: RunbookRunRow, target: RunStatus, actor: str, reason: str,
               now: float) -> None:
    current = RunStatus(run.status)
    check_transition(current, target)
    run.status = target.value
    record(session, run, current, target, actor, reason, now)


def record(session: Session, run: RunbookRunRow, current: RunStatus, target: RunStatus, actor: str, reason: str,
           now: float) -> None:
    """The timeline rows of a move already made (by `transition` or a compare-and-set claim)."""
    if target is RunStatus.RUNNING:
        run.started_at = now
    if target.terminal:
        run.finished_at = now
        run.reason = reason[:1000]
    session.add(RunEventRow(run_id=run.id, ts=now, from_status=current.value, to_status=target.value,
                            actor=actor[:100], reason=reason[:1000]))
    mirror(session, run, f"runbook {run.runbook_name}: {target.value}" + (f" — {reason}" if reason else ""),
           actor, now, {"from": current.value})


def created(session: Session, run: RunbookRunRow, actor: str, now: float) -> None:
    """The first timeline row of a run (it has no previous status)."""
    session.add(RunEventRow(run_id=run.id, ts=now, from_status=None, to_status=run.status, actor=actor[:100],
                            reason="dry run" if run.dry_run else ""))
    mirror(session, run, f"runbook {run.runbook_name}: run requested"
           + (" (dry run)" if run.dry_run else ""), actor, now, {})


def mirror(session: Session, run: RunbookRunRow, message: str, actor: str, now: float, data: dict) -> None:
    if run.incident_id is None:
        return
    add_event(session, run.incident_id, "runbook", actor, message,
              {"run_id": run.id, "runbook": run.runbook_name, "status": run.status, "dry_run": run.dry_run, **data},
              now)
