"""On-call as code: a YAML file of contacts, rotas (with overrides) and escalation policies, applied all or nothing.

    contacts:                      # username: email address pages go to
      alice: alice@msp.example
    rotas:
      - tenant: acme
        name: primary
        timezone: Europe/Berlin
        rotation: weekly           # daily | weekly | hours (then shift_hours: 12)
        handoff: "09:00"
        start_date: 2024-01-01
        members: [alice, bob]
        overrides:
          - {user: carol, starts_at: "2024-03-01T09:00", ends_at: "2024-03-02T09:00"}   # rota's local time
    policies:
      - tenant: acme
        name: default
        severities: [critical]
        repeat: 1
        email_channel: ops-mail
        steps:
          - {rota: primary, wait_minutes: 10}
          - {user: carol, wait_minutes: 15}
          - {channel: slack-ops}

Rotas and policies are matched by (tenant, name): new ones are created, existing ones updated (a
policy's version goes up only when it really changed); overrides already present are kept once.
Applying the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.notify.escalation_models import EscalationPolicyRow, OverrideRow, RotaRow
from forewarn.notify.escalation_schemas import OverrideIn, PolicyIn, PolicyPatch, RotaIn, RotaPatch
from forewarn.notify.escalation_service import create_policy, policy_outs, update_policy
from forewarn.notify.oncall_service import (
    add_override,
    create_rota,
    override_values,
    set_contact,
    update_rota,
)


class RotaDoc(RotaIn):
    tenant: str = Field(min_length=1)
    overrides: list[OverrideIn] = Field(default_factory=list)


class PolicyDoc(PolicyIn):
    tenant: str = Field(min_length=1)


class EscalationDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contacts: dict[str, str | None] = Field(default_factory=dict)
    rotas: list[RotaDoc] = Field(default_factory=list)
    policies: list[PolicyDoc] = Field(default_factory=list)


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse(text: str, filename: str) -> EscalationDoc:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        raise ValidationFailed(f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where) from None
    if not isinstance(data, dict):
        raise ValidationFailed("the file must be a mapping with contacts, rotas and policies", where=filename)
    try:
        return EscalationDoc.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise ValidationFailed(msg, where=f"{filename}: {path}") from None


def _rota(session: Session, who: Principal, doc: RotaDoc, now: float, report: ApplyReport) -> None:
    tenant_id = resolve_tenant_id(session, who, doc.tenant)
    fields = doc.model_dump(include=set(RotaIn.model_fields))
    row = session.scalar(select(RotaRow).where(RotaRow.tenant_id == tenant_id, RotaRow.name == doc.name))
    label = f"rota {doc.tenant}/{doc.name}"
    if row is None:
        row_id = create_rota(session, who, tenant_id, RotaIn(**fields), now).id
        report.created.append(label)
    else:
        before = (row.timezone, row.rotation, row.shift_hours, row.handoff, row.start_date, list(row.members))
        update_rota(session, who, row.id, RotaPatch(**fields), now)
        after = (row.timezone, row.rotation, row.shift_hours, row.handoff, row.start_date, list(row.members))
        (report.updated if after != before else report.unchanged).append(label)
        row_id = row.id
    rota = session.get(RotaRow, row_id)
    present = {(x.user_id, x.starts_at, x.ends_at) for x in session.scalars(
        select(OverrideRow).where(OverrideRow.rota_id == row_id))}
    for i, o in enumerate(doc.overrides):
        try:
            if override_values(session, rota, o) not in present:  # already there from an earlier apply
                add_override(session, who, row_id, o, now)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, where=f"overrides[{i}].{exc.where}") from None


def _policy(session: Session, who: Principal, doc: PolicyDoc, now: float, report: ApplyReport) -> None:
    tenant_id = resolve_tenant_id(session, who, doc.tenant)
    fields = doc.model_dump(include=set(PolicyIn.model_fields))
    label = f"policy {doc.tenant}/{doc.name}"
    row = session.scalar(select(EscalationPolicyRow).where(EscalationPolicyRow.tenant_id == tenant_id,
                                                           EscalationPolicyRow.name == doc.name))
    if row is None:
        create_policy(session, who, tenant_id, PolicyIn(**fields), now)
        report.created.append(label)
        return
    before = policy_outs(session, [row])[0].model_dump(exclude={"version"})
    patch = PolicyPatch(**{**fields, "email_channel": doc.email_channel or ""})
    with session.begin_nested() as trial:  # apply, compare, and undo when nothing really changed
        after = update_policy(session, who, row.id, patch, now).model_dump(exclude={"version"})
        if after == before:
            trial.rollback()
    (report.updated if after != before else report.unchanged).append(label)


def apply_escalation(session: Session, who: Principal, text: str, filename: str, now: float) -> ApplyReport:
    """Apply a whole file or nothing: any error names the item (file: rotas[1].members[0]) and undoes it all."""
    who.require_write()
    doc = parse(text, filename)
    report = ApplyReport()
    savepoint = session.begin_nested()
    try:
        for name, email in doc.contacts.items():
            _where(lambda n=name, e=email: set_contact(session, who, n, e), f"{filename}: contacts.{name}")
        for i, rota in enumerate(doc.rotas):
            _where(lambda r=rota: _rota(session, who, r, now, report), f"{filename}: rotas[{i}]")
        for i, policy in enumerate(doc.policies):
            _where(lambda p=policy: _policy(session, who, p, now, report), f"{filename}: policies[{i}]")
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return report


def _where(action: Any, where: str) -> None:
    """Run one item; its error keeps its sentence and gains the item's place in the file."""
    try:
        action()
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, where=f"{where}.{exc.where}" if exc.where else where) from None
    except NotFoundError as exc:  # an unknown tenant or user named in the file is the file's mistake
        raise ValidationFailed(str(exc), where=where) from None
