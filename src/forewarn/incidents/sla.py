"""SLA timers of incidents: due instants from the tenant policy, live countdowns, the warning before a breach,
breaches recorded once, and the periodic tick that keeps all of it current.

Response runs from opening until acknowledged (or resolved without one); resolution until resolved. A
reopened incident's resolution clock counts from its original opening: the client waited all along.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Float, and_, false, func, literal, select
from sqlalchemy.orm import Session

from forewarn.core.enums import IncidentStatus
from forewarn.incidents.models import IncidentRow, IncidentSlaRow, SlaBreachRow
from forewarn.incidents.schemas import SlaOut, SlaTimerOut
from forewarn.incidents.sla_clock import (
    Calendar,
    add_business_seconds,
    business_seconds,
    in_business_hours,
)
from forewarn.incidents.timeline import add_event
from forewarn.inventory import SlaPolicyOut, SlaTargetIn, sla_policies

KINDS = ("response", "resolution")
_OPEN = [IncidentStatus.NEW.value, IncidentStatus.ACKNOWLEDGED.value]
_CALENDARS: dict[tuple, Calendar] = {}
_LOAD = object()


@dataclass(frozen=True)
class _DayMemo(Calendar):
    """A calendar that keeps each day's business intervals once computed: due instants of a thousand incidents
    opened in one batch walk the same few days, and building local datetimes dominated that cost."""

    days: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    dates: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    totals: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def local_date(self, ts: float) -> date:
        # Every zone's offset is a whole number of quarter hours, so a local midnight always falls on a UTC
        # quarter-hour boundary and one 15-minute block of epoch seconds has one local date.
        key = int(ts // 900)
        got = self.dates.get(key)
        if got is None:
            if len(self.dates) > 100_000:
                self.dates.clear()
            got = self.dates[key] = super().local_date(ts)
        return got

    def intervals(self, first: date, last: date) -> Iterator[tuple[float, float]]:
        if first != last:
            return super().intervals(first, last)
        got = self.days.get(first)
        if got is None:
            if len(self.days) > 4000:  # ~10 years of days: bounded without eviction logic
                self.days.clear()
            got = self.days[first] = tuple(super().intervals(first, first))
        return iter(got)

    def day_total(self, day: date, spans: tuple[tuple[float, float], ...]) -> float:
        got = self.totals.get(day)
        if got is None:
            if len(self.totals) > 4000:
                self.totals.clear()
            got = self.totals[day] = super().day_total(day, spans)
        return got


def calendar_for(policy: SlaPolicyOut, target: SlaTargetIn) -> Calendar:
    if target.clock == "24x7" or not policy.hours:
        return Calendar.around_the_clock()
    key = (policy.tenant_id, policy.updated_at)
    if key not in _CALENDARS:
        if len(_CALENDARS) > 1000:  # policies change rarely; a bounded cache never needs eviction logic
            _CALENDARS.clear()
        _CALENDARS[key] = _DayMemo.from_spec(policy.timezone, policy.hours, policy.holidays)
    return _CALENDARS[key]


def _policy(session: Session, tenant_id: str) -> SlaPolicyOut | None:
    return sla_policies(session, {tenant_id}).get(tenant_id)


def timer_values(opened_at: float, priority: str, pol: SlaPolicyOut | None) -> dict[str, float | str] | None:
    """Targets, due and warning instants of an incident opened at `opened_at` with this priority; None when
    the policy has no target for it. Shared by refresh_timers and the batch correlator's bulk insert."""
    target = pol.targets.get(priority) if pol else None
    if target is None or pol is None:
        return None
    cal = calendar_for(pol, target)
    minutes = {"response": target.response, "resolution": target.resolution}
    values: dict[str, float | str] = {"priority": priority, "policy_updated_at": pol.updated_at}
    for kind in KINDS:
        budget = minutes[kind] * 60.0
        values[f"{kind}_minutes"] = minutes[kind]
        values[f"{kind}_due_at"] = add_business_seconds(cal, opened_at, budget)
        values[f"{kind}_warn_at"] = add_business_seconds(cal, opened_at, budget * pol.warn_at)
    return values


def refresh_timers(session: Session, row: IncidentRow, now: float, policy: object = _LOAD) -> IncidentSlaRow | None:
    """(Re)compute the incident's due instants for its priority under the policy; none without a target."""
    pol = _policy(session, row.tenant_id) if policy is _LOAD else policy
    assert pol is None or isinstance(pol, SlaPolicyOut)
    sla = session.get(IncidentSlaRow, row.id)
    values = timer_values(row.opened_at, row.priority, pol)
    if values is None:
        if sla is not None:
            session.delete(sla)
        return None
    if sla is None:
        sla = IncidentSlaRow(incident_id=row.id, tenant_id=row.tenant_id, response_warned=False,
                             resolution_warned=False, response_breached=False, resolution_breached=False, **values)
        session.add(sla)
    else:
        for key, value in values.items():
            setattr(sla, key, value)
        for kind in KINDS:  # a later target re-arms its warning; a recorded breach stays recorded
            if values[f"{kind}_warn_at"] > now:  # type: ignore[operator]
                setattr(sla, f"{kind}_warned", False)
    return sla


