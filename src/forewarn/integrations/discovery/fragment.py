"""Discovered hosts as an environment document fragment that `forewarn inventory apply` accepts.

Each host becomes an asset with a ping check and a TCP check per open port. The data is plain
(dicts and lists) for the caller to write as YAML; checks use the document's check format:
`{name, kind, interval, params}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forewarn.integrations.discovery.sweep import DiscoveredHost

_DESCR_MAX = 200


def environment_fragment(hosts: Sequence[DiscoveredHost], tenant: str, tenant_name: str | None = None,
                         site: str | None = None, interval: int = 60) -> dict[str, Any]:
    """The document: `tenant`, optionally one site, and one asset per host with unique names."""
    doc: dict[str, Any] = {"tenant": {"slug": tenant, "name": tenant_name or tenant}}
    if site:
        doc["sites"] = [{"name": site}]
    taken: set[str] = set()
    doc["assets"] = [_asset(host, _unique(host.name, host.address, taken), site, interval) for host in hosts]
    return doc


def _asset(host: DiscoveredHost, name: str, site: str | None, interval: int) -> dict[str, Any]:
    checks: list[dict[str, Any]] = [{"name": "ping", "kind": "ping", "interval": interval}]
    checks += [{"name": f"tcp-{port}", "kind": "tcp", "interval": interval, "params": {"port": port}}
               for port in host.open_ports]
    asset: dict[str, Any] = {"name": name, "kind": host.kind, "address": host.address}
    if site:
        asset["site"] = site
    if host.snmp and host.snmp.descr:
        descr = " ".join(host.snmp.descr.split())
        asset["description"] = descr if len(descr) <= _DESCR_MAX else descr[:_DESCR_MAX - 1] + "…"
    asset["tags"] = ["discovered"]
    attributes = {"dns_name": host.dns_name, "sys_object_id": host.snmp.object_id if host.snmp else None,
                  "kind_reason": host.kind_reason}
    asset["attributes"] = {k: v for k, v in attributes.items() if v}
    asset["checks"] = checks
    return asset


def _unique(name: str, address: str, taken: set[str]) -> str:
    """`name`, else `name (address)`, else numbered: two devices may share a sysName."""
    candidate = name
    if candidate in taken:
        candidate = f"{name} ({address})"
    counter = 2
    while candidate in taken:
        candidate = f"{name} ({address}) {counter}"
        counter += 1
    taken.add(candidate)
    return candidate
