"""The alerting stage: check results through hysteresis and flap rules into deduplicated signals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.alerting.models import AlertStateRow, SignalRow
from forewarn.alerting.policy import AlertState, step
from forewarn.alerting.schemas import SignalOut
from forewarn.auth import Principal
from forewarn.core.enums import CheckStatus, Severity, SignalState
from forewarn.core.records import CheckResult, Signal
from forewarn.monitoring import check_confirm_count, check_confirm_counts


def check_fingerprint(check_id: str) -> str:
    return f"check:{check_id}"


def evaluate_result(session: Session, result: CheckResult) -> list[Signal]:
    """Advance the check's alert state by one result; the signals that this result causes."""
    states = {result.check_id: row} if (row := session.get(AlertStateRow, result.check_id)) else {}
    return _evaluate(session, result, check_confirm_count(session, result.check_id), states)


def evaluate_results(session: Session, results: list[CheckResult]) -> list[Signal]:
    """`evaluate_result` for many results in order, with two queries up front instead of two per result."""
    confirm = check_confirm_counts(session, {r.check_id for r in results})
    states = {row.check_id: row for row in
              session.scalars(select(AlertStateRow).where(AlertStateRow.check_id.in_(confirm)))}
    return [s for r in results for s in _evaluate(session, r, confirm.get(r.check_id), states)]


def _evaluate(session: Session, result: CheckResult, confirm: int | None,
              states: dict[str, AlertStateRow]) -> list[Signal]:
    if confirm is None:
        return []
    row = states.get(result.check_id)
    if row is None:
        row = AlertStateRow(check_id=result.check_id, confirmed=0, pending=0, pending_count=0, recent=[],
                            flapping=False)
        session.add(row)
        states[result.check_id] = row
    state = AlertState(CheckStatus(row.confirmed), CheckStatus(row.pending), row.pending_count,
                       tuple(row.recent or ()), row.flapping)
    out = step(state, result.status, confirm)
    row.confirmed, row.pending = int(out.state.confirmed), int(out.state.pending)
    row.pending_count, row.recent, row.flapping = out.state.pending_count, list(out.state.recent), out.state.flapping
    signals: list[Signal] = []
    if out.flap_started:
        # While flapping, one firing signal stands for the whole episode instead of a stream.
        seen = sorted({CheckStatus(s) for s in out.state.recent}, key=lambda s: s.rank)
        signals.append(_signal(result, seen[-1], flapping=True,
                               summary=f"flapping between {' and '.join(s.name for s in seen)}: {result.summary}"))
    elif out.state.flapping:
        pass
    elif out.flap_stopped or out.changed_from is not None:
        signals.append(_signal(result, out.state.confirmed, flapping=False, summary=result.summary))
    return signals


def _signal(result: CheckResult, status: CheckStatus, flapping: bool, summary: str) -> Signal:
    firing = status != CheckStatus.OK
    return Signal(
        fingerprint=check_fingerprint(result.check_id), tenant_id=result.tenant_id, asset_id=result.asset_id,
        kind="check", severity=Severity.from_status(status) if firing else Severity.INFO,
        state=SignalState.FIRING if firing else SignalState.RESOLVED, summary=summary, ts=result.ts,
        check_id=result.check_id, flapping=flapping,
        evidence={"status": status.name, "metrics": {m.name: m.value for m in result.metrics[:20]}},
    )


def record_signal(session: Session, signal: Signal) -> str:
    """Deduplicate by fingerprint: one row per condition with counts and first/last seen."""
    row = session.scalar(select(SignalRow).where(SignalRow.fingerprint == signal.fingerprint))
    if row is None:
        row = SignalRow(fingerprint=signal.fingerprint, tenant_id=signal.tenant_id, asset_id=signal.asset_id,
                        check_id=signal.check_id, kind=signal.kind, first_seen=signal.ts, count=0)
        session.add(row)
    elif row.state == SignalState.RESOLVED and signal.state == SignalState.FIRING:
        row.first_seen = signal.ts  # a new episode of the same condition
        row.suppressed = None
    row.count += 1
    row.severity, row.state, row.summary = signal.severity.value, signal.state.value, signal.summary[:1000]
    row.last_seen, row.flapping, row.evidence = signal.ts, signal.flapping, signal.evidence
    session.flush()
    return row.id


def signal_out(row: SignalRow) -> SignalOut:
    return SignalOut(id=row.id, fingerprint=row.fingerprint, tenant_id=row.tenant_id, asset_id=row.asset_id,
                     check_id=row.check_id, kind=row.kind, severity=row.severity, state=row.state,
                     summary=row.summary, first_seen=row.first_seen, last_seen=row.last_seen,
                     count=row.count, flapping=row.flapping, evidence=row.evidence or {},
                     suppressed=row.suppressed)


def signals_by_ids(session: Session, who: Principal, ids: list[str]) -> list[SignalOut]:
    if not ids:
        return []
    rows = session.scalars(who.scoped(select(SignalRow).where(SignalRow.id.in_(ids)), SignalRow.tenant_id))
    return [signal_out(r) for r in rows]


def recent_signals_for_series(session: Session, who: Principal, asset_id: str, since: float) -> list[SignalOut]:
    """Anomaly and forecast signals of an asset seen since `since`, for chart overlays."""
    stmt = who.scoped(select(SignalRow).where(SignalRow.asset_id == asset_id, SignalRow.last_seen >= since,
                                              SignalRow.kind.in_(("anomaly", "forecast"))), SignalRow.tenant_id)
    return [signal_out(r) for r in session.scalars(stmt)]


def mark_suppressed(session: Session, signal_id: str, reason: str) -> None:
    """Record why a signal pages nobody (maintenance, silence, dependency down); it stays stored."""
    row = session.get(SignalRow, signal_id)
    if row is not None:
        row.suppressed = reason


def signal_rows(session: Session, ids: list[str]) -> list[SignalOut]:
    """Signals by id for the platform's own use (no tenant scope: callers already hold the incident)."""
    if not ids:
        return []
    return [signal_out(r) for r in session.scalars(select(SignalRow).where(SignalRow.id.in_(ids)))]
