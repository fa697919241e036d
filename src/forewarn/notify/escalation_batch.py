"""What one escalation tick reads once and writes once: cached policies, contacts, rotas, channels and latest
events, and the buffered timeline events and outbox pages, inserted with executemany at the end of the tick.

A tick over a thousand new incidents used to cost ~17 small queries per step; with this it costs a
handful of queries per tick plus a few bulk statements, whatever the number of incidents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from forewarn.auth import Contact, contacts_by_ids
from forewarn.core.ids import new_id
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.notify.escalation_models import EscalationPolicyRow, IncidentEscalationRow, RotaRow
from forewarn.notify.models import NotificationChannelRow, OutboxRow
from forewarn.notify.oncall import OnCall, who_is_on_call
from forewarn.notify.oncall_store import load_rotas
from forewarn.notify.policy import PENDING, Bucket
from forewarn.notify.timeline import KIND as NOTIFICATION_KIND

CHUNK = 900  # ids per IN list: below SQLite's older 999-variable limit


def chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    items = list(dict.fromkeys(ids))
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


# The tick reads plain rows, not ORM objects: loading a thousand mapped objects cost more than all its steps.
INCIDENT_COLUMNS = (IncidentRow.id, IncidentRow.tenant_id, IncidentRow.title, IncidentRow.severity,
                    IncidentRow.priority, IncidentRow.status, IncidentRow.proactive, IncidentRow.analysis,
                    IncidentRow.opened_at)
_ESCALATIONS = IncidentEscalationRow.__table__


@dataclass(slots=True)
class Esc:
    """Where one incident's escalation stands, as the tick moves it; written back in one executemany."""

    incident_id: str
    snapshot: dict[str, Any]
    state: str
    round: int
    step: int
    next_at: float
    ended_at: float | None = None
    end_reason: str = ""

    def progress(self) -> dict[str, Any]:
        return {"k": self.incident_id, "state": self.state, "round": self.round, "step": self.step,
                "next_at": self.next_at, "ended_at": self.ended_at, "end_reason": self.end_reason}


def save_progress(session: Session, escs: list[Esc]) -> None:
    if escs:
        session.execute(update(_ESCALATIONS).where(_ESCALATIONS.c.incident_id == bindparam("k")),
                        [e.progress() for e in escs])


def restart(session: Session, rows: list[dict[str, Any]]) -> None:
    """Escalations of reopened incidents start over (rows keyed by "k", the incident id)."""
    if rows:
        session.execute(update(_ESCALATIONS).where(_ESCALATIONS.c.incident_id == bindparam("k")), rows)


@dataclass(slots=True)
class TickCache:
    """Reads of one tick at one instant; every lookup hits the database at most once per key."""

    session: Session
    now: float
    contacts: dict[str, Contact | None] = field(default_factory=dict)
    rotas: dict[str, tuple[RotaRow | None, OnCall | None]] = field(default_factory=dict)
    channels: dict[str, NotificationChannelRow | None] = field(default_factory=dict)
    tenant_channels: dict[str, list[NotificationChannelRow]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)  # pending due outbox rows per channel, pages included
    policies: dict[str, list[EscalationPolicyRow]] = field(default_factory=dict)
    frozen: dict[str, dict[str, Any]] = field(default_factory=dict)
    latest: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    # --- bulk preloads ----------------------------------------------------------------------

    def load_tenants(self, tenant_ids: Iterable[str]) -> None:
        """Enabled policies and all channels of these tenants, one query each."""
        wanted = [t for t in dict.fromkeys(tenant_ids) if t not in self.policies]
        if not wanted:
            return
        for t in wanted:
            self.policies[t], self.tenant_channels[t] = [], []
        for ids in chunks(wanted):
            for p in self.session.scalars(select(EscalationPolicyRow).where(
                    EscalationPolicyRow.tenant_id.in_(ids), EscalationPolicyRow.enabled.is_(True))
                    .order_by(EscalationPolicyRow.position, EscalationPolicyRow.name)):
                self.policies[p.tenant_id].append(p)
            for c in self.session.scalars(select(NotificationChannelRow).where(
                    NotificationChannelRow.tenant_id.in_(ids)).order_by(NotificationChannelRow.name)):
                self.tenant_channels[c.tenant_id].append(c)
                self.channels[c.id] = c

    def load_steps(self, snapshots: Iterable[dict[str, Any]]) -> None:
        """Rotas (with overrides and who is on call now) and contacts the snapshots' steps may page."""
        steps = [s for snap in snapshots for s in snap.get("steps", ())]
        rota_ids = [s["ref"] for s in steps if s["target"] == "rota" and s["ref"] not in self.rotas]
        for ids in chunks(rota_ids):
            rows = list(self.session.scalars(select(RotaRow).where(RotaRow.id.in_(ids))))
            values = load_rotas(self.session, rows, self.now)
            for row in rows:
                self.rotas[row.id] = (row, who_is_on_call(values[row.id], self.now))
        for ref in rota_ids:
            self.rotas.setdefault(ref, (None, None))
        users = [s["ref"] for s in steps if s["target"] == "user"]
        users += [oc.user for _, oc in self.rotas.values() if oc is not None and oc.user]
        self.load_contacts(users)

    def load_contacts(self, user_ids: Iterable[str]) -> None:
        missing = [u for u in user_ids if u not in self.contacts]
        for ids in chunks(missing):
            found = contacts_by_ids(self.session, ids)
            for i in ids:
                self.contacts[i] = found.get(i)

    def load_latest(self, incident_ids: Iterable[str]) -> None:
        """Each incident's latest timeline event that is not a notification (what a page's snapshot shows)."""
        missing = [i for i in incident_ids if i not in self.latest]
        for ids in chunks(missing):
            ranked = select(IncidentEventRow.id, func.row_number().over(
                partition_by=IncidentEventRow.incident_id,
                order_by=(IncidentEventRow.ts.desc(), IncidentEventRow.id.desc())).label("n")).where(
                IncidentEventRow.incident_id.in_(ids), IncidentEventRow.kind != NOTIFICATION_KIND).subquery()
            rows = self.session.execute(select(IncidentEventRow.incident_id, IncidentEventRow.ts,
                                               IncidentEventRow.kind, IncidentEventRow.actor,
                                               IncidentEventRow.message).join(ranked, ranked.c.id == IncidentEventRow.id)
                                        .where(ranked.c.n == 1)).all()
            for i in ids:
                self.latest[i] = None
            for r in rows:
                self.latest[r.incident_id] = {"ts": r.ts, "kind": r.kind, "actor": r.actor, "message": r.message[:1000]}

    # --- lookups ------------------------------------------------------------------------------

    def contact(self, user_id: str) -> Contact | None:
        if user_id not in self.contacts:
            self.load_contacts([user_id])
        return self.contacts[user_id]

    def rota(self, rota_id: str) -> tuple[RotaRow | None, OnCall | None]:
        if rota_id not in self.rotas:
            self.load_steps([{"steps": [{"target": "rota", "ref": rota_id}]}])
        return self.rotas[rota_id]

    def channel(self, channel_id: str) -> NotificationChannelRow | None:
        if channel_id not in self.channels:
            self.channels[channel_id] = self.session.get(NotificationChannelRow, channel_id)
        return self.channels[channel_id]

    def first_email_channel(self, tenant_id: str) -> NotificationChannelRow | None:
        self.load_tenants([tenant_id])
        return next((c for c in self.tenant_channels[tenant_id] if c.kind == "email" and c.enabled), None)

    def rate_limited(self, channel: NotificationChannelRow) -> bool:
        """Whether one more message for the channel waits behind its rate limit (counting pages queued so far)."""
        if channel.id not in self.waiting:
            self.waiting[channel.id] = self.session.scalar(select(func.count()).select_from(OutboxRow).where(
                OutboxRow.channel_id == channel.id, OutboxRow.status == PENDING, OutboxRow.due_at <= self.now)) or 0
        bucket = Bucket.restore(channel.bucket_tokens, channel.bucket_at, channel.rate_per_minute, self.now)
        return bucket.tokens < self.waiting[channel.id] + 1


