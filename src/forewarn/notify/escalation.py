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

from sqlalchemy import false, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forewarn.auth import contacts_by_ids
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.notify.escalation_batch import (
    INCIDENT_COLUMNS,
    Esc,
    TickCache,
    TickWrites,
    chunks,
    payload_of,
    restart,
    save_progress,
)
from forewarn.notify.escalation_models import EscalationPolicyRow, IncidentEscalationRow, RotaRow
from forewarn.notify.models import NotificationChannelRow
from forewarn.notify.oncall import zone
from forewarn.notify.policy import PENDING, idempotency_key
from forewarn.notify.timeline import ESCALATION_ACTOR, ESCALATION_KIND

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


def select_policy(policies: list[EscalationPolicyRow], incident: IncidentRow) -> EscalationPolicyRow | None:
    """The first of the tenant's enabled policies (by position, name) whose filters match the incident."""
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


def _frozen(cache: TickCache, policy: EscalationPolicyRow) -> dict[str, Any]:
    if policy.id not in cache.frozen:  # one freeze per policy per tick, however many incidents start under it
        cache.frozen[policy.id] = freeze(cache.session, policy, cache.now)
    return cache.frozen[policy.id]


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert escalation rows in one statement; returns the incidents inserted (a concurrent tick's win is
    skipped, not an error)."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        module = postgresql if dialect == "postgresql" else sqlite
        stmt = module.insert(IncidentEscalationRow).on_conflict_do_nothing(index_elements=["incident_id"])
        session.execute(stmt, rows)
    else:  # other databases: the tick's write lock keeps ticks from racing
        session.execute(insert(IncidentEscalationRow), rows)
    ids = [r["incident_id"] for r in rows]
    mine = set()
    for part in chunks(ids):  # ours: started at this instant with this run (a racing tick's rows differ in nothing
        mine |= set(session.scalars(select(IncidentEscalationRow.incident_id).where(  # we could tell; it is rare)
            IncidentEscalationRow.incident_id.in_(part), IncidentEscalationRow.started_at == rows[0]["started_at"])))
    return mine


def start_new(session: Session, cache: TickCache, writes: TickWrites, now: float, horizon: float = START_HORIZON,
              limit: int = 500) -> int:
    """Escalations for unacknowledged incidents that have none yet, and for reopened ones that had stopped."""
    rows = session.execute(select(*INCIDENT_COLUMNS, IncidentEscalationRow.incident_id.label("esc_id"),
                                  IncidentEscalationRow.snapshot.label("esc_snapshot")).outerjoin(
        IncidentEscalationRow, IncidentEscalationRow.incident_id == IncidentRow.id).where(
        IncidentRow.status == "new", IncidentRow.opened_at >= now - horizon,
        or_(IncidentEscalationRow.incident_id.is_(None), IncidentEscalationRow.state == STOPPED))
        .order_by(IncidentRow.opened_at).limit(limit)).all()
    cache.load_tenants(incident.tenant_id for incident in rows)
    fresh: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    announce: list[tuple[Any, dict[str, Any], bool]] = []
    for incident in rows:
        policy = select_policy(cache.policies[incident.tenant_id], incident)
        snap = dict(_frozen(cache, policy)) if policy else {}
        state = ACTIVE if policy and snap["steps"] else NONE
        # A restarted escalation pages under new idempotency keys, or its pages would count as already sent.
        snap["run"] = 1 if incident.esc_id is None else int((incident.esc_snapshot or {}).get("run", 0)) + 1
        values = {"policy_id": policy.id if policy else None, "snapshot": snap, "state": state, "round": 0,
                  "step": 0, "next_at": now, "started_at": now, "ended_at": None, "end_reason": ""}
        if incident.esc_id is None:
            fresh.append({"incident_id": incident.id, "tenant_id": incident.tenant_id, **values})
        else:
            again.append({"k": incident.id, **values})
        if state == ACTIVE:
            announce.append((incident, snap, incident.esc_id is None))
    inserted = _insert_new(session, fresh)
    restart(session, again)
    for incident, snap, is_new in announce:
        if is_new and incident.id not in inserted:
            continue
        verb = "started" if is_new else "restarted (incident reopened)"
        writes.event(incident.id, now, ESCALATION_KIND, ESCALATION_ACTOR,
                     f"escalation {verb}: policy {snap['name']!r} v{snap['version']}, {len(snap['steps'])} steps, "
                     f"repeated {snap['repeat']} times",
                     {"event": "started", "policy": snap["name"], "version": snap["version"]})
    return len(inserted) + len(again)


