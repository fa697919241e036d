"""The escalation engine: freezes a tenant's policy onto each new incident, then, tick by tick, pages a person,
whoever is on call on a rota, or a channel, waiting N minutes for an acknowledgement between steps.

Every step writes the incident timeline (kind "escalation"), including the reason when it could not
act (rota empty, no email address, channel disabled or deleted, no email relay); a step that could
not act does not wait, the next one runs at once. Pages go through the notify outbox, so they are
retried, rate-limited and de-duplicated like every other notification. The tick reads the time it
is given (the platform clock), never the wall clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forewarn.auth import contacts_by_ids
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.notify.escalation_models import EscalationPolicyRow, IncidentEscalationRow, RotaRow
from forewarn.notify.models import NotificationChannelRow, OutboxRow
from forewarn.notify.oncall import zone
from forewarn.notify.oncall_store import on_call
from forewarn.notify.outbox import snapshot
from forewarn.notify.policy import PENDING, Bucket, idempotency_key
from forewarn.notify.timeline import add_escalation_event

log = logging.getLogger(__name__)

ACTIVE, STOPPED, EXHAUSTED, NONE = "active", "stopped", "exhausted", "none"
PAGED = "paged"  # the outbox change of an escalation page
START_HORIZON = 3600.0  # an incident first seen older than this never starts paging (e.g. right after an upgrade)


@dataclass(frozen=True, slots=True)
class StepResult:
    acted: bool
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class TickReport:
    started: int = 0
    steps: int = 0
    ended: int = 0  # stopped (acknowledged, resolved) or exhausted


# --- choosing and freezing a policy ----------------------------------------------------------


def matches(severities: list[str], priorities: list[str], severity: str, priority: str | None) -> bool:
    """A policy's filters: an empty list matches everything; otherwise the incident's value must be listed."""
    return (not severities or severity in severities) and (not priorities or priority in priorities)


def select_policy(session: Session, incident: IncidentRow) -> EscalationPolicyRow | None:
    policies = session.scalars(select(EscalationPolicyRow).where(
        EscalationPolicyRow.tenant_id == incident.tenant_id, EscalationPolicyRow.enabled.is_(True))
        .order_by(EscalationPolicyRow.position, EscalationPolicyRow.name))
    priority = getattr(incident, "priority", None)
    return next((p for p in policies if matches(p.severities or [], p.priorities or [], incident.severity, priority)),
                None)


def target_names(session: Session, steps: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Display names of the steps' targets, by (target kind, id)."""
    refs: dict[str, set[str]] = {"user": set(), "rota": set(), "channel": set()}
    for step in steps:
        refs[step["target"]].add(step["ref"])
    names = {("user", c.id): c.username for c in contacts_by_ids(session, refs["user"]).values()}
    if refs["rota"]:
        names |= {("rota", i): n for i, n in session.execute(
            select(RotaRow.id, RotaRow.name).where(RotaRow.id.in_(refs["rota"])))}
    if refs["channel"]:
        names |= {("channel", i): n for i, n in session.execute(select(
            NotificationChannelRow.id, NotificationChannelRow.name).where(NotificationChannelRow.id.in_(refs["channel"])))}
    return names


def freeze(session: Session, policy: EscalationPolicyRow, now: float) -> dict[str, Any]:
    """The policy as it is now: later edits of the policy never change an escalation already running."""
    steps = list(policy.steps or [])
    names = target_names(session, steps)
    return {"policy_id": policy.id, "name": policy.name, "version": policy.version, "repeat": policy.repeat,
            "email_channel_id": policy.email_channel_id, "frozen_at": now,
            "steps": [{"target": s["target"], "ref": s["ref"], "wait_minutes": int(s.get("wait_minutes", 0)),
                       "name": names.get((s["target"], s["ref"]), "(deleted)")} for s in steps]}


