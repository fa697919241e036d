"""API input and output shapes for sites, assets and dependencies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from forewarn.inventory.enums import AssetKind

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