def stopped_at(row: IncidentRow, kind: str) -> float | None:
    if kind == "response":
        return row.acknowledged_at or row.resolved_at or row.closed_at
    return row.resolved_at or row.closed_at


def timers(row: IncidentRow, sla: IncidentSlaRow | None, policy: SlaPolicyOut | None, now: float) -> SlaOut | None:
    """The live view: due instants, business seconds left (negative when overdue), breached and paused flags."""
    if sla is None or policy is None or sla.priority not in policy.targets:
        return None
    target = policy.targets[sla.priority]
    cal = calendar_for(policy, target)
    out = {}
    for kind in KINDS:
        due, stop = getattr(sla, f"{kind}_due_at"), stopped_at(row, kind)
        ref = stop if stop is not None else now
        left = business_seconds(cal, ref, due) if ref <= due else -business_seconds(cal, due, ref)
        out[kind] = SlaTimerOut(
            target_minutes=getattr(sla, f"{kind}_minutes"), due_at=due, warn_at=getattr(sla, f"{kind}_warn_at"),
            remaining_seconds=round(left, 1), stopped_at=stop, running=stop is None,
            paused=stop is None and not in_business_hours(cal, now),
            warned=getattr(sla, f"{kind}_warned"), breached=getattr(sla, f"{kind}_breached") or ref > due)
    return SlaOut(priority=sla.priority, clock="24x7" if cal.always else "business", **out)


def timers_for(session: Session, rows: list[IncidentRow], now: float) -> dict[str, SlaOut]:
    """Timers of many incidents with two queries (their SLA rows, their tenants' policies)."""
    if not rows:
        return {}
    slas = {s.incident_id: s for s in session.scalars(
        select(IncidentSlaRow).where(IncidentSlaRow.incident_id.in_([r.id for r in rows])))}
    policies = sla_policies(session, {r.tenant_id for r in rows if r.id in slas})
    out = {}
    for row in rows:
        view = timers(row, slas.get(row.id), policies.get(row.tenant_id), now)
        if view is not None:
            out[row.id] = view
    return out


def _running(kind: str):  # noqa: ANN202 - a SQL condition
    if kind == "response":
        return and_(IncidentRow.status.in_(_OPEN), IncidentRow.acknowledged_at.is_(None))
    return IncidentRow.status.in_(_OPEN)


def _stop_or_now(kind: str, now: float):  # noqa: ANN202 - a SQL expression
    at = literal(now, Float)
    if kind == "response":
        return func.coalesce(IncidentRow.acknowledged_at, IncidentRow.resolved_at, IncidentRow.closed_at, at)
    return func.coalesce(IncidentRow.resolved_at, IncidentRow.closed_at, at)


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def record_warnings(session: Session, now: float) -> set[str]:
    """One "sla" timeline event per running timer past its warning point (e.g. 80% used), once."""
    touched: set[str] = set()
    for kind in KINDS:
        cols = {c: getattr(IncidentSlaRow, f"{kind}_{c}") for c in ("warn_at", "warned", "breached", "due_at")}
        rows = session.execute(select(IncidentSlaRow, IncidentRow).join(
            IncidentRow, IncidentRow.id == IncidentSlaRow.incident_id).where(
            cols["warn_at"] <= now, cols["warned"] == false(), cols["breached"] == false(), cols["due_at"] > now,
            _running(kind))).all()
        for sla, row in rows:
            setattr(sla, f"{kind}_warned", True)
            due = getattr(sla, f"{kind}_due_at")
            add_event(session, row, "sla", "sla", f"{kind} target ({sla.priority}, "
                      f"{getattr(sla, f'{kind}_minutes'):g} min) nearly used up: due {_utc(due)}",
                      {"change": "sla_warning", "kind": kind, "priority": sla.priority, "due_at": due}, now)
            touched.add(row.id)
    return touched


def record_breaches(session: Session, now: float, incident_ids: list[str] | None = None) -> set[str]:
    """Timers stopped late or still running past due: a breach row and a timeline event, once per kind."""
    touched: set[str] = set()
    for kind in KINDS:
        due_col, flag = getattr(IncidentSlaRow, f"{kind}_due_at"), getattr(IncidentSlaRow, f"{kind}_breached")
        stmt = select(IncidentSlaRow, IncidentRow).join(IncidentRow, IncidentRow.id == IncidentSlaRow.incident_id)\
            .where(flag == false(), due_col < _stop_or_now(kind, now))
        if incident_ids is not None:
            stmt = stmt.where(IncidentSlaRow.incident_id.in_(incident_ids))
        for sla, row in session.execute(stmt).all():
            setattr(sla, f"{kind}_breached", True)
            due = getattr(sla, f"{kind}_due_at")
            session.add(SlaBreachRow(tenant_id=row.tenant_id, incident_id=row.id, kind=kind, priority=sla.priority,
                                     target_minutes=getattr(sla, f"{kind}_minutes"), due_at=due, recorded_at=now))
            add_event(session, row, "sla", "sla", f"{kind} target ({sla.priority}, "
                      f"{getattr(sla, f'{kind}_minutes'):g} min) breached: was due {_utc(due)}",
                      {"change": "sla_breached", "kind": kind, "priority": sla.priority, "due_at": due}, now)
            touched.add(row.id)
    return touched
