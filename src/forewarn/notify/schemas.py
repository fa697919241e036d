"""API shapes of the notify area: channels in and out (secrets redacted), delivery log entries."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from forewarn.notify.policy import DEFAULT_EVENTS

ChangeName = Literal["opened", "escalated", "acknowledged", "resolved", "reopened", "closed", "sla_warning",
                     "sla_breached"]
SeverityName = Literal["info", "warning", "critical"]


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["email", "webhook", "slack", "teams"]
    config: dict[str, Any] = Field(description="the kind's settings; see EmailConfig, WebhookConfig, UrlConfig")
    enabled: bool = True
    min_severity: SeverityName = "info"
    events: list[ChangeName] = Field(default_factory=lambda: list(DEFAULT_EVENTS), min_length=1)
    rate_per_minute: int = Field(default=30, ge=1, le=6000)


class ChannelPatch(BaseModel):
    """Fields left out keep their value; secrets left out (or sent back as ********) are kept too."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    config: dict[str, Any] | None = None
    enabled: bool | None = None
    min_severity: SeverityName | None = None
    events: list[ChangeName] | None = Field(default=None, min_length=1)
    rate_per_minute: int | None = Field(default=None, ge=1, le=6000)


class ChannelOut(BaseModel):
    id: str
    tenant_id: str
    name: str
    kind: str
    target: str
    config: dict[str, Any]  # secrets replaced by ********
    enabled: bool
    min_severity: str
    events: list[str]
    rate_per_minute: int


class DeliveryOut(BaseModel):
    """One attempt to deliver one change to one channel."""

    ts: float
    channel_id: str | None
    channel_name: str
    change: str
    attempt: int
    status: str
    error: str
    duration_ms: float
    message_key: str


class OutboxOut(BaseModel):
    id: str
    channel_id: str | None
    incident_id: str
    change: str
    status: str
    attempts: int
    due_at: float
    sent_at: float | None
    last_error: str
