"""On-call use cases: rota and override CRUD scoped by tenant, who is on call now, users' page addresses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forewarn.auth import Principal, contacts_by_ids, contacts_by_names, resolve_tenant_id, set_email
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.notify.escalation_models import OverrideRow, RotaRow
from forewarn.notify.escalation_schemas import (
    ContactOut,
    OnCallNow,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    RotaIn,
    RotaOut,
    RotaPatch,
)
from forewarn.notify.oncall import parse_handoff, who_is_on_call, zone
from forewarn.notify.oncall_store import load_rotas


def member_ids(session: Session, tenant_id: str, names: list[str], where: str) -> list[str]:
    """User ids for usernames, in order; a name that is unknown or a client of another tenant names its index."""
    found = contacts_by_names(session, names)
    ids = []
    for i, name in enumerate(names):
        contact = found.get(name)
        if contact is None or not contact.may_serve(tenant_id):
            raise ValidationFailed(f"no user named {name!r} can serve this tenant", where=f"{where}[{i}]")
        ids.append(contact.id)
    return ids


def _rota(session: Session, who: Principal, rota_id: str) -> RotaRow:
    row = session.get(RotaRow, rota_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"rota {rota_id!r} not found")
    return row


def flush_unique(session: Session, what: str, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError(f"this tenant already has a {what} named {name!r}") from None


def rota_outs(session: Session, rows: list[RotaRow], now: float) -> list[RotaOut]:
    rotas = load_rotas(session, rows, now)
    overrides = {r.id: list(session.scalars(select(OverrideRow).where(OverrideRow.rota_id == r.id,
                                                                      OverrideRow.ends_at > now)
                                            .order_by(OverrideRow.starts_at))) for r in rows}
    ids = {m for r in rows for m in r.members or []} | {o.user_id for os in overrides.values() for o in os}
    names = {i: c.username for i, c in contacts_by_ids(session, ids).items()}
    out = []
    for r in rows:
        current = who_is_on_call(rotas[r.id], now)
        out.append(RotaOut(
            id=r.id, tenant_id=r.tenant_id, name=r.name, timezone=r.timezone, rotation=r.rotation,
            shift_hours=r.shift_hours, handoff=r.handoff, start_date=r.start_date,
            members=[names.get(m, "(deleted)") for m in r.members or []],
            overrides=[OverrideOut(id=o.id, user=names.get(o.user_id, "(deleted)"), starts_at=o.starts_at,
                                   ends_at=o.ends_at, created_at=o.created_at) for o in overrides[r.id]],
            on_call=OnCallOut(user=names.get(current.user) if current.user else None, source=current.source,
                              until=current.until, reason=current.reason)))
    return out


def _apply(session: Session, row: RotaRow, data: RotaIn | RotaPatch) -> None:
    for name in ("name", "rotation", "shift_hours", "handoff"):
        if (value := getattr(data, name)) is not None:
            setattr(row, name, value)
    if data.timezone is not None:
        row.timezone = zone(data.timezone).key
    if data.start_date is not None:
        row.start_date = data.start_date.isoformat()
    if data.members is not None:
        row.members = member_ids(session, row.tenant_id, data.members, "members")
    parse_handoff(row.handoff)


def create_rota(session: Session, who: Principal, tenant: str, data: RotaIn, now: float) -> RotaOut:
    who.require_write()
    row = RotaRow(tenant_id=resolve_tenant_id(session, who, tenant), members=[], created_at=now,
                  timezone="UTC", handoff=data.handoff, start_date=date.today().isoformat())
    _apply(session, row, data)
    session.add(row)
    flush_unique(session, "rota", data.name)
    return rota_outs(session, [row], now)[0]


def list_rotas(session: Session, who: Principal, tenant: str | None, now: float) -> list[RotaOut]:
    stmt = who.scoped(select(RotaRow), RotaRow.tenant_id)
    if tenant:
        stmt = stmt.where(RotaRow.tenant_id == resolve_tenant_id(session, who, tenant))
    return rota_outs(session, list(session.scalars(stmt.order_by(RotaRow.tenant_id, RotaRow.name))), now)


def get_rota(session: Session, who: Principal, rota_id: str, now: float) -> RotaOut:
    return rota_outs(session, [_rota(session, who, rota_id)], now)[0]


def update_rota(session: Session, who: Principal, rota_id: str, data: RotaPatch, now: float) -> RotaOut:
    row = _rota(session, who, rota_id)
    who.require_write()
    _apply(session, row, data)
    flush_unique(session, "rota", row.name)
    return rota_outs(session, [row], now)[0]


def delete_rota(session: Session, who: Principal, rota_id: str) -> None:
    row = _rota(session, who, rota_id)
    who.require_write()
    session.delete(row)  # running escalations keep the frozen step and record "the rota was deleted"
    session.flush()


def _instant(value: datetime, tz: str) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=zone(tz))).timestamp()


def override_values(session: Session, row: RotaRow, data: OverrideIn) -> tuple[str, float, float]:
    """(user id, start, end) of an override; times without an offset are read in the rota's time zone."""
    [user_id] = member_ids(session, row.tenant_id, [data.user], "user")
    starts, ends = _instant(data.starts_at, row.timezone), _instant(data.ends_at, row.timezone)
    if ends <= starts:
        raise ValidationFailed("ends_at must be after starts_at", where="ends_at")
    return user_id, starts, ends


def add_override(session: Session, who: Principal, rota_id: str, data: OverrideIn, now: float) -> RotaOut:
    row = _rota(session, who, rota_id)
    who.require_write()
    user_id, starts, ends = override_values(session, row, data)
    session.add(OverrideRow(rota_id=row.id, user_id=user_id, starts_at=starts, ends_at=ends, created_at=now))
    session.flush()
    return rota_outs(session, [row], now)[0]


def delete_override(session: Session, who: Principal, rota_id: str, override_id: str, now: float) -> RotaOut:
    row = _rota(session, who, rota_id)
    who.require_write()
    override = session.get(OverrideRow, override_id)
    if override is None or override.rota_id != row.id:
        raise NotFoundError(f"override {override_id!r} not found on rota {row.name!r}")
    session.delete(override)
    session.flush()
    return rota_outs(session, [row], now)[0]


def on_call_now(session: Session, who: Principal, tenant: str | None, now: float) -> list[OnCallNow]:
    """Who answers each visible rota at `now`, with the address a page would go to."""
    stmt = who.scoped(select(RotaRow), RotaRow.tenant_id)
    if tenant:
        stmt = stmt.where(RotaRow.tenant_id == resolve_tenant_id(session, who, tenant))
    rows = list(session.scalars(stmt.order_by(RotaRow.tenant_id, RotaRow.name)))
    rotas = load_rotas(session, rows, now)
    current = {r.id: who_is_on_call(rotas[r.id], now) for r in rows}
    people = contacts_by_ids(session, {c.user for c in current.values() if c.user})
    out = []
    for r in rows:
        c = current[r.id]
        person = people.get(c.user) if c.user else None
        out.append(OnCallNow(tenant_id=r.tenant_id, rota_id=r.id, rota=r.name,
                             user=person.username if person else None, email=person.email if person else None,
                             source=c.source, until=c.until,
                             reason=c.reason or ("" if person or not c.user else "the user no longer exists")))
    return out


def set_contact(session: Session, who: Principal, username: str, email: str | None) -> ContactOut:
    contact = set_email(session, who, username, email)
    return ContactOut(username=contact.username, email=contact.email)