def _begin(session: Session, incident: IncidentRow, row: IncidentEscalationRow | None, now: float) -> bool:
    """Start (or, for a reopened incident, restart) its escalation; False when another tick got there first."""
    policy = select_policy(session, incident)
    snap = freeze(session, policy, now) if policy else {}
    state = ACTIVE if policy and snap["steps"] else NONE
    fresh = row is None
    # A restarted escalation pages under new idempotency keys, or its pages would count as already sent.
    snap["run"] = 1 if row is None else int((row.snapshot or {}).get("run", 0)) + 1
    if row is None:
        row = IncidentEscalationRow(incident_id=incident.id, tenant_id=incident.tenant_id)
    row.policy_id, row.snapshot, row.state, row.round, row.step = (policy.id if policy else None), snap, state, 0, 0
    row.next_at, row.started_at, row.ended_at, row.end_reason = now, now, None, ""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    if state == ACTIVE:
        verb = "started" if fresh else "restarted (incident reopened)"
        add_escalation_event(session, incident.id, now, f"escalation {verb}: policy {snap['name']!r} "
                             f"v{snap['version']}, {len(snap['steps'])} steps, repeated {snap['repeat']} times",
                             {"event": "started", "policy": snap["name"], "version": snap["version"]})
    return True


def start_new(session: Session, now: float, horizon: float = START_HORIZON, limit: int = 500) -> int:
    """Escalations for unacknowledged incidents that have none yet, and for reopened ones that had stopped."""
    rows = session.execute(select(IncidentRow, IncidentEscalationRow).outerjoin(
        IncidentEscalationRow, IncidentEscalationRow.incident_id == IncidentRow.id).where(
        IncidentRow.status == "new", IncidentRow.opened_at >= now - horizon,
        or_(IncidentEscalationRow.incident_id.is_(None), IncidentEscalationRow.state == STOPPED))
        .order_by(IncidentRow.opened_at).limit(limit)).all()
    return sum(_begin(session, incident, esc, now) for incident, esc in rows)


# --- running steps ---------------------------------------------------------------------------


def _relay(session: Session, snap: dict[str, Any], tenant_id: str) -> tuple[NotificationChannelRow | None, str]:
    """The email channel whose SMTP server carries pages to persons, or why there is none."""
    if snap.get("email_channel_id"):
        channel = session.get(NotificationChannelRow, snap["email_channel_id"])
        if channel is None:
            return None, "the policy's email channel was deleted"
        return (channel, "") if channel.enabled else (None, f"email channel {channel.name!r} is disabled")
    channel = session.scalar(select(NotificationChannelRow).where(
        NotificationChannelRow.tenant_id == tenant_id, NotificationChannelRow.kind == "email",
        NotificationChannelRow.enabled.is_(True)).order_by(NotificationChannelRow.name).limit(1))
    return (channel, "") if channel else (None, "the tenant has no enabled email channel to send pages through")


def _rate_note(session: Session, channel: NotificationChannelRow, now: float) -> str:
    """Why a queued page may wait: the channel's rate limit, counting the messages already waiting for it."""
    waiting = session.scalar(select(func.count()).select_from(OutboxRow).where(
        OutboxRow.channel_id == channel.id, OutboxRow.status == PENDING, OutboxRow.due_at <= now)) or 0
    bucket = Bucket.restore(channel.bucket_tokens, channel.bucket_at, channel.rate_per_minute, now)
    if bucket.tokens >= waiting + 1:
        return ""
    return f"; channel {channel.name!r} is rate-limited ({channel.rate_per_minute}/min), the page is queued behind it"


