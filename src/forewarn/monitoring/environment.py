"""Environment as code: apply a whole YAML document (inventory + checks) in one transaction, or export it."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal
from forewarn.core.errors import ValidationFailed
from forewarn.inventory import (
    ApplyReport,
    apply_inventory,
    export_inventory,
    parse_environment,
    validation_error,
)
from forewarn.inventory.yaml_source import SourceMap
from forewarn.monitoring.checks import spec_values
from forewarn.monitoring.models import CheckRow
from forewarn.monitoring.schemas import CheckSpec, Threshold


def apply_environment(session: Session, who: Principal, text: str, filename: str) -> ApplyReport:
    """Validate everything first, then write; the caller's transaction makes it all-or-nothing."""
    who.require_write()
    doc, source = parse_environment(text, filename)
    specs = _parse_checks(doc.assets, source)
    report = ApplyReport()
    tenant_id, asset_ids = apply_inventory(session, doc, source, report)
    for asset in doc.assets:
        _apply_checks(session, tenant_id, asset_ids[asset.name], asset.name, specs[asset.name], report)
    return report


def _parse_checks(assets: list, source: SourceMap) -> dict[str, list[tuple[CheckSpec, dict]]]:
    out: dict[str, list[tuple[CheckSpec, dict]]] = {}
    for i, asset in enumerate(assets):
        seen: set[str] = set()
        out[asset.name] = []
        for j, raw in enumerate(asset.checks):
            prefix = ("assets", i, "checks", j)
            try:
                spec = CheckSpec.model_validate(raw)
            except ValidationError as exc:
                raise validation_error(exc, source, prefix) from exc
            if spec.name in seen:
                raise ValidationFailed(f"assets.{i}.checks.{j}.name: {spec.name!r} appears twice",
                                       where=source.where((*prefix, "name")))
            seen.add(spec.name)
            try:
                values = spec_values(spec)
            except ValidationFailed as exc:
                field = (exc.where or "params").split(".")
                raise ValidationFailed(f"assets.{i}.checks.{j}.{exc.where}: {exc.message}",
                                       where=source.where((*prefix, *field))) from exc
            out[asset.name].append((spec, values))
    return out


def _apply_checks(session: Session, tenant_id: str, asset_id: str, asset_name: str,
                  specs: list[tuple[CheckSpec, dict]], report: ApplyReport) -> None:
    existing = {c.name: c for c in session.scalars(select(CheckRow).where(CheckRow.asset_id == asset_id))}
    for spec, values in specs:
        label = f"check {asset_name}/{spec.name}"
        row = existing.pop(spec.name, None)
        if row is None:
            session.add(CheckRow(tenant_id=tenant_id, asset_id=asset_id, name=spec.name, **values))
            report.created.append(label)
            continue
        diff = sorted(k for k, v in values.items() if getattr(row, k) != v)
        for k in diff:
            setattr(row, k, values[k])
        if diff:
            report.updated.append(f"{label} ({', '.join(diff)})")
    # The asset's check list in the file is complete: checks no longer listed are removed.
    for name, row in existing.items():
        session.delete(row)
        report.deleted.append(f"check {asset_name}/{name}")
    session.flush()


def export_environment(session: Session, who: Principal, tenant_ref: str) -> str:
    doc, names = export_inventory(session, who, tenant_ref)
    by_asset: dict[str, list[dict[str, Any]]] = {}
    asset_ids = {v: k for k, v in names.items()}
    rows = session.scalars(select(CheckRow).where(CheckRow.asset_id.in_(list(names))).order_by(CheckRow.name))
    for row in rows:
        by_asset.setdefault(names[row.asset_id], []).append(_check_doc(row))
    for asset in doc["assets"]:
        if asset["name"] in by_asset and asset["name"] in asset_ids:
            asset["checks"] = by_asset[asset["name"]]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _check_doc(row: CheckRow) -> dict[str, Any]:
    defaults = CheckSpec(name=row.name, kind=row.kind)
    out: dict[str, Any] = {"name": row.name, "kind": row.kind}
    if row.params:
        out["params"] = dict(row.params)
    for field in ("interval", "timeout", "confirm_count", "enabled"):
        if getattr(row, field) != getattr(defaults, field):
            out[field] = getattr(row, field)
    if row.thresholds:
        out["thresholds"] = [Threshold.model_validate(t).model_dump(exclude_none=True) for t in row.thresholds]
    return out
