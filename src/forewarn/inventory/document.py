"""The environment-as-code document (tenant with its SLA policy, sites, assets, dependencies, raw checks)
and its errors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forewarn.auth.schemas import SLUG_PATTERN
from forewarn.core.errors import ValidationFailed
from forewarn.inventory.enums import AssetKind
from forewarn.inventory.schemas import Name, SlaPolicyIn
from forewarn.inventory.yaml_source import SourceMap, load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TenantDoc(_Strict):
    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    # Optional: a file without it leaves the tenant's SLA policy (perhaps set through the API) alone.
    sla: SlaPolicyIn | None = None


class SiteDoc(_Strict):
    name: Name
    description: str = ""


class AssetDoc(_Strict):
    name: Name
    kind: AssetKind
    site: str | None = None
    address: str | None = None
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    depends_on: list[str] = Field(default_factory=list)
    # Checks are validated by the monitoring area (it knows the plugins); kept raw here.
    checks: list[dict[str, Any]] = Field(default_factory=list)


class EnvironmentDoc(_Strict):
    tenant: TenantDoc
    sites: list[SiteDoc] = Field(default_factory=list)
    assets: list[AssetDoc] = Field(default_factory=list)


def validation_error(exc: ValidationError, source: SourceMap, prefix: tuple = ()) -> ValidationFailed:
    """The first pydantic error as one sentence at its file:line, with the field path."""
    err = exc.errors()[0]
    loc = (*prefix, *err["loc"])
    field = ".".join(str(p) for p in loc)
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    return ValidationFailed(f"{field}: {msg}", where=source.where(loc))


def parse_environment(text: str, filename: str) -> tuple[EnvironmentDoc, SourceMap]:
    data, source = load_yaml(text, filename)
    if not isinstance(data, dict):
        raise ValidationFailed("the document must be a mapping with tenant, sites and assets",
                               where=source.where(()))
    try:
        doc = EnvironmentDoc.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, source) from exc
    _check_names_unique(doc, source)
    return doc, source


def _check_names_unique(doc: EnvironmentDoc, source: SourceMap) -> None:
    for section, items in (("sites", doc.sites), ("assets", doc.assets)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise ValidationFailed(f"{section}.{i}.name: {item.name!r} appears twice",
                                       where=source.where((section, i, "name")))
            seen.add(item.name)
    site_names = {s.name for s in doc.sites}
    for i, asset in enumerate(doc.assets):
        if asset.site is not None and asset.site not in site_names:
            raise ValidationFailed(f"assets.{i}.site: no site named {asset.site!r} in this file",
                                   where=source.where(("assets", i, "site")))
