"""API and document shapes for checks, thresholds, results and series."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forewarn.core.enums import CheckStatus


class Threshold(BaseModel):
    """Warning/critical levels on one metric of a check; `direction` says which side is bad."""

    model_config = ConfigDict(extra="forbid")
    metric: str = Field(min_length=1, max_length=200)
    warning: float | None = None
    critical: float | None = None
    direction: Literal["above", "below"] = "above"

    @model_validator(mode="after")
    def _levels_in_order(self) -> Threshold:
        if self.warning is None and self.critical is None:
            raise ValueError("a threshold needs a warning or a critical level")
        if self.warning is not None and self.critical is not None:
            worse = self.critical >= self.warning if self.direction == "above" else self.critical <= self.warning
            if not worse:
                raise ValueError(f"critical ({self.critical}) must be beyond warning ({self.warning}) "
                                 f"for direction {self.direction!r}")
        return self


class CheckSpec(BaseModel):
    """A check as written in the environment document (without tenant/asset)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f/]+$")
    kind: str = Field(min_length=1, max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)
    interval: float = Field(default=60.0, ge=1.0, le=86400.0)
    timeout: float = Field(default=10.0, gt=0.0, le=300.0)
    thresholds: list[Threshold] = Field(default_factory=list)
    confirm_count: int = Field(default=2, ge=1, le=20, description="consecutive results before a change counts")
    enabled: bool = True


class CheckIn(CheckSpec):
    asset: str = Field(description="asset id")


class CheckPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    params: dict[str, Any] | None = None
    interval: float | None = Field(default=None, ge=1.0, le=86400.0)
    timeout: float | None = Field(default=None, gt=0.0, le=300.0)
    thresholds: list[Threshold] | None = None
    confirm_count: int | None = Field(default=None, ge=1, le=20)
    enabled: bool | None = None


class CheckOut(CheckSpec):
    id: str
    tenant_id: str
    asset_id: str
    last_status: str | None
    last_summary: str
    last_run_at: float | None


class CheckResultOut(BaseModel):
    check_id: str
    ts: float
    status: str
    summary: str
    duration_ms: float


class SeriesOut(BaseModel):
    id: int
    tenant_id: str
    asset_id: str
    name: str
    labels: dict[str, str]
    unit: str


class SamplesOut(BaseModel):
    series_id: int
    name: str
    unit: str
    timestamps: list[float]
    values: list[float]
    min: list[float] | None = None
    max: list[float] | None = None
    # Overlays: the latest forecast's projection [ts, value, lo, hi] and anomaly windows [start, end].
    projection: list[list[float]] | None = None
    limit: float | None = None
    anomalies: list[list[float]] = Field(default_factory=list)


def status_name(code: int | None) -> str | None:
    return None if code is None else CheckStatus(code).name
