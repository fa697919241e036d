"""API shapes for incidents, their timeline, links, SLA timers and the actions on them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from forewarn.inventory import SlaPolicyOut

LinkKind = Literal["related", "duplicate-of", "caused-by"]


class IncidentEventOut(BaseModel):
    ts: float
    kind: str
    actor: str
    message: str
    data: dict[str, Any]


class SlaTimerOut(BaseModel):
    target_minutes: float
    due_at: float
    warn_at: float
    remaining_seconds: float = Field(description="business seconds left at the stop or now; negative = overdue")
    stopped_at: float | None
    running: bool
    paused: bool = Field(description="running, but outside business hours right now")
    warned: bool
    breached: bool


class SlaOut(BaseModel):
    priority: str
    clock: Literal["business", "24x7"]
    response: SlaTimerOut
    resolution: SlaTimerOut


class IncidentOut(BaseModel):
    id: str
    tenant_id: str
    title: str
    status: str
    severity: str
    priority: str = "P4"
    priority_overridden: bool = False
    impact: dict[str, Any] = {}
    asset_id: str | None
    assignee: str | None
    proactive: bool
    flapping: bool
    signal_count: int
    root_cause_asset_id: str | None = None
    analysis: dict[str, Any] = {}
    merged_into: str | None = None
    sla: SlaOut | None = None
    opened_at: float
    acknowledged_at: float | None
    resolved_at: float | None
    closed_at: float | None


class LinkOut(BaseModel):
    kind: str = Field(description="as read from this incident: related, duplicate-of, has-duplicate, "
                                  "caused-by, causes")
    incident_id: str
    title: str
    status: str
    priority: str


class IncidentDetail(IncidentOut):
    timeline: list[IncidentEventOut]
    signal_ids: list[str]
    links: list[LinkOut] = []


class IncidentAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["acknowledge", "resolve", "reopen", "close", "assign", "comment", "set_priority",
                    "link", "unlink", "merge", "split"]
    message: str = Field(default="", max_length=4000, description="comment text, or the reason for the action")
    assignee: str | None = Field(default=None, description="username; for assign (empty to unassign)")
    priority: Literal["P1", "P2", "P3", "P4", "auto"] | None = Field(
        default=None, description="for set_priority; auto derives it from impact again")
    other: str | None = Field(default=None, max_length=20,
                              description="the other incident's id; for link, unlink and merge (merged into this)")
    kind: LinkKind | None = Field(default=None, description="for link/unlink: this incident <kind> other")
    signal_ids: list[str] = Field(default_factory=list, max_length=10_000,
                                  description="for split: the signals that move to a new incident")
    title: str | None = Field(default=None, max_length=500, description="for split: the new incident's title")


class SlaSummaryOut(BaseModel):
    tenant_id: str
    policy: SlaPolicyOut | None
    since: float | None
    incidents: int = Field(description="incidents with SLA timers")
    breaches: int
    breaches_by_kind: dict[str, int]
    breaches_by_priority: dict[str, int]
    met: dict[str, int] = Field(description="timers stopped within their target, by kind")
    at_risk: int = Field(description="open incidents past a warning point and not yet breached")
    open_breached: int
