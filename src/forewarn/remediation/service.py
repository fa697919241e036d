"""Remediation use cases: match signals to runbooks, start guarded runs, approve or reject, kill switch, reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal
from forewarn.core.clock import Clock, SystemClock
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.core.records import Signal
from forewarn.incidents.models import IncidentRow
from forewarn.monitoring import get_check
from forewarn.remediation.assets import asset_info
from forewarn.remediation.catalog import (
    get_runbook,
    list_runbooks,
    load_runbook_files,
    load_runbooks,
    runbook_out,
    set_runbook_enabled,
)
from forewarn.remediation.enums import RunStatus
from forewarn.remediation.execution import execute
from forewarn.remediation.killswitch import get_kill_switch, kill_switch_engaged, set_kill_switch
from forewarn.remediation.loader import doc_from_definition
from forewarn.remediation.models import RunbookRow, RunbookRunRow
from forewarn.remediation.params import resolve_params
from forewarn.remediation.policy import HOUR, PastRun, guard_reason, matches
from forewarn.remediation.reads import get_run, list_runs, run_out, run_row, runs_for_incident
from forewarn.remediation.schemas import RunbookOut, RunOut
from forewarn.remediation.timeline import created, transition

__all__ = [
    "approve", "execute", "get_kill_switch", "get_run", "get_runbook", "kill_switch_engaged", "list_runbooks",
    "list_runs", "load_runbook_files", "load_runbooks", "match_signal", "reject", "runs_for_incident",
    "set_kill_switch", "set_runbook_enabled", "start_run",
]
_ACTIVE = (RunStatus.PENDING, RunStatus.AWAITING_APPROVAL, RunStatus.RUNNING, RunStatus.VERIFYING)


def match_signal(session: Session, signal: Signal) -> list[RunbookOut]:
    """The enabled runbooks of the signal's tenant (or global ones) whose `match` fits this firing signal."""
    rows = session.scalars(select(RunbookRow).where(
        RunbookRow.enabled.is_(True),
        RunbookRow.tenant_id.is_(None) | (RunbookRow.tenant_id == signal.tenant_id)).order_by(RunbookRow.name))
    asset = asset_info(session, signal.asset_id)
    tags = set(asset.tags) if asset else set()
    check_kind = _check_kind(session, signal.check_id)
    return [runbook_out(r) for r in rows if matches(doc_from_definition(r.definition), signal, tags, check_kind)]


def _check_kind(session: Session, check_id: str | None) -> str | None:
    if not check_id:
        return None
    try:
        return get_check(session, Principal.system(), check_id).kind
    except NotFoundError:
        return None


def start_run(session: Session, runbook_id: str, incident_id: str | None, signal: Signal, dry_run: bool = False,
              *, actor: str = "system", clock: Clock | None = None) -> str:
    """Creates a run with the runbook frozen into it and applies the guards; returns the run id.

    The run ends up `pending` (call `execute`), `awaiting_approval`, `skipped` (a guard said no) or
    `failed` (a parameter failed validation) — the reason is on the run and the incident timeline.
    """
    now = (clock or SystemClock()).now()
    runbook = session.get(RunbookRow, runbook_id)
    if runbook is None:
        raise NotFoundError(f"runbook {runbook_id!r} not found")
    if runbook.tenant_id is not None and runbook.tenant_id != signal.tenant_id:
        raise ValidationFailed("this runbook belongs to another tenant", where="runbook_id")
    _check_incident(session, incident_id, signal.tenant_id)
    doc = doc_from_definition(runbook.definition)
    asset = asset_info(session, signal.asset_id)
    run = RunbookRunRow(
        tenant_id=signal.tenant_id, runbook_id=runbook.id, runbook_name=runbook.name, incident_id=incident_id,
        asset_id=asset.id if asset else None, check_id=signal.check_id, fingerprint=signal.fingerprint[:200],
        status=RunStatus.PENDING.value, dry_run=dry_run or doc.guards.dry_run, params={}, result={},
        snapshot={"version": runbook.version, "definition": runbook.definition, "signal": _signal_brief(signal)},
        requested_by=actor, created_at=now)
    session.add(run)
    session.flush()
    created(session, run, actor, now)
    reason = None if run.dry_run else guard_reason(doc, _past_runs(session, run, doc.guards.cooldown, now), now,
                                                   kill_switch_engaged(session, run.tenant_id))
    if reason:
        transition(session, run, RunStatus.SKIPPED, actor, reason, now)
        return run.id
    try:
        run.params = resolve_params(doc, signal, asset)
    except ValidationFailed as exc:
        transition(session, run, RunStatus.FAILED, actor, f"rejected parameter: {exc}", now)
        return run.id
    if doc.guards.approval and not run.dry_run:
        transition(session, run, RunStatus.AWAITING_APPROVAL, actor, "the runbook requires approval", now)
    session.flush()
    return run.id


