"""Tenants' sites, assets and dependencies; SLA policies; the topology graph; YAML import/export."""

from forewarn.inventory.apply import ApplyReport, apply_inventory
from forewarn.inventory.document import EnvironmentDoc, parse_environment, validation_error
from forewarn.inventory.enums import AssetKind
from forewarn.inventory.export import export_inventory
from forewarn.inventory.schemas import (
    AssetIn,
    AssetOut,
    AssetPatch,
    DependencyIn,
    DependencyOut,
    SiteIn,
    SiteOut,
    SitePatch,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaTargetIn,
)
from forewarn.inventory.service import (
    asset_briefs,
    asset_row,
    asset_tags,
    create_asset,
    create_dependency,
    create_site,
    delete_asset,
    delete_dependency,
    delete_site,
    get_asset,
    get_site,
    list_assets,
    list_dependencies,
    list_sites,
    tenant_edges,
    topology_version,
    update_asset,
    update_site,
)
from forewarn.inventory.sla import delete_sla_policy, get_sla_policy, set_sla_policy, sla_policies
from forewarn.inventory.sla_hours import HoursError, Minutes, Week, parse_week
from forewarn.inventory.sla_hours import zone as sla_zone
from forewarn.inventory.topology import build_graph, dependants, dependencies_of
from forewarn.inventory.yaml_source import SourceMap

__all__ = [
    "ApplyReport", "AssetIn", "HoursError", "Minutes", "SlaPolicyIn", "SlaPolicyOut", "SlaTargetIn", "Week",
    "delete_sla_policy", "get_sla_policy", "parse_week", "set_sla_policy", "sla_policies", "sla_zone", "AssetKind", "AssetOut", "AssetPatch", "DependencyIn", "DependencyOut",
    "EnvironmentDoc", "SiteIn", "SiteOut", "SitePatch", "SourceMap", "apply_inventory", "asset_briefs", "asset_row", "asset_tags",
    "build_graph", "create_asset", "create_dependency", "create_site", "delete_asset",
    "delete_dependency", "delete_site", "dependants", "dependencies_of", "export_inventory",
    "get_asset", "get_site", "list_assets", "list_dependencies", "list_sites", "parse_environment",
    "tenant_edges", "topology_version", "update_asset", "update_site", "validation_error",
]
