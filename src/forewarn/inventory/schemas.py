"""API input and output shapes for sites, assets, dependencies and tenant SLA policies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from forewarn.inventory.enums import AssetKind
from forewarn.inventory.sla_hours import parse_week, zone

# Names appear in URLs and YAML keys: no control characters, no slashes.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f/]+$")]


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant: str = Field(description="tenant id or slug")
    name: Name
    description: str = Field(default="", max_length=2000)


class SitePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    description: str | None = Field(default=None, max_length=2000)


class SiteOut(BaseModel):
    id: str
    tenant_id: str
    name: str
    description: str


class AssetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant: str = Field(description="tenant id or slug")
    name: Name
    kind: AssetKind
    site: str | None = Field(default=None, description="site name within the tenant")
    address: str | None = Field(default=None, max_length=255)
    description: str = Field(default="", max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    attributes: dict[str, Any] = Field(default_factory=dict)


class AssetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    kind: AssetKind | None = None
    site: str | None = None
    address: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, max_length=2000)
    tags: list[str] | None = Field(default=None, max_length=50)
    attributes: dict[str, Any] | None = None


class AssetOut(BaseModel):
    id: str
    tenant_id: str
    site_id: str | None
    site: str | None
    name: str
    kind: AssetKind
    address: str | None
    description: str
    tags: list[str]
    attributes: dict[str, Any]


class DependencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_id: str
    depends_on_id: str


class DependencyOut(BaseModel):
    id: str
    tenant_id: str
    asset_id: str
    depends_on_id: str


PRIORITIES = ("P1", "P2", "P3", "P4")
Priority = Literal["P1", "P2", "P3", "P4"]


class SlaTargetIn(BaseModel):
    """Response (acknowledge) and resolution targets of one priority, in minutes of its clock."""

    model_config = ConfigDict(extra="forbid")
    response: float = Field(gt=0, le=525_600, description="minutes until acknowledged")
    resolution: float = Field(gt=0, le=525_600, description="minutes until resolved")
    clock: Literal["business", "24x7"] = Field(
        default="business", description="count only business hours, or around the clock")

    @model_validator(mode="after")
    def _resolution_after_response(self) -> SlaTargetIn:
        if self.resolution < self.response:
            raise ValueError("resolution must not be shorter than response")
        return self


class SlaPolicyIn(BaseModel):
    """A tenant's SLA policy: targets per priority, business hours in a time zone, holidays."""

    model_config = ConfigDict(extra="forbid")
    timezone: str = Field(default="UTC", description="IANA time zone of the business hours")
    hours: dict[str, list[str]] = Field(
        default_factory=dict, description='weekday → ranges, e.g. {"mon": ["08:00-18:00"]}; empty = 24x7')
    holidays: list[date] = Field(default_factory=list, max_length=1000)
    targets: dict[Priority, SlaTargetIn] = Field(min_length=1)
    warn_at: float = Field(default=0.8, gt=0, lt=1, description="warn when this share of a target is used")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if value:
            parse_week(value)
        return value

    @model_validator(mode="after")
    def _business_needs_hours(self) -> SlaPolicyIn:
        business = sorted(p for p, t in self.targets.items() if t.clock == "business")
        if business and not self.hours:
            raise ValueError(f"targets {', '.join(business)} count business hours, but no hours are set; "
                             "add hours or set clock: 24x7")
        return self


class SlaPolicyOut(SlaPolicyIn):
    tenant_id: str
    updated_at: float