def _check_incident(session: Session, incident_id: str | None, tenant_id: str) -> None:
    if incident_id is None:
        return
    incident = session.get(IncidentRow, incident_id)
    if incident is None or incident.tenant_id != tenant_id:
        raise NotFoundError(f"incident {incident_id!r} not found for this signal's tenant")


def _signal_brief(signal: Signal) -> dict:
    return {"kind": signal.kind, "severity": str(signal.severity), "summary": signal.summary[:1000],
            "ts": signal.ts, "check_id": signal.check_id, "fingerprint": signal.fingerprint[:200]}


def _past_runs(session: Session, run: RunbookRunRow, cooldown: float, now: float) -> list[PastRun]:
    """Earlier runs of this runbook on this asset that count against the guards (dry runs never do)."""
    stmt = select(RunbookRunRow).where(
        RunbookRunRow.runbook_id == run.runbook_id, RunbookRunRow.id != run.id,
        RunbookRunRow.dry_run.is_(False), RunbookRunRow.created_at > now - max(HOUR, cooldown) - 86400.0)
    stmt = stmt.where(RunbookRunRow.asset_id.is_(None) if run.asset_id is None
                      else RunbookRunRow.asset_id == run.asset_id)
    past = []
    for r in session.scalars(stmt):
        status = RunStatus(r.status)
        # Skipped and rejected runs did nothing; a run that failed before starting (bad parameter) neither.
        if status in (RunStatus.SKIPPED, RunStatus.REJECTED) or (status is RunStatus.FAILED and r.started_at is None):
            continue
        past.append(PastRun(r.created_at, r.finished_at, status in _ACTIVE))
    return past


def approve(session: Session, who: Principal, run_id: str, *, clock: Clock | None = None) -> RunOut:
    """A technician or admin lets a waiting run go ahead (it becomes `pending`: call `execute`)."""
    run = run_row(session, who, run_id)
    who.require_write()
    _require_waiting(run, "approved")
    now = (clock or SystemClock()).now()
    if kill_switch_engaged(session, run.tenant_id):
        transition(session, run, RunStatus.SKIPPED, who.username, "the tenant's remediation kill switch is engaged",
                   now)
    else:
        run.approved_by = who.username
        transition(session, run, RunStatus.PENDING, who.username, f"approved by {who.username}", now)
    session.flush()
    return run_out(run)


def reject(session: Session, who: Principal, run_id: str, reason: str = "", *, clock: Clock | None = None) -> RunOut:
    run = run_row(session, who, run_id)
    who.require_write()
    _require_waiting(run, "rejected")
    transition(session, run, RunStatus.REJECTED, who.username,
               f"rejected by {who.username}" + (f": {reason}" if reason else ""), (clock or SystemClock()).now())
    session.flush()
    return run_out(run)


def _require_waiting(run: RunbookRunRow, verb: str) -> None:
    if run.status != RunStatus.AWAITING_APPROVAL:
        raise ConflictError(f"this run is {run.status}; only a run awaiting approval can be {verb}")


def pending_run_ids(session: Session, limit: int = 100) -> list[str]:
    """Runs ready to execute (approved or needing no approval), oldest first: what a worker picks up."""
    return list(session.scalars(select(RunbookRunRow.id).where(RunbookRunRow.status == RunStatus.PENDING.value)
                                .order_by(RunbookRunRow.created_at).limit(limit)))


def fail_interrupted(session: Session, older_than: float, *, clock: Clock | None = None) -> list[str]:
    """Marks runs stuck in running/verifying (the process died) as failed; steps are never re-run blindly."""
    now = (clock or SystemClock()).now()
    rows = session.scalars(select(RunbookRunRow).where(
        RunbookRunRow.status.in_([RunStatus.RUNNING.value, RunStatus.VERIFYING.value]),
        RunbookRunRow.started_at < now - older_than))
    ids = []
    for run in rows:
        transition(session, run, RunStatus.FAILED, "system", "interrupted: the platform stopped during the run", now)
        ids.append(run.id)
    return ids
