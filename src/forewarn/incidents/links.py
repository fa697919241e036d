"""Relations between incidents of one tenant: links (related, duplicate-of, caused-by), merge and split.

Merge moves every signal of the source into the target, records the move on both timelines and closes
the source as "merged into" the target. Split moves chosen signals of an incident into a new one. Both
keep the invariant that each signal belongs to exactly one incident and counts follow the signals.
"""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from forewarn.alerting import signal_rows
from forewarn.auth import Principal
from forewarn.core.enums import IncidentStatus, Severity, SignalState
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.incidents.correlation import transition
from forewarn.incidents.models import IncidentLinkRow, IncidentRow, IncidentSignalRow
from forewarn.incidents.priority import assign_priority
from forewarn.incidents.schemas import LinkOut
from forewarn.incidents.state import OPEN_STATUSES
from forewarn.incidents.timeline import add_event

# How a link reads from its other end.
REVERSE = {"related": "related", "duplicate-of": "has-duplicate", "caused-by": "causes"}


def other_incident(session: Session, who: Principal, row: IncidentRow, other_id: str | None) -> IncidentRow:
    """The second incident of a link/merge: visible to the caller (else 404) and of the same tenant."""
    if not other_id:
        raise ValidationFailed("name the other incident", where="other")
    other = session.get(IncidentRow, other_id)
    if other is None or not who.can_see(other.tenant_id):
        raise NotFoundError(f"incident {other_id!r} not found")
    if other.tenant_id != row.tenant_id:
        raise ValidationFailed("incidents of different tenants cannot be linked or merged", where="other")
    if other.id == row.id:
        raise ValidationFailed("an incident cannot be linked to or merged with itself", where="other")
    return other


def link(session: Session, who: Principal, row: IncidentRow, other: IncidentRow, kind: str, reason: str,
         now: float) -> None:
    exists = session.scalar(select(IncidentLinkRow.id).where(
        IncidentLinkRow.incident_id == row.id, IncidentLinkRow.other_id == other.id, IncidentLinkRow.kind == kind))
    if exists:
        raise ConflictError(f"incident {row.id} is already {kind} {other.id}")
    session.add(IncidentLinkRow(tenant_id=row.tenant_id, incident_id=row.id, other_id=other.id, kind=kind,
                                created_at=now, created_by=who.username[:100]))
    add_event(session, row, "link", who.username, reason, {"kind": kind, "incident": other.id}, now)
    add_event(session, other, "link", who.username, reason, {"kind": REVERSE[kind], "incident": row.id}, now)


def unlink(session: Session, who: Principal, row: IncidentRow, other: IncidentRow, kind: str | None, reason: str,
           now: float) -> None:
    """Remove the links between the two (of one kind, or all), in either direction."""
    pair = or_((IncidentLinkRow.incident_id == row.id) & (IncidentLinkRow.other_id == other.id),
               (IncidentLinkRow.incident_id == other.id) & (IncidentLinkRow.other_id == row.id))
    stmt = delete(IncidentLinkRow).where(pair)
    if kind:
        stmt = stmt.where(IncidentLinkRow.kind == kind)
    if not session.execute(stmt).rowcount:
        raise NotFoundError(f"incidents {row.id} and {other.id} are not linked" + (f" as {kind}" if kind else ""))
    for a, b in ((row, other), (other, row)):
        add_event(session, a, "unlink", who.username, reason, {"kind": kind, "incident": b.id}, now)


def links_of(session: Session, incident_id: str) -> list[LinkOut]:
    rows = session.execute(select(IncidentLinkRow.kind, IncidentLinkRow.incident_id, IncidentLinkRow.other_id).where(
        or_(IncidentLinkRow.incident_id == incident_id, IncidentLinkRow.other_id == incident_id))
        .order_by(IncidentLinkRow.id)).all()
    pairs = [(kind if a == incident_id else REVERSE[kind], b if a == incident_id else a) for kind, a, b in rows]
    others = {r.id: r for r in session.scalars(select(IncidentRow).where(IncidentRow.id.in_({o for _, o in pairs})))}
    return [LinkOut(kind=k, incident_id=o, title=others[o].title, status=others[o].status,
                    priority=others[o].priority) for k, o in pairs if o in others]


