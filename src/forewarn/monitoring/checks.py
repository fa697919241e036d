"""Use cases for checks: create, change, list and delete, with plugin-validated parameters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.enums import CheckStatus
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.inventory import asset_briefs, asset_row
from forewarn.monitoring.models import CheckResultRow, CheckRow
from forewarn.monitoring.schemas import (
    CheckIn,
    CheckOut,
    CheckPatch,
    CheckResultOut,
    CheckSpec,
    Threshold,
    status_name,
)
from forewarn.plugins.registry import get_check_plugin


@dataclass(frozen=True, slots=True)
class CheckDefinition:
    """A snapshot of one check as the scheduler runs it; never an ORM object."""

    id: str
    tenant_id: str
    asset_id: str
    asset_name: str
    asset_address: str | None
    name: str
    kind: str
    params: dict
    interval: float
    timeout: float
    thresholds: tuple[Threshold, ...]
    confirm_count: int


def validate_params(kind: str, params: dict, where: str = "params") -> dict:
    """The plugin's own config model checks the parameters; errors name the field."""
    plugin = get_check_plugin(kind)
    try:
        return plugin.parse_config(params).model_dump(mode="json", exclude_unset=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise ValidationFailed(f"{field}: {msg}", where=f"{where}.{field}" if field else where) from exc


def check_out(row: CheckRow) -> CheckOut:
    return CheckOut(id=row.id, tenant_id=row.tenant_id, asset_id=row.asset_id, name=row.name, kind=row.kind,
                    params=_redacted(row.kind, row.params), interval=row.interval, timeout=row.timeout,
                    thresholds=[Threshold.model_validate(t) for t in row.thresholds or []],
                    confirm_count=row.confirm_count, enabled=row.enabled,
                    last_status=status_name(row.last_status), last_summary=row.last_summary,
                    last_run_at=row.last_run_at)


def _redacted(kind: str, params: dict) -> dict:
    try:
        return get_check_plugin(kind).parse_config(params).redacted()
    except (ValidationFailed, ValidationError):
        return {}


def definition(row: CheckRow, asset_name: str, asset_address: str | None) -> CheckDefinition:
    return CheckDefinition(id=row.id, tenant_id=row.tenant_id, asset_id=row.asset_id, asset_name=asset_name,
                           asset_address=asset_address, name=row.name, kind=row.kind, params=dict(row.params),
                           interval=row.interval, timeout=row.timeout,
                           thresholds=tuple(Threshold.model_validate(t) for t in row.thresholds or []),
                           confirm_count=row.confirm_count)


def _check_row(session: Session, who: Principal, check_id: str) -> CheckRow:
    row = session.get(CheckRow, check_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"check {check_id!r} not found")
    return row


def get_check(session: Session, who: Principal, check_id: str) -> CheckOut:
    return check_out(_check_row(session, who, check_id))


def list_checks(session: Session, who: Principal, tenant: str | None = None, asset: str | None = None,
                status: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[CheckOut], int]:
    stmt = who.scoped(select(CheckRow), CheckRow.tenant_id)
    if tenant:
        stmt = stmt.where(CheckRow.tenant_id == resolve_tenant_id(session, who, tenant))
    if asset:
        stmt = stmt.where(CheckRow.asset_id == asset_row(session, who, asset).id)
    if status:
        try:
            stmt = stmt.where(CheckRow.last_status == int(CheckStatus[status.upper()]))
        except KeyError as exc:
            raise ValidationFailed(f"unknown status {status!r}", where="status") from exc
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(CheckRow.name).limit(limit).offset(offset))
    return [check_out(r) for r in rows], total


def spec_values(spec: CheckSpec, where: str = "params") -> dict:
    return {"kind": spec.kind, "params": validate_params(spec.kind, spec.params, where),
            "interval": spec.interval, "timeout": spec.timeout,
            "thresholds": [t.model_dump() for t in spec.thresholds],
            "confirm_count": spec.confirm_count, "enabled": spec.enabled}


def create_check(session: Session, who: Principal, data: CheckIn) -> CheckOut:
    asset = asset_row(session, who, data.asset)
    who.require_write()
    if session.scalar(select(CheckRow).where(CheckRow.asset_id == asset.id, CheckRow.name == data.name)):
        raise ConflictError(f"asset {asset.name} already has a check named {data.name!r}")
    row = CheckRow(tenant_id=asset.tenant_id, asset_id=asset.id, name=data.name, **spec_values(data))
    session.add(row)
    session.flush()
    return check_out(row)


def update_check(session: Session, who: Principal, check_id: str, data: CheckPatch) -> CheckOut:
    row = _check_row(session, who, check_id)
    who.require_write()
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "params" in changes:
        changes["params"] = validate_params(row.kind, changes["params"])
    for field, value in changes.items():
        setattr(row, field, value)
    session.flush()
    return check_out(row)


def delete_check(session: Session, who: Principal, check_id: str) -> None:
    row = _check_row(session, who, check_id)
    who.require_write()
    session.delete(row)


def check_history(session: Session, who: Principal, check_id: str, limit: int = 100) -> list[CheckResultOut]:
    _check_row(session, who, check_id)
    rows = session.scalars(select(CheckResultRow).where(CheckResultRow.check_id == check_id)
                           .order_by(CheckResultRow.ts.desc()).limit(limit))
    return [CheckResultOut(check_id=r.check_id, ts=r.ts, status=CheckStatus(r.status).name,
                           summary=r.summary, duration_ms=r.duration_ms) for r in rows]


def enabled_definitions(session: Session, asset_id: str | None = None) -> list[CheckDefinition]:
    stmt = select(CheckRow).where(CheckRow.enabled.is_(True))
    if asset_id:
        stmt = stmt.where(CheckRow.asset_id == asset_id)
    rows = session.scalars(stmt).all()
    briefs = asset_briefs(session, {r.asset_id for r in rows})
    return [definition(r, *briefs[r.asset_id]) for r in rows if r.asset_id in briefs]


def check_confirm_count(session: Session, check_id: str) -> int | None:
    row = session.get(CheckRow, check_id)
    return None if row is None else row.confirm_count


def check_confirm_counts(session: Session, check_ids: Iterable[str]) -> dict[str, int]:
    """`check_confirm_count` of many checks in one query; deleted checks are left out."""
    wanted = set(check_ids)
    if not wanted:
        return {}
    rows = session.execute(select(CheckRow.id, CheckRow.confirm_count).where(CheckRow.id.in_(wanted)))
    return {check_id: count for check_id, count in rows}


def asset_health(session: Session, who: Principal, tenant_id: str | None = None) -> dict[str, CheckStatus]:
    """The worst latest status of each asset's enabled checks (assets without checks are absent)."""
    stmt = who.scoped(select(CheckRow.asset_id, CheckRow.last_status)
                      .where(CheckRow.enabled.is_(True), CheckRow.last_status.is_not(None)), CheckRow.tenant_id)
    if tenant_id:
        stmt = stmt.where(CheckRow.tenant_id == tenant_id)
    health: dict[str, CheckStatus] = {}
    for asset_id, status in session.execute(stmt):
        health[asset_id] = CheckStatus.worst(health.get(asset_id, CheckStatus.OK), CheckStatus(status))
    return health