def _enqueue(session: Session, incident: IncidentRow, channel: NotificationChannelRow, ref: str, now: float,
             extra: dict[str, Any]) -> bool:
    key = idempotency_key(channel.id, incident.id, ref)
    if session.scalar(select(OutboxRow.id).where(OutboxRow.idempotency_key == key)):
        return False
    row = OutboxRow(idempotency_key=key, tenant_id=incident.tenant_id, channel_id=channel.id, incident_id=incident.id,
                    change=PAGED, payload={**snapshot(session, incident), **extra}, status=PENDING, created_at=now,
                    due_at=now, attempts=0, last_error="")
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class StepContext:
    session: Session
    incident: IncidentRow
    esc: IncidentEscalationRow
    step: dict[str, Any]
    now: float

    @property
    def ref(self) -> str:
        return f"page:{self.esc.snapshot.get('run', 1)}:{self.esc.round}:{self.esc.step}"

    def page_text(self) -> str:
        snap, rounds = self.esc.snapshot, self.esc.snapshot["repeat"] + 1
        where = f"step {self.esc.step + 1} of {len(snap['steps'])}" + (
            f", round {self.esc.round + 1} of {rounds}" if rounds > 1 else "")
        return f"{where} of policy {snap['name']!r}; acknowledge the incident to stop the escalation"


def _page_user(ctx: StepContext, user_id: str, via: str = "") -> StepResult:
    contact = contacts_by_ids(ctx.session, [user_id]).get(user_id)
    who = contact.username if contact else ctx.step.get("name", user_id)
    if contact is None:
        return StepResult(False, f"could not page {who}{via}: the user no longer exists", {"reason": "user deleted"})
    if not contact.active:
        return StepResult(False, f"could not page {who}{via}: the account is deactivated", {"reason": "inactive"})
    if not contact.may_serve(ctx.incident.tenant_id):
        return StepResult(False, f"could not page {who}{via}: a client user of another tenant",
                          {"reason": "other tenant"})
    if not contact.email:
        return StepResult(False, f"could not page {who}{via}: the user has no email address",
                          {"reason": "no email", "user": who})
    relay, why = _relay(ctx.session, ctx.esc.snapshot, ctx.incident.tenant_id)
    if relay is None:
        return StepResult(False, f"could not page {who}{via}: {why}", {"reason": "no relay", "user": who})
    note = _rate_note(ctx.session, relay, ctx.now)
    added = _enqueue(ctx.session, ctx.incident, relay, f"{ctx.ref}:{contact.id}", ctx.now,
                     {"recipients": [contact.email], "escalation": ctx.page_text()})
    return StepResult(True, f"paged {who} <{contact.email}>{via} by email via {relay.name!r}{note}",
                      {"user": who, "email": contact.email, "channel": relay.name, "queued": added,
                       "rate_limited": bool(note)})


def _page_rota(ctx: StepContext) -> StepResult:
    rota = ctx.session.get(RotaRow, ctx.step["ref"])
    if rota is None:
        return StepResult(False, f"could not page rota {ctx.step['name']!r}: the rota was deleted",
                          {"reason": "rota deleted"})
    current = on_call(ctx.session, rota, ctx.now)
    if current.user is None:
        local = datetime.fromtimestamp(ctx.now, tz=zone(rota.timezone))
        return StepResult(False, f"could not page rota {rota.name!r}: nobody is on call at "
                                 f"{local:%Y-%m-%d %H:%M %Z} ({current.reason})",
                          {"reason": "rota empty", "rota": rota.name})
    result = _page_user(ctx, current.user, via=f" (on call on rota {rota.name!r}, {current.source})")
    return StepResult(result.acted, result.message, {**result.data, "rota": rota.name})


def _page_channel(ctx: StepContext) -> StepResult:
    channel = ctx.session.get(NotificationChannelRow, ctx.step["ref"])
    if channel is None:
        return StepResult(False, f"could not notify channel {ctx.step['name']!r}: the channel was deleted",
                          {"reason": "channel deleted"})
    if not channel.enabled:
        return StepResult(False, f"could not notify channel {channel.name!r}: the channel is disabled",
                          {"reason": "channel disabled", "channel": channel.name})
    note = _rate_note(ctx.session, channel, ctx.now)
    added = _enqueue(ctx.session, ctx.incident, channel, ctx.ref, ctx.now, {"escalation": ctx.page_text()})
    return StepResult(True, f"notified {channel.kind} channel {channel.name!r}{note}",
                      {"channel": channel.name, "queued": added, "rate_limited": bool(note)})


