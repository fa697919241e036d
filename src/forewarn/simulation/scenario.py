"""The scenario document: an environment, workload patterns per series, a fault timeline and the policies' rates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from forewarn.core.errors import ValidationFailed

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*$")
FAULT_KINDS = ("disk_fill", "memory_leak", "cert_expiry", "failing_disk", "backup_failing", "link_down",
               "cpu_runaway", "dns_misconfig", "db_pool_exhaustion", "brute_force")


def parse_offset(text: str | float | int) -> float:
    """Seconds from "3d", "2d 4h", "90m" or a number of seconds."""
    if isinstance(text, int | float):
        return float(text)
    m = _DURATION.match(text)
    if not m or not any(m.groups()):
        raise ValueError(f"{text!r} is not a duration like '3d 4h 30m'")
    d, h, mins = (float(g) if g else 0.0 for g in m.groups())
    return d * 86_400 + h * 3600 + mins * 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Workload(_Strict):
    """One metric on every matching asset: base level, daily and weekly seasonality, noise, growth."""

    assets: list[str] = Field(min_length=1, description="asset names; shell patterns like 'ws-*' allowed")
    metric: str
    unit: str = ""
    check: str | None = Field(None, description="the check whose thresholds judge this metric")
    base: float = 0.0
    daily: float = Field(0.0, description="extra at the working-day peak (15:00 UTC)")
    weekend: float = Field(0.3, ge=0.0, description="share of the daily swing left on Saturdays and Sundays")
    noise: float = Field(0.0, ge=0.0, description="standard deviation of the noise")
    growth_per_day: float = 0.0
    resets_daily_at: float | None = Field(None, ge=0, lt=24,
                                          description="an age in hours that restarts at this hour (a nightly job)")
    countdown_days: float | None = Field(None, description="days left that fall by one per day (a certificate)")
    min: float = 0.0
    max: float | None = None


class LogSource(_Strict):
    """Background log lines of one asset; {user}, {ip}, {n} in templates are filled at random."""

    asset: str
    app: str = ""
    per_hour: float = Field(6.0, ge=0.0)
    templates: list[str] = Field(min_length=1)


class Fault(_Strict):
    """One fault on the timeline: its kind, where, when (offset from the start) and kind-specific params."""

    kind: Literal[FAULT_KINDS]  # type: ignore[valid-type]
    asset: str
    at: float
    fails: str | None = Field(None, description="the asset users lose when it bites (default: asset)")
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("at", mode="before")
    @classmethod
    def _offset(cls, v: Any) -> float:
        return parse_offset(v)


class Range(_Strict):
    low: float = Field(ge=0)
    high: float = Field(ge=0)


def _r(low: float, high: float) -> Range:
    return Range(low=low, high=high)


class BreakFixRates(_Strict):
    hourly_rate: float = 125.0
    minimum_hours: float = 1.0
    report_delay_minutes: Range = Field(default_factory=lambda: _r(20, 180))
    dispatch_delay_minutes: Range = Field(default_factory=lambda: _r(120, 480))
    diagnosis_minutes: Range = Field(default_factory=lambda: _r(45, 150))
    travel_minutes: float = 45.0


class ManagedRates(_Strict):
    monthly_fee: float = 900.0
    hourly_rate: float = 125.0
    response_minutes: dict[str, float] = Field(default_factory=lambda: {"critical": 30.0, "warning": 240.0,
                                                                        "info": 480.0})
    report_response_minutes: float = 60.0  # a user's call reaches the service desk
    diagnosis_minutes: Range = Field(default_factory=lambda: _r(10, 40))
    unclear_diagnosis_minutes: Range = Field(default_factory=lambda: _r(45, 150))
    false_alarm_minutes: float = 15.0
    travel_minutes: float = 45.0


class Costs(_Strict):
    downtime_per_service_hour: float = 150.0
    data_loss_event: float = 5000.0


class Scenario(_Strict):
    name: str
    description: str = ""
    seed: int = 1
    days: float = Field(30.0, gt=0)
    start: float = Field(1_767_571_200.0, description="unix seconds; default Monday 2026-01-05 00:00 UTC")
    step_seconds: float = Field(60.0, ge=10.0)
    history_days: float = Field(7.0, ge=0.0, le=60.0,
                                description="normal history stored before the start, as a client onboarded "
                                            "with its existing metrics would have")
    environment: dict[str, Any]
    workloads: list[Workload] = Field(default_factory=list)
    logs: list[LogSource] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list)
    break_fix: BreakFixRates = Field(default_factory=BreakFixRates)
    managed: ManagedRates = Field(default_factory=ManagedRates)
    costs: Costs = Field(default_factory=Costs)

    @property
    def tenant_slug(self) -> str:
        return str(self.environment.get("tenant", {}).get("slug", ""))

    def environment_yaml(self) -> str:
        return yaml.safe_dump(self.environment, sort_keys=False, allow_unicode=True)


def load_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(f"cannot read the scenario: {exc.strerror}", where=str(path)) from exc
    return parse_scenario(text, str(path))


def parse_scenario(text: str, filename: str) -> Scenario:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        raise ValidationFailed(f"not valid YAML ({getattr(exc, 'problem', exc)})", where=where) from exc
    if not isinstance(data, dict):
        raise ValidationFailed("a scenario must be a mapping with name, environment, workloads, faults",
                               where=filename)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise ValidationFailed(f"{field}: {msg}", where=filename) from exc
