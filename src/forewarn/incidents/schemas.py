"""API shapes for incidents, their timeline and the actions on them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class IncidentEventOut(BaseModel):
    ts: float
    kind: str
    actor: str
    message: str
    data: dict[str, Any]


class IncidentOut(BaseModel):
    id: str
    tenant_id: str
    title: str
    status: str
    severity: str
    asset_id: str | None
    assignee: str | None
    proactive: bool
    flapping: bool
    signal_count: int
    root_cause_asset_id: str | None = None
    analysis: dict[str, Any] = {}
    opened_at: float
    acknowledged_at: float | None
    resolved_at: float | None
    closed_at: float | None


class IncidentDetail(IncidentOut):
    timeline: list[IncidentEventOut]
    signal_ids: list[str]


class IncidentAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["acknowledge", "resolve", "reopen", "close", "assign", "comment"]
    message: str = Field(default="", max_length=4000)
    assignee: str | None = Field(default=None, description="username; for assign (empty to unassign)")
