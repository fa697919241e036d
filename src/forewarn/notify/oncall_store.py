"""Rotas read from the database as pure `Rota` values, and who is on call on one right now."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.notify.escalation_models import OverrideRow, RotaRow
from forewarn.notify.oncall import OnCall, Override, Rota, parse_handoff, who_is_on_call


def to_rota(row: RotaRow, overrides: list[OverrideRow]) -> Rota:
    return Rota(members=tuple(row.members or ()), rotation=row.rotation, handoff=parse_handoff(row.handoff),
                timezone=row.timezone, start=date.fromisoformat(row.start_date), hours=row.shift_hours,
                overrides=tuple(Override(o.user_id, o.starts_at, o.ends_at, o.created_at, o.id) for o in overrides))


def load_rotas(session: Session, rows: list[RotaRow], at: float) -> dict[str, Rota]:
    """Each rota with the overrides that have not ended by `at` (one query for all of them)."""
    ids = [r.id for r in rows]
    overrides: dict[str, list[OverrideRow]] = {i: [] for i in ids}
    if ids:
        for o in session.scalars(select(OverrideRow).where(OverrideRow.rota_id.in_(ids), OverrideRow.ends_at > at)):
            overrides[o.rota_id].append(o)
    return {r.id: to_rota(r, overrides[r.id]) for r in rows}


def on_call(session: Session, row: RotaRow, at: float) -> OnCall:
    return who_is_on_call(load_rotas(session, [row], at)[row.id], at)