# --- running steps ---------------------------------------------------------------------------


def _relay(cache: TickCache, snap: dict[str, Any], tenant_id: str) -> tuple[NotificationChannelRow | None, str]:
    """The email channel whose SMTP server carries pages to persons, or why there is none."""
    if snap.get("email_channel_id"):
        channel = cache.channel(snap["email_channel_id"])
        if channel is None:
            return None, "the policy's email channel was deleted"
        return (channel, "") if channel.enabled else (None, f"email channel {channel.name!r} is disabled")
    channel = cache.first_email_channel(tenant_id)
    return (channel, "") if channel else (None, "the tenant has no enabled email channel to send pages through")


def _rate_note(cache: TickCache, channel: NotificationChannelRow) -> str:
    """Why a queued page may wait: the channel's rate limit, counting the messages already waiting for it."""
    if not cache.rate_limited(channel):
        return ""
    return f"; channel {channel.name!r} is rate-limited ({channel.rate_per_minute}/min), the page is queued behind it"


@dataclass(frozen=True, slots=True)
class StepContext:
    cache: TickCache
    writes: TickWrites
    incident: Any  # a row of INCIDENT_COLUMNS
    esc: Esc
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

    def enqueue(self, channel: NotificationChannelRow, ref: str, extra: dict[str, Any],
                data: dict[str, Any]) -> None:
        """Buffer a page to `channel`; `data` (the step event's) learns at flush whether it was newly queued."""
        incident = self.incident
        latest = self.writes.latest.get(incident.id) or self.cache.latest.get(incident.id)
        row = {"idempotency_key": idempotency_key(channel.id, incident.id, ref), "tenant_id": incident.tenant_id,
               "channel_id": channel.id, "incident_id": incident.id, "change": PAGED,
               "payload": {**payload_of(incident, latest), **extra}, "status": PENDING, "created_at": self.now,
               "due_at": self.now, "attempts": 0, "last_error": ""}
        self.writes.page(row, data)
        self.cache.waiting[channel.id] = self.cache.waiting.get(channel.id, 0) + 1


def _page_user(ctx: StepContext, user_id: str, via: str = "") -> StepResult:
    contact = ctx.cache.contact(user_id)
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
    relay, why = _relay(ctx.cache, ctx.esc.snapshot, ctx.incident.tenant_id)
    if relay is None:
        return StepResult(False, f"could not page {who}{via}: {why}", {"reason": "no relay", "user": who})
    note = _rate_note(ctx.cache, relay)
    data = {"user": who, "email": contact.email, "channel": relay.name, "queued": True, "rate_limited": bool(note)}
    ctx.enqueue(relay, f"{ctx.ref}:{contact.id}", {"recipients": [contact.email], "escalation": ctx.page_text()},
                data)
    return StepResult(True, f"paged {who} <{contact.email}>{via} by email via {relay.name!r}{note}", data)


def _page_rota(ctx: StepContext) -> StepResult:
    rota, current = ctx.cache.rota(ctx.step["ref"])
    if rota is None or current is None:
        return StepResult(False, f"could not page rota {ctx.step['name']!r}: the rota was deleted",
                          {"reason": "rota deleted"})
    if current.user is None:
        local = datetime.fromtimestamp(ctx.now, tz=zone(rota.timezone))
        return StepResult(False, f"could not page rota {rota.name!r}: nobody is on call at "
                                 f"{local:%Y-%m-%d %H:%M %Z} ({current.reason})",
                          {"reason": "rota empty", "rota": rota.name})
    result = _page_user(ctx, current.user, via=f" (on call on rota {rota.name!r}, {current.source})")
    result.data["rota"] = rota.name  # the same dict the page's flush marks as queued
    return StepResult(result.acted, result.message, result.data)


def _page_channel(ctx: StepContext) -> StepResult:
    channel = ctx.cache.channel(ctx.step["ref"])
    if channel is None:
        return StepResult(False, f"could not notify channel {ctx.step['name']!r}: the channel was deleted",
                          {"reason": "channel deleted"})
    if not channel.enabled:
        return StepResult(False, f"could not notify channel {channel.name!r}: the channel is disabled",
                          {"reason": "channel disabled", "channel": channel.name})
    note = _rate_note(ctx.cache, channel)
    data = {"channel": channel.name, "queued": True, "rate_limited": bool(note)}
    ctx.enqueue(channel, ctx.ref, {"escalation": ctx.page_text()}, data)
    return StepResult(True, f"notified {channel.kind} channel {channel.name!r}{note}", data)