def merge(session: Session, who: Principal, target: IncidentRow, source: IncidentRow, reason: str,
          now: float) -> None:
    """Move all of `source` into `target` and close `source` as merged."""
    if IncidentStatus(target.status) not in OPEN_STATUSES:
        raise ConflictError(f"merge into an open incident; {target.id} is {target.status}")
    if source.status == IncidentStatus.CLOSED.value:
        raise ConflictError(f"incident {source.id} is already closed")
    moved = session.execute(update(IncidentSignalRow).where(IncidentSignalRow.incident_id == source.id)
                            .values(incident_id=target.id, role="symptom")).rowcount
    target.signal_count += source.signal_count
    source.signal_count = 0
    target.proactive = target.proactive and source.proactive
    if Severity(source.severity).rank > Severity(target.severity).rank:
        target.severity = source.severity
    source.merged_into_id = target.id
    # "merged" with the source id is what notify reads to announce the source's closing as well.
    add_event(session, target, "merged", who.username, reason or f"merged incident {source.id}: {source.title}",
              {"incident": source.id, "signals": moved, "title": source.title}, now)
    add_event(session, source, "merged into", who.username, reason or f"merged into incident {target.id}",
              {"incident": target.id, "signals": moved}, now)
    transition(session, source, "merge", who.username, f"merged into incident {target.id}", now)
    session.flush()
    assign_priority(session, target, now)


def split(session: Session, who: Principal, row: IncidentRow, signal_ids: list[str], title: str | None,
          reason: str, now: float) -> IncidentRow:
    """Move the chosen signals of `row` into a new incident (opened now) and return it."""
    if IncidentStatus(row.status) is IncidentStatus.CLOSED:
        raise ConflictError(f"incident {row.id} is closed")
    chosen = set(signal_ids)
    links = session.scalars(select(IncidentSignalRow).where(IncidentSignalRow.incident_id == row.id)).all()
    mine = {link.signal_id for link in links}
    if not chosen:
        raise ValidationFailed("choose the signals to split off", where="signal_ids")
    if chosen - mine:
        raise ValidationFailed(f"signal {sorted(chosen - mine)[0]!r} is not part of incident {row.id}",
                               where="signal_ids")
    if chosen == mine:
        raise ValidationFailed("leave at least one signal in the incident; splitting off all is a new title",
                               where="signal_ids")
    moving = sorted((link for link in links if link.signal_id in chosen), key=lambda x: x.first_seen or 0.0)
    signals = {s.id: s for s in signal_rows(session, sorted(chosen))}
    severity = max((Severity(signals[s].severity) for s in chosen if s in signals), key=lambda s: s.rank,
                   default=Severity(row.severity))
    first = signals.get(moving[0].signal_id)
    new = IncidentRow(tenant_id=row.tenant_id, title=(title or (first.summary if first else row.title))[:500],
                      status=IncidentStatus.NEW.value, severity=severity.value, asset_id=moving[0].asset_id,
                      proactive=row.proactive, flapping=False, signal_count=len(moving), opened_at=now,
                      analysis={"split_from": row.id})
    session.add(new)
    session.flush()
    session.execute(update(IncidentSignalRow).where(IncidentSignalRow.incident_id == row.id,
                                                    IncidentSignalRow.signal_id.in_(chosen))
                    .values(incident_id=new.id))
    row.signal_count = max(row.signal_count - len(moving), len(mine) - len(moving))
    if row.root_cause_asset_id and not _has_asset(session, row.id, row.root_cause_asset_id):
        row.root_cause_asset_id = None  # the named cause left with its signals; ranking names a new one
    session.add(IncidentLinkRow(tenant_id=row.tenant_id, incident_id=new.id, other_id=row.id, kind="related",
                                created_at=now, created_by=who.username[:100]))
    add_event(session, new, "opened", who.username, reason or f"split from incident {row.id}",
              {"split_from": row.id, "signals": sorted(chosen)}, now)
    add_event(session, row, "split", who.username, reason or f"{len(chosen)} signal(s) moved to incident {new.id}",
              {"incident": new.id, "signals": sorted(chosen)}, now)
    _resolve_if_quiet(session, who, row, now)
    assign_priority(session, new, now)
    return new


def _has_asset(session: Session, incident_id: str, asset_id: str) -> bool:
    return bool(session.scalar(select(func.count()).select_from(IncidentSignalRow).where(
        IncidentSignalRow.incident_id == incident_id, IncidentSignalRow.asset_id == asset_id)))


def _resolve_if_quiet(session: Session, who: Principal, row: IncidentRow, now: float) -> None:
    """Nothing firing is left after the split: the incident is resolved, as if its signals had recovered."""
    firing = session.scalar(select(func.count()).select_from(IncidentSignalRow).where(
        IncidentSignalRow.incident_id == row.id, IncidentSignalRow.state == SignalState.FIRING.value))
    if not firing and IncidentStatus(row.status) in OPEN_STATUSES:
        transition(session, row, "resolve", who.username, "no firing signal left after the split", now)
