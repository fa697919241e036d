"""Credentials runbooks use: stored encrypted, listed masked, opened only by the executor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import asyncssh
from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.remediation.models import RemediationSecretRow
from forewarn.remediation.schemas import SecretOut
from forewarn.remediation.secrets import REDACTED, SecretBox

SecretKind = Literal["ssh_key", "password", "token"]
KINDS = ("ssh_key", "password", "token")


def secret_out(row: RemediationSecretRow, box: SecretBox) -> SecretOut:
    payload = box.open(row.ciphertext)
    return SecretOut(id=row.id, tenant_id=row.tenant_id, name=row.name, kind=row.kind, username=row.username,
                     value=REDACTED, host_key=payload.get("host_key"))


def store_secret(session: Session, who: Principal, box: SecretBox, name: str, kind: SecretKind, value: str, *,
                 tenant: str | None = None, username: str | None = None, host_key: str | None = None,
                 passphrase: str | None = None, now: float) -> SecretOut:
    """Creates or replaces a secret; the value is checked (an SSH key must parse) but never echoed."""
    who.require_admin()
    if kind not in KINDS:
        raise ValidationFailed(f"unknown secret kind {kind!r}; choose one of {', '.join(KINDS)}", where="kind")
    if not value:
        raise ValidationFailed("a secret needs a value", where="value")
    _check_ssh(kind, value, passphrase, host_key)
    tenant_id = resolve_tenant_id(session, who, tenant) if tenant else None
    payload: dict[str, Any] = {"value": value, "kind": kind, "username": username}
    if passphrase:
        payload["passphrase"] = passphrase
    if host_key:
        payload["host_key"] = host_key.strip()
    row = _find(session, tenant_id, name)
    if row is None:
        row = RemediationSecretRow(tenant_id=tenant_id, name=name, created_at=now)
        session.add(row)
    row.kind, row.username, row.ciphertext, row.updated_at = kind, username, box.seal(payload), now
    session.flush()
    return secret_out(row, box)


def _check_ssh(kind: str, value: str, passphrase: str | None, host_key: str | None) -> None:
    try:
        if kind == "ssh_key":
            asyncssh.import_private_key(value, passphrase)
        if host_key:
            asyncssh.import_public_key(host_key)
    except (asyncssh.KeyImportError, ValueError):
        field = "host_key" if kind != "ssh_key" or host_key else "value"
        raise ValidationFailed("not a valid SSH key (or wrong passphrase)", where=field) from None


def _find(session: Session, tenant_id: str | None, name: str) -> RemediationSecretRow | None:
    stmt = select(RemediationSecretRow).where(RemediationSecretRow.name == name)
    cond = RemediationSecretRow.tenant_id.is_(None) if tenant_id is None else \
        RemediationSecretRow.tenant_id == tenant_id
    return session.scalar(stmt.where(cond))


def list_secrets(session: Session, who: Principal, box: SecretBox) -> list[SecretOut]:
    who.require_admin()
    rows = session.scalars(select(RemediationSecretRow).order_by(RemediationSecretRow.name))
    return [secret_out(r, box) for r in rows]


def delete_secret(session: Session, who: Principal, secret_id: str) -> None:
    who.require_admin()
    row = session.get(RemediationSecretRow, secret_id)
    if row is None:
        raise NotFoundError(f"secret {secret_id!r} not found")
    session.delete(row)


def open_secrets(session: Session, box: SecretBox, tenant_id: str, names: Iterable[str]) -> dict[str, dict]:
    """Decrypted payloads by name for one run; a tenant's own secret wins over a global one."""
    wanted = set(names)
    if not wanted:
        return {}
    rows = session.scalars(select(RemediationSecretRow).where(
        RemediationSecretRow.name.in_(wanted),
        RemediationSecretRow.tenant_id.is_(None) | (RemediationSecretRow.tenant_id == tenant_id)))
    found: dict[str, RemediationSecretRow] = {}
    for row in rows:
        if row.name not in found or row.tenant_id is not None:
            found[row.name] = row
    return {name: box.open(row.ciphertext) for name, row in found.items()}