@dataclass(slots=True)
class TickWrites:
    """Timeline events and outbox pages of one tick, written in two executemany statements (plus one read of
    the page keys that already exist) when the tick ends."""

    events: list[dict[str, Any]] = field(default_factory=list)
    pages: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (row, its event data)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # newest buffered event per incident

    def mark(self) -> tuple[int, int, dict[str, dict[str, Any]]]:
        return len(self.events), len(self.pages), dict(self.latest)

    def undo(self, mark: tuple[int, int, dict[str, dict[str, Any]]]) -> None:
        """Forget what was buffered since `mark` (an incident whose escalation failed mid-way)."""
        del self.events[mark[0]:]
        del self.pages[mark[1]:]
        self.latest = mark[2]

    def event(self, incident_id: str, ts: float, kind: str, actor: str, message: str,
              data: dict[str, Any]) -> None:
        row = {"incident_id": incident_id, "ts": ts, "kind": kind[:40], "actor": actor[:100],
               "message": message[:4000], "data": data}
        self.events.append(row)
        self.latest[incident_id] = {"ts": ts, "kind": row["kind"], "actor": row["actor"],
                                    "message": row["message"][:1000]}

    def page(self, row: dict[str, Any], event_data: dict[str, Any]) -> None:
        """An outbox row; `event_data["queued"]` is set at flush (False when the key was already queued)."""
        self.pages.append((row, event_data))

    def flush(self, session: Session) -> int:
        """Insert the buffered pages (new keys only) and events; returns the pages newly queued."""
        existing: set[str] = set()
        for keys in chunks(row["idempotency_key"] for row, _ in self.pages):
            existing |= set(session.scalars(select(OutboxRow.idempotency_key).where(
                OutboxRow.idempotency_key.in_(keys))))
        fresh: list[dict[str, Any]] = []
        for row, data in self.pages:
            data["queued"] = row["idempotency_key"] not in existing
            if data["queued"]:
                existing.add(row["idempotency_key"])
                fresh.append(row)
        # Core inserts of the tables, not ORM bulk inserts: plain executemany, no RETURNING of generated ids.
        if fresh:
            session.execute(insert(OutboxRow.__table__), [{"id": new_id(), **row} for row in fresh])
        if self.events:
            session.execute(insert(IncidentEventRow.__table__), self.events)
        return len(fresh)


def payload_of(incident: IncidentRow, latest: dict[str, Any] | None) -> dict[str, Any]:
    """The incident snapshot a page carries (the same shape as notify.outbox.snapshot)."""
    analysis = incident.analysis or {}
    top = (analysis.get("candidates") or [{}])[0]
    return {"id": incident.id, "title": incident.title, "severity": incident.severity, "status": incident.status,
            "proactive": bool(incident.proactive), "root_cause": analysis.get("explanation") or top.get("asset") or "",
            "opened_at": incident.opened_at, "latest": latest}