TARGETS: dict[str, Callable[[StepContext], StepResult]] = {
    "user": lambda ctx: _page_user(ctx, ctx.step["ref"]),
    "rota": _page_rota,
    "channel": _page_channel,
}


def _stop_reason(session: Session, incident: IncidentRow) -> str:
    actor = session.scalar(select(IncidentEventRow.actor).where(
        IncidentEventRow.incident_id == incident.id, IncidentEventRow.kind == "status")
        .order_by(IncidentEventRow.id.desc()).limit(1))
    return f"incident {incident.status}" + (f" by {actor}" if actor else "")


def _end(session: Session, esc: IncidentEscalationRow, state: str, reason: str, now: float) -> None:
    esc.state, esc.ended_at, esc.end_reason = state, now, reason[:500]
    add_escalation_event(session, esc.incident_id, now, f"escalation {state}: {reason}", {"event": state})


def advance(session: Session, esc: IncidentEscalationRow, incident: IncidentRow, now: float) -> int:
    """Run every step due now (steps that could not act do not wait); returns the steps run."""
    ran = 0
    snap = esc.snapshot
    while esc.state == ACTIVE and esc.next_at <= now:
        if incident.status != "new":
            _end(session, esc, STOPPED, _stop_reason(session, incident), now)
            break
        if esc.step >= len(snap["steps"]):
            if esc.round >= snap["repeat"]:
                _end(session, esc, EXHAUSTED, f"nobody acknowledged after {esc.round + 1} round(s) of policy "
                     f"{snap['name']!r}", now)
                break
            esc.round, esc.step = esc.round + 1, 0
        step = snap["steps"][esc.step]
        result = TARGETS[step["target"]](StepContext(session, incident, esc, step, now))
        wait = step["wait_minutes"] * 60.0 if result.acted else 0.0
        then = f"; next step in {step['wait_minutes']} min" if result.acted else "; moving on at once"
        label = f"step {esc.step + 1}/{len(snap['steps'])}, round {esc.round + 1}/{snap['repeat'] + 1}"
        add_escalation_event(session, incident.id, now, f"{label}: {result.message}{then}",
                             {"event": "step", "round": esc.round, "step": esc.step, "target": step["target"],
                              "acted": result.acted, **result.data})
        esc.step, esc.next_at = esc.step + 1, now + wait
        ran += 1
    if esc.state == ACTIVE and incident.status != "new":
        _end(session, esc, STOPPED, _stop_reason(session, incident), now)
    return ran


def tick(session: Session, now: float, horizon: float = START_HORIZON, limit: int = 500) -> TickReport:
    """One round: start escalations for new incidents, stop those acknowledged or resolved, run due steps."""
    # Write first: on SQLite a transaction that reads and then writes fails at once ("database is
    # locked") when another writer got in between; taking the write lock up front waits its turn.
    session.execute(update(IncidentEscalationRow).where(false()).values(state=ACTIVE))
    report = TickReport(started=start_new(session, now, horizon, limit))
    due = session.execute(select(IncidentEscalationRow, IncidentRow).join(
        IncidentRow, IncidentRow.id == IncidentEscalationRow.incident_id).where(
        IncidentEscalationRow.state == ACTIVE,
        or_(IncidentEscalationRow.next_at <= now, IncidentRow.status != "new"))
        .order_by(IncidentEscalationRow.next_at).limit(limit)
        .with_for_update(of=IncidentEscalationRow, skip_locked=True)).all()
    for esc, incident in due:
        try:
            with session.begin_nested():  # one incident's failure must not undo the others' steps
                report.steps += advance(session, esc, incident, now)
                report.ended += esc.state != ACTIVE
        except Exception:  # noqa: BLE001 - logged with the id; the escalation is retried next tick
            log.exception("escalation of incident %s failed; retrying next tick", esc.incident_id)
    return report