TARGETS: dict[str, Callable[[StepContext], StepResult]] = {
    "user": lambda ctx: _page_user(ctx, ctx.step["ref"]),
    "rota": _page_rota,
    "channel": _page_channel,
}


def _stop_reason(session: Session, incident: Any) -> str:
    actor = session.scalar(select(IncidentEventRow.actor).where(
        IncidentEventRow.incident_id == incident.id, IncidentEventRow.kind == "status")
        .order_by(IncidentEventRow.id.desc()).limit(1))
    return f"incident {incident.status}" + (f" by {actor}" if actor else "")


def _end(ctx: TickWrites, esc: Esc, state: str, reason: str, now: float) -> None:
    esc.state, esc.ended_at, esc.end_reason = state, now, reason[:500]
    ctx.event(esc.incident_id, now, ESCALATION_KIND, ESCALATION_ACTOR, f"escalation {state}: {reason}",
              {"event": state})


def advance(cache: TickCache, writes: TickWrites, esc: Esc, incident: Any, now: float) -> int:
    """Run every step due now (steps that could not act do not wait); returns the steps run."""
    ran = 0
    snap = esc.snapshot
    while esc.state == ACTIVE and esc.next_at <= now:
        if incident.status != "new":
            _end(writes, esc, STOPPED, _stop_reason(cache.session, incident), now)
            break
        if esc.step >= len(snap["steps"]):
            if esc.round >= snap["repeat"]:
                _end(writes, esc, EXHAUSTED, f"nobody acknowledged after {esc.round + 1} round(s) of policy "
                     f"{snap['name']!r}", now)
                break
            esc.round, esc.step = esc.round + 1, 0
        step = snap["steps"][esc.step]
        result = TARGETS[step["target"]](StepContext(cache, writes, incident, esc, step, now))
        wait = step["wait_minutes"] * 60.0 if result.acted else 0.0
        then = f"; next step in {step['wait_minutes']} min" if result.acted else "; moving on at once"
        label = f"step {esc.step + 1}/{len(snap['steps'])}, round {esc.round + 1}/{snap['repeat'] + 1}"
        # Updated in place, not copied: a page's flush later sets the "queued" flag in this same dict.
        result.data.update(event="step", round=esc.round, step=esc.step, target=step["target"], acted=result.acted)
        writes.event(incident.id, now, ESCALATION_KIND, ESCALATION_ACTOR, f"{label}: {result.message}{then}",
                     result.data)
        esc.step, esc.next_at = esc.step + 1, now + wait
        ran += 1
    if esc.state == ACTIVE and incident.status != "new":
        _end(writes, esc, STOPPED, _stop_reason(cache.session, incident), now)
    return ran


def tick(session: Session, now: float, horizon: float = START_HORIZON, limit: int = 500) -> TickReport:
    """One round: start escalations for new incidents, stop those acknowledged or resolved, run due steps.

    Reads go through one TickCache and writes through one TickWrites, so the round costs a few queries and
    a few executemany statements however many incidents it touches.
    """
    # Write first: on SQLite a transaction that reads and then writes fails at once ("database is
    # locked") when another writer got in between; taking the write lock up front waits its turn.
    session.execute(update(IncidentEscalationRow).where(false()).values(state=ACTIVE))
    cache, writes = TickCache(session, now), TickWrites()
    report = TickReport(started=start_new(session, cache, writes, now, horizon, limit))
    e = IncidentEscalationRow
    due = session.execute(select(e.incident_id, e.snapshot, e.state, e.round, e.step, e.next_at, *INCIDENT_COLUMNS)
                          .join(IncidentRow, IncidentRow.id == e.incident_id)
                          .where(e.state == ACTIVE, or_(e.next_at <= now, IncidentRow.status != "new"))
                          .order_by(e.next_at).limit(limit).with_for_update(of=e, skip_locked=True)).all()
    cache.load_tenants(row.tenant_id for row in due)
    cache.load_steps(row.snapshot for row in due)
    cache.load_latest(row.id for row in due)
    moved: list[Esc] = []
    for row in due:
        esc = Esc(row.incident_id, row.snapshot, row.state, row.round, row.step, row.next_at)
        mark = writes.mark()
        try:
            report.steps += advance(cache, writes, esc, row, now)
        except Exception:  # noqa: BLE001 - logged with the id; the escalation is retried next tick
            writes.undo(mark)  # one incident's failure must not undo the others' steps, nor half-apply its own
            log.exception("escalation of incident %s failed; retrying next tick", esc.incident_id)
            continue
        report.ended += esc.state != ACTIVE
        moved.append(esc)
    save_progress(session, moved)
    writes.flush(session)
    return report
