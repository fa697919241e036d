"""Runbooks as rows: load YAML files all-or-nothing, list, read and enable/disable them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.remediation.document import RunbookDoc
from forewarn.remediation.loader import definition_of, parse_runbooks
from forewarn.remediation.models import RunbookRow
from forewarn.remediation.schemas import RunbookOut


def runbook_out(row: RunbookRow) -> RunbookOut:
    return RunbookOut(id=row.id, tenant_id=row.tenant_id, name=row.name, description=row.description,
                      enabled=row.enabled, version=row.version, source=row.source, definition=row.definition)


def load_runbooks(session: Session, who: Principal, text: str, filename: str, now: float) -> list[RunbookOut]:
    """Validates every runbook in the text, then creates or updates them; on any error nothing changes."""
    return load_runbook_texts(session, who, [(filename, text)], now)


def load_runbook_files(session: Session, who: Principal, paths: Iterable[Path], now: float) -> list[RunbookOut]:
    texts = []
    for path in paths:
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"cannot read the file: {exc.__class__.__name__}", where=str(path)) from None
    return load_runbook_texts(session, who, texts, now)


def load_runbook_texts(session: Session, who: Principal, texts: list[tuple[str, str]],
                       now: float) -> list[RunbookOut]:
    who.require_admin()  # runbooks run commands on clients' machines
    staged: list[tuple[RunbookDoc, str, str | None]] = []
    seen: dict[tuple[str | None, str], str] = {}
    for filename, text in texts:  # validate everything before the first write
        for doc, where in parse_runbooks(text, filename):
            tenant_id = _tenant(session, who, doc, where)
            if (tenant_id, doc.name) in seen:
                raise ValidationFailed(f"runbook {doc.name!r} is also defined at {seen[(tenant_id, doc.name)]}",
                                       where=where)
            seen[(tenant_id, doc.name)] = where
            staged.append((doc, where, tenant_id))
    return [runbook_out(_upsert(session, doc, where, tenant_id, now)) for doc, where, tenant_id in staged]


def _tenant(session: Session, who: Principal, doc: RunbookDoc, where: str) -> str | None:
    if doc.match.tenant is None:
        return None
    try:
        return resolve_tenant_id(session, who, doc.match.tenant)
    except NotFoundError:
        raise ValidationFailed(f"match.tenant: unknown tenant {doc.match.tenant!r}", where=where) from None


def _upsert(session: Session, doc: RunbookDoc, where: str, tenant_id: str | None, now: float) -> RunbookRow:
    definition = definition_of(doc)
    stmt = select(RunbookRow).where(RunbookRow.name == doc.name)
    stmt = stmt.where(RunbookRow.tenant_id.is_(None) if tenant_id is None else RunbookRow.tenant_id == tenant_id)
    row = session.scalar(stmt)
    if row is None:
        row = RunbookRow(tenant_id=tenant_id, name=doc.name, version=1, created_at=now)
        session.add(row)
    elif row.definition != definition:
        row.version += 1
    row.description, row.enabled, row.definition = doc.description, doc.enabled, definition
    row.source, row.updated_at = where[:500], now
    session.flush()
    return row


def runbook_row(session: Session, who: Principal, runbook_id: str) -> RunbookRow:
    row = session.get(RunbookRow, runbook_id)
    if row is None or (row.tenant_id is not None and not who.can_see(row.tenant_id)):
        raise NotFoundError(f"runbook {runbook_id!r} not found")
    return row


def get_runbook(session: Session, who: Principal, runbook_id: str) -> RunbookOut:
    return runbook_out(runbook_row(session, who, runbook_id))


def list_runbooks(session: Session, who: Principal) -> list[RunbookOut]:
    stmt = select(RunbookRow).order_by(RunbookRow.name)
    if not who.all_tenants:
        stmt = stmt.where(RunbookRow.tenant_id.is_(None) | (RunbookRow.tenant_id == who.tenant_id))
    return [runbook_out(r) for r in session.scalars(stmt)]


def set_runbook_enabled(session: Session, who: Principal, runbook_id: str, enabled: bool,
                        now: float) -> RunbookOut:
    row = runbook_row(session, who, runbook_id)
    who.require_admin()
    if row.enabled != enabled:
        row.enabled = enabled
        row.definition = {**row.definition, "enabled": enabled}
        row.version += 1
        row.updated_at = now
    return runbook_out(row)


def runbook_yaml(definition: dict) -> str:
    """A stored runbook as the short YAML a person edits: defaults left out, keys in document order."""
    doc = RunbookDoc.model_validate(definition)
    data = doc.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def save_runbook_text(session: Session, who: Principal, runbook_id: str | None, text: str,
                      now: float) -> RunbookOut:
    """Creates (runbook_id None) or replaces one runbook from the editor's YAML; errors change nothing.

    Unlike a file load, the editor never overwrites a different runbook that happens to share the
    new name: a rename onto a taken name, or a new runbook with a taken name, is refused.
    """
    who.require_admin()
    row = runbook_row(session, who, runbook_id) if runbook_id else None
    docs = parse_runbooks(text, "runbook editor")
    if len(docs) != 1:
        raise ValidationFailed(f"the editor holds exactly one runbook, found {len(docs)}", where="runbook editor")
    doc, where = docs[0]
    tenant_id = _tenant(session, who, doc, where)
    stmt = select(RunbookRow.id).where(RunbookRow.name == doc.name)
    stmt = stmt.where(RunbookRow.tenant_id.is_(None) if tenant_id is None else RunbookRow.tenant_id == tenant_id)
    clash = session.scalar(stmt)
    if clash is not None and (row is None or clash != row.id):
        raise ValidationFailed(f"name: another runbook is already called {doc.name!r}", where=where)
    definition = definition_of(doc)
    if row is None:
        row = RunbookRow(tenant_id=tenant_id, name=doc.name, version=1, created_at=now)
        session.add(row)
    elif row.definition != definition or row.tenant_id != tenant_id:
        row.version += 1
    row.name, row.tenant_id = doc.name, tenant_id
    row.description, row.enabled, row.definition = doc.description, doc.enabled, definition
    row.source, row.updated_at = f"edited by {who.username}"[:500], now
    session.flush()
    return runbook_out(row)


def delete_runbook(session: Session, who: Principal, runbook_id: str) -> None:
    """Removes a runbook; its past runs stay (they froze a copy of it) for the audit trail."""
    row = runbook_row(session, who, runbook_id)
    who.require_admin()
    session.delete(row)
    session.flush()
