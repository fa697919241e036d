"""Escalation policy use cases: CRUD scoped by tenant (targets resolved by name), and an incident's escalation."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.incidents import get_incident
from forewarn.notify.escalation import NONE, target_names
from forewarn.notify.escalation_models import EscalationPolicyRow, IncidentEscalationRow, RotaRow
from forewarn.notify.escalation_schemas import (
    EscalationOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    RotaOut,
    StepIn,
    StepOut,
)
from forewarn.notify.models import NotificationChannelRow
from forewarn.notify.oncall import Rota, parse_handoff, shifts
from forewarn.notify.oncall_service import flush_unique, member_ids


def _named(session: Session, model: type, tenant_id: str, name: str, where: str, what: str) -> Any:
    row = session.scalar(select(model).where(model.tenant_id == tenant_id, model.name == name))
    if row is None:
        raise ValidationFailed(f"this tenant has no {what} named {name!r}", where=where)
    return row


def resolve_steps(session: Session, tenant_id: str, steps: list[StepIn]) -> list[dict[str, Any]]:
    """Stored steps: each target by id (renames keep working), validated against the tenant."""
    out = []
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if step.user is not None:
            [ref] = member_ids(session, tenant_id, [step.user], f"{where}.user")
            target = "user"
        elif step.rota is not None:
            ref, target = _named(session, RotaRow, tenant_id, step.rota, f"{where}.rota", "rota").id, "rota"
        else:
            ref = _named(session, NotificationChannelRow, tenant_id, step.channel or "", f"{where}.channel",
                         "notification channel").id
            target = "channel"
        out.append({"target": target, "ref": ref, "wait_minutes": step.wait_minutes})
    return out


def _email_channel(session: Session, tenant_id: str, name: str | None) -> str | None:
    if not name:
        return None
    row = _named(session, NotificationChannelRow, tenant_id, name, "email_channel", "notification channel")
    if row.kind != "email":
        raise ValidationFailed(f"channel {name!r} is a {row.kind} channel; persons are paged by email",
                               where="email_channel")
    return row.id


def policy_outs(session: Session, rows: list[EscalationPolicyRow]) -> list[PolicyOut]:
    names = target_names(session, [s for r in rows for s in r.steps or []])
    channels = {r.email_channel_id for r in rows if r.email_channel_id}
    relay = dict(session.execute(select(NotificationChannelRow.id, NotificationChannelRow.name)
                                 .where(NotificationChannelRow.id.in_(channels))).all()) if channels else {}
    return [PolicyOut(id=r.id, tenant_id=r.tenant_id, name=r.name, enabled=r.enabled, position=r.position,
                      severities=list(r.severities or []), priorities=list(r.priorities or []), repeat=r.repeat,
                      email_channel=relay.get(r.email_channel_id) if r.email_channel_id else None,
                      steps=[StepOut(target=s["target"], name=names.get((s["target"], s["ref"]), "(deleted)"),
                                     wait_minutes=s["wait_minutes"]) for s in r.steps or []],
                      version=r.version) for r in rows]


def _policy(session: Session, who: Principal, policy_id: str) -> EscalationPolicyRow:
    row = session.get(EscalationPolicyRow, policy_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"escalation policy {policy_id!r} not found")
    return row


def create_policy(session: Session, who: Principal, tenant: str, data: PolicyIn, now: float) -> PolicyOut:
    who.require_write()
    tenant_id = resolve_tenant_id(session, who, tenant)
    row = EscalationPolicyRow(tenant_id=tenant_id, name=data.name, enabled=data.enabled, position=data.position,
                              severities=list(data.severities), priorities=list(data.priorities),
                              repeat=data.repeat, email_channel_id=_email_channel(session, tenant_id,
                                                                                  data.email_channel),
                              steps=resolve_steps(session, tenant_id, data.steps), version=1, created_at=now,
                              updated_at=now)
    session.add(row)
    flush_unique(session, "escalation policy", data.name)
    return policy_outs(session, [row])[0]


def list_policies(session: Session, who: Principal, tenant: str | None = None) -> list[PolicyOut]:
    stmt = who.scoped(select(EscalationPolicyRow), EscalationPolicyRow.tenant_id)
    if tenant:
        stmt = stmt.where(EscalationPolicyRow.tenant_id == resolve_tenant_id(session, who, tenant))
    order = (EscalationPolicyRow.tenant_id, EscalationPolicyRow.position, EscalationPolicyRow.name)
    return policy_outs(session, list(session.scalars(stmt.order_by(*order))))


def get_policy(session: Session, who: Principal, policy_id: str) -> PolicyOut:
    return policy_outs(session, [_policy(session, who, policy_id)])[0]


def update_policy(session: Session, who: Principal, policy_id: str, data: PolicyPatch, now: float) -> PolicyOut:
    """Edit a policy (its version goes up); escalations already running keep the snapshot they started with."""
    row = _policy(session, who, policy_id)
    who.require_write()
    steps = resolve_steps(session, row.tenant_id, data.steps) if data.steps is not None else None
    relay = _email_channel(session, row.tenant_id, data.email_channel) if data.email_channel is not None else None
    for name in ("name", "enabled", "position", "repeat"):
        if (value := getattr(data, name)) is not None:
            setattr(row, name, value)
    for name in ("severities", "priorities"):
        if (value := getattr(data, name)) is not None:
            setattr(row, name, list(value))
    if steps is not None:
        row.steps = steps
    if data.email_channel is not None:
        row.email_channel_id = relay
    row.version, row.updated_at = row.version + 1, now
    flush_unique(session, "escalation policy", row.name)
    return policy_outs(session, [row])[0]


def delete_policy(session: Session, who: Principal, policy_id: str) -> None:
    row = _policy(session, who, policy_id)
    who.require_write()
    session.delete(row)  # running escalations go on from their snapshot
    session.flush()


def escalation_for_incident(session: Session, who: Principal, incident_id: str) -> EscalationOut | None:
    """The incident's escalation (None when none started yet); the incident must be visible to `who`."""
    get_incident(session, who, incident_id)
    row = session.get(IncidentEscalationRow, incident_id)
    if row is None:
        return None
    snap = row.snapshot or {}
    return EscalationOut(
        incident_id=row.incident_id, state=row.state, policy=snap.get("name"), version=snap.get("version"),
        round=row.round, rounds=int(snap.get("repeat", 0)) + 1, step=row.step,
        steps=[StepOut(target=s["target"], name=s["name"], wait_minutes=s["wait_minutes"])
               for s in snap.get("steps", [])],
        next_at=row.next_at if row.state not in (NONE,) and row.ended_at is None else None,
        started_at=row.started_at, ended_at=row.ended_at, end_reason=row.end_reason)


def next_handoff(rota: RotaOut, now: float) -> tuple[float, str] | None:
    """When the rotation next hands over after `now` and to whom (overrides not applied); None without members."""
    pure = Rota(members=tuple(rota.members), rotation=rota.rotation, handoff=parse_handoff(rota.handoff),
                timezone=rota.timezone, start=date.fromisoformat(rota.start_date), hours=rota.shift_hours)
    return next(((begin, user) for begin, _, user in shifts(pure, now, 2) if begin > now), None)
