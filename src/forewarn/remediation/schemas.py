"""API output shapes of the remediation area; secrets never appear in them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class RunbookOut(BaseModel):
    id: str
    tenant_id: str | None
    name: str
    description: str
    enabled: bool
    version: int
    source: str
    definition: dict[str, Any]


class RunStepOut(BaseModel):
    position: int
    name: str
    kind: str
    target: str
    command: list[Any]
    status: str
    exit_status: int | None
    stdout: str
    stderr: str
    error: str
    started_at: float
    duration_ms: float


class RunEventOut(BaseModel):
    ts: float
    from_status: str | None
    to_status: str
    actor: str
    reason: str


class RunOut(BaseModel):
    id: str
    tenant_id: str
    runbook_id: str | None
    runbook_name: str
    incident_id: str | None
    asset_id: str | None
    status: str
    dry_run: bool
    params: dict[str, Any]
    result: dict[str, Any]
    reason: str
    requested_by: str
    approved_by: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None


class RunDetail(RunOut):
    snapshot: dict[str, Any]
    steps: list[RunStepOut]
    timeline: list[RunEventOut]


class SecretOut(BaseModel):
    id: str
    tenant_id: str | None
    name: str
    kind: str
    username: str | None
    value: str  # always the mask
    host_key: str | None


class KillSwitchOut(BaseModel):
    tenant_id: str
    engaged: bool
    reason: str
    changed_by: str | None
    changed_at: float | None
