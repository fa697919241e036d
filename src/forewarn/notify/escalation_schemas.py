"""API shapes of on-call rotas, overrides, escalation policies and an incident's escalation state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forewarn.notify.schemas import SeverityName

NAME = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$"
HANDOFF = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
Rotation = Literal["daily", "weekly", "hours"]
PriorityName = Literal["P1", "P2", "P3", "P4"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RotaIn(_In):
    name: str = Field(pattern=NAME)
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description="IANA name, e.g. Europe/Berlin")
    rotation: Rotation = "weekly"
    shift_hours: int = Field(default=24, ge=1, le=720, description="shift length when rotation is 'hours'")
    handoff: str = Field(default="09:00", pattern=HANDOFF, description="local time of the handoff, HH:MM")
    start_date: date = Field(description="local date on which the first member's first shift starts")
    members: list[str] = Field(default_factory=list, max_length=100, description="usernames, in turn order")


class RotaPatch(_In):
    name: str | None = Field(default=None, pattern=NAME)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    rotation: Rotation | None = None
    shift_hours: int | None = Field(default=None, ge=1, le=720)
    handoff: str | None = Field(default=None, pattern=HANDOFF)
    start_date: date | None = None
    members: list[str] | None = Field(default=None, max_length=100)


class OverrideIn(_In):
    user: str = Field(min_length=1, max_length=64, description="username of who covers")
    starts_at: datetime = Field(description="ISO 8601; without an offset it is read in the rota's time zone")
    ends_at: datetime

    @model_validator(mode="after")
    def _order(self) -> OverrideIn:
        if self.starts_at.tzinfo is None and self.ends_at.tzinfo is None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class OverrideOut(BaseModel):
    id: str
    user: str
    starts_at: float
    ends_at: float
    created_at: float


class OnCallOut(BaseModel):
    user: str | None
    source: str  # override | rotation | none
    until: float | None
    reason: str = ""


class RotaOut(BaseModel):
    id: str
    tenant_id: str
    name: str
    timezone: str
    rotation: str
    shift_hours: int
    handoff: str
    start_date: str
    members: list[str]
    overrides: list[OverrideOut]
    on_call: OnCallOut


class StepIn(_In):
    """Exactly one target: a person (username), a rota or a notification channel (names in the tenant)."""

    user: str | None = Field(default=None, max_length=64)
    rota: str | None = Field(default=None, max_length=100)
    channel: str | None = Field(default=None, max_length=100)
    wait_minutes: int = Field(default=15, ge=0, le=1440, description="wait for an acknowledgement before the next")

    @model_validator(mode="after")
    def _one_target(self) -> StepIn:
        if sum(v is not None for v in (self.user, self.rota, self.channel)) != 1:
            raise ValueError("give exactly one of user, rota or channel")
        return self


class StepOut(BaseModel):
    target: str
    name: str
    wait_minutes: int


class PolicyIn(_In):
    name: str = Field(pattern=NAME)
    enabled: bool = True
    position: int = Field(default=100, ge=0, le=10000, description="lower is tried first")
    severities: list[SeverityName] = Field(default_factory=list, description="empty: every severity")
    priorities: list[PriorityName] = Field(default_factory=list, description="empty: every priority")
    repeat: int = Field(default=0, ge=0, le=10, description="run the whole policy again this many times")
    email_channel: str | None = Field(default=None, max_length=100,
                                      description="email channel carrying pages to persons; default the first one")
    steps: list[StepIn] = Field(min_length=1, max_length=20)


class PolicyPatch(_In):
    name: str | None = Field(default=None, pattern=NAME)
    enabled: bool | None = None
    position: int | None = Field(default=None, ge=0, le=10000)
    severities: list[SeverityName] | None = None
    priorities: list[PriorityName] | None = None
    repeat: int | None = Field(default=None, ge=0, le=10)
    email_channel: str | None = Field(default=None, max_length=100, description="'' to use the first one")
    steps: list[StepIn] | None = Field(default=None, min_length=1, max_length=20)


class PolicyOut(BaseModel):
    id: str
    tenant_id: str
    name: str
    enabled: bool
    position: int
    severities: list[str]
    priorities: list[str]
    repeat: int
    email_channel: str | None
    steps: list[StepOut]
    version: int


class EscalationOut(BaseModel):
    """Where an incident's escalation stands; `steps` are the policy as frozen when it started."""

    incident_id: str
    state: str  # active | stopped | exhausted | none
    policy: str | None
    version: int | None
    round: int
    rounds: int
    step: int
    steps: list[StepOut]
    next_at: float | None
    started_at: float
    ended_at: float | None
    end_reason: str


class OnCallNow(BaseModel):
    tenant_id: str
    rota_id: str
    rota: str
    user: str | None
    email: str | None
    source: str
    until: float | None
    reason: str


class ContactIn(_In):
    email: str | None = Field(default=None, max_length=254, description="empty or null clears it")


class ContactOut(BaseModel):
    username: str
    email: str | None
