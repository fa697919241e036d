"""Executes one run: claim it once, run its frozen steps, verify with the failing check, record everything.

Idempotent: a run that is not `pending` (already claimed, finished, waiting for approval) is left
alone, so a duplicate or late `execute` call does nothing. Each database write is its own short
transaction; no transaction is held open while a command runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from forewarn.core.enums import CheckStatus
from forewarn.db import Database
from forewarn.incidents.models import IncidentRow
from forewarn.monitoring import CheckDefinition, enabled_definitions
from forewarn.remediation.assets import asset_info
from forewarn.remediation.config import RemediationConfig
from forewarn.remediation.credentials import open_secrets
from forewarn.remediation.document import RunbookDoc
from forewarn.remediation.enums import RunStatus, StepStatus
from forewarn.remediation.killswitch import kill_switch_engaged
from forewarn.remediation.loader import doc_from_definition, secret_names
from forewarn.remediation.models import RunbookRunRow, RunStepRow
from forewarn.remediation.params import AssetInfo
from forewarn.remediation.reads import run_out
from forewarn.remediation.schemas import RunOut
from forewarn.remediation.secrets import redact, secret_strings
from forewarn.remediation.state import check_transition
from forewarn.remediation.steps.base import StepContext
from forewarn.remediation.steps.dispatch import StepRecord, run_step
from forewarn.remediation.timeline import record, transition

log = logging.getLogger(__name__)
KILLED = "the tenant's remediation kill switch is engaged"


@dataclass
class Job:
    """Everything a claimed run needs, read once from the database as plain data."""

    run_id: str
    tenant_id: str
    incident_id: str | None
    check_id: str | None
    dry_run: bool
    doc: RunbookDoc
    params: dict[str, Any]
    asset: AssetInfo | None
    credentials: dict[str, dict] = field(repr=False, default_factory=dict)

    def scrub(self, text: str) -> str:
        return redact(text, [s for p in self.credentials.values() for s in secret_strings(p)])


async def execute(db: Database, run_id: str, config: RemediationConfig) -> RunOut | None:
    """Runs a `pending` run to its end; returns the run as it ended (None when the id is unknown)."""
    job = _claim(db, run_id, config)
    if job is not None:
        try:
            await _drive(db, job, config)
        except Exception as exc:  # a bug must end the run as failed, never leave it running silently
            log.exception("runbook run %s crashed", run_id)
            _finish(db, job, config, RunStatus.FAILED, f"internal error: {type(exc).__name__}", {})
    with db.session() as session:
        row = session.get(RunbookRunRow, run_id)
        return run_out(row) if row else None


def _claim(db: Database, run_id: str, config: RemediationConfig) -> Job | None:
    now = config.clock.now()
    with db.session() as session:
        run = session.get(RunbookRunRow, run_id)
        if run is None or run.status != RunStatus.PENDING:
            log.info("run %s not executed: it is %s", run_id, run.status if run else "unknown")
            return None
        target = RunStatus.SKIPPED if kill_switch_engaged(session, run.tenant_id) else RunStatus.RUNNING
        check_transition(RunStatus.PENDING, target)
        # Compare-and-set: of two concurrent executors exactly one moves the run out of pending.
        claimed = session.execute(update(RunbookRunRow).where(
            RunbookRunRow.id == run_id, RunbookRunRow.status == RunStatus.PENDING.value
        ).values(status=target.value).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            return None
        session.refresh(run)
        record(session, run, RunStatus.PENDING, target, "system", KILLED if target is RunStatus.SKIPPED else "", now)
        if target is RunStatus.SKIPPED:
            return None
        doc = doc_from_definition(run.snapshot["definition"])
        return Job(run.id, run.tenant_id, run.incident_id, run.check_id, run.dry_run, doc, dict(run.params),
                   asset_info(session, run.asset_id),
                   open_secrets(session, config.box, run.tenant_id, secret_names(doc)))


async def _drive(db: Database, job: Job, config: RemediationConfig) -> None:
    failure = await _run_steps(db, job, config)
    if failure is not None:
        _finish(db, job, config, RunStatus.FAILED, failure, {"verified": False, "prevented": False})
        return
    if job.dry_run:
        _finish(db, job, config, RunStatus.SUCCEEDED, "dry run: every step rendered, nothing executed",
                {"dry_run": True, "verified": False, "prevented": False})
        return
    _move(db, job, config, RunStatus.VERIFYING, "")
    verified, message, skipped = await _verify(db, job, config)
    with db.session() as session:
        incident = session.get(IncidentRow, job.incident_id) if job.incident_id else None
        proactive = bool(incident and incident.proactive)
    result = {"verified": verified and not skipped, "verification": message,
              "prevented": proactive and verified and not skipped}
    _finish(db, job, config, RunStatus.SUCCEEDED if verified else RunStatus.FAILED, message, result)


async def _run_steps(db: Database, job: Job, config: RemediationConfig) -> str | None:
    """None when every step passed, else why the run stops (later steps are not run)."""
    for i, step in enumerate(job.doc.steps):
        if not job.dry_run and _killed(db, job):
            return f"{KILLED}; stopped before step {job.doc.step_name(i)}"
        ctx = StepContext(config, job.params, job.asset, job.credentials, config.clock.now())
        started = config.clock.now()
        rec = await run_step(step, ctx, job.dry_run)
        _save_step(db, job, i, step.kind, started, rec)
        if rec.outcome.status not in (StepStatus.OK, StepStatus.PLANNED) and not step.continue_on_error:
            return job.scrub(f"step {job.doc.step_name(i)} {rec.outcome.status.value}: {rec.outcome.error}")
    return None


def _killed(db: Database, job: Job) -> bool:
    with db.session() as session:
        return kill_switch_engaged(session, job.tenant_id)


def _save_step(db: Database, job: Job, position: int, kind: str, started: float, rec: StepRecord) -> None:
    out = rec.outcome
    with db.session() as session:
        session.add(RunStepRow(
            run_id=job.run_id, position=position, name=job.doc.step_name(position)[:100], kind=kind,
            target=job.scrub(rec.target)[:500], command=[job.scrub(str(c)) for c in rec.command],
            status=out.status.value, exit_status=out.exit_status, stdout=job.scrub(out.stdout),
            stderr=job.scrub(out.stderr), error=job.scrub(out.error)[:1000], started_at=started,
            duration_ms=rec.duration_ms))


async def _verify(db: Database, job: Job, config: RemediationConfig) -> tuple[bool, str, bool]:
    """(passed, what happened, skipped): the check is re-run until it passes or attempts run out."""
    spec = job.doc.verify
    if spec.check == "none":
        return True, "not verified: the runbook sets verify.check to none", True
    definition = _verify_check(db, job, spec.check)
    if definition is None:
        wanted = "the check that raised the signal" if spec.check == "signal" else f"check {spec.check!r}"
        return False, f"cannot verify: {wanted} is not an enabled check on this asset", False
    summary = ""
    for attempt in range(1, spec.attempts + 1):
        if attempt > 1:
            await config.clock.sleep(spec.interval)
        result = await config.run_check(definition, config.clock)
        summary = result.summary
        if result.status == CheckStatus.OK:
            return True, f"check {definition.name} passes (attempt {attempt}): {summary}", False
    return False, f"check {definition.name} still fails after {spec.attempts} attempt(s): {summary}", False


def _verify_check(db: Database, job: Job, name: str) -> CheckDefinition | None:
    if job.asset is None:
        return None
    with db.session() as session:
        for d in enabled_definitions(session, job.asset.id):
            if (d.id == job.check_id) if name == "signal" else (d.name == name):
                return d
    return None


def _move(db: Database, job: Job, config: RemediationConfig, target: RunStatus, reason: str) -> None:
    with db.session() as session:
        run = session.get(RunbookRunRow, job.run_id)
        transition(session, run, target, "system", reason, config.clock.now())


def _finish(db: Database, job: Job, config: RemediationConfig, target: RunStatus, reason: str,
            result: dict[str, Any]) -> None:
    with db.session() as session:
        run = session.get(RunbookRunRow, job.run_id)
        if run is None or RunStatus(run.status).terminal:
            return
        run.result = {**(run.result or {}), **result}
        transition(session, run, target, "system", job.scrub(reason), config.clock.now())
