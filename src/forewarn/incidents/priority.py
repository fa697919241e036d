"""Incident priority P1–P4: derived from impact (affected client services, users) and severity, or overridden.

Impact is the incident's assets plus everything that depends on them (the blast radius), narrowed to
client services: assets tagged `user-facing`, with a `users` attribute, or of kind service/website.
Automatic recomputation only ever raises the priority while the incident lives, so a ticket does not
bounce between SLA targets as symptoms come and go; a technician's override sticks until set back to auto.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal
from forewarn.core.enums import Severity
from forewarn.core.errors import ValidationFailed
from forewarn.incidents.batch_sql import BulkSql
from forewarn.incidents.models import IncidentRow, IncidentSignalRow
from forewarn.incidents.sla import refresh_timers
from forewarn.incidents.timeline import add_event
from forewarn.inventory import tenant_edges, topology_version

PRIORITIES = ("P1", "P2", "P3", "P4")
USER_FACING_TAG = "user-facing"
SERVICE_KINDS = frozenset({"service", "website"})
# Impact level: 0 none, 1 one service, 2 several services or many users, 3 broad outage.
SERVICES_FOR_LEVEL = (1, 2, 3)
USERS_FOR_LEVEL = (1, 20, 100)
# Rows: severity; columns: impact level 0..3 (an ITIL-style impact × urgency matrix).
MATRIX = {
    Severity.CRITICAL: ("P3", "P2", "P1", "P1"),
    Severity.WARNING: ("P4", "P3", "P2", "P2"),
    Severity.INFO: ("P4", "P4", "P3", "P3"),
}
CACHE_SECONDS = 60.0  # tag/attribute edits do not change the topology version; refresh at least this often


def impact_level(services: int, users: int) -> int:
    if services == 0:
        return 0
    by_services = sum(services >= n for n in SERVICES_FOR_LEVEL)
    by_users = sum(users >= n for n in USERS_FOR_LEVEL)
    return max(by_services, by_users)


def derive_priority(severity: str, services: int, users: int) -> str:
    """The priority an incident of this severity deserves when it touches `services` serving `users`."""
    return MATRIX[Severity(severity)][impact_level(services, users)]


def worse(a: str, b: str) -> str:
    return min(a, b, key=PRIORITIES.index)


def decide(severity: str, services: int, users: int, current: str, overridden: bool, fresh: bool) -> str:
    """The one rule both paths apply: an override sticks, a first rating derives, later ones only raise."""
    if overridden:
        return current
    target = derive_priority(severity, services, users)
    return target if fresh else worse(current, target)


@dataclass
class _TenantImpact:
    services: dict[str, tuple[str, int]]  # asset id → (name, users)
    version: tuple
    loaded: float
    graph: nx.DiGraph | None = None  # a → b: a depends on b; built when assign_priority first needs it


_CACHE: dict[str, _TenantImpact] = {}


def _users(attributes: dict) -> int:
    try:
        return max(0, int(attributes.get("users", 0) or 0))
    except (TypeError, ValueError):  # a free-form attribute that is not a number counts as unknown
        return 0


def _json(value: object) -> object:
    """SQLite hands JSON columns over as text, psycopg already parsed; skip parsing the empty ones."""
    if isinstance(value, str):
        return None if value in ("{}", "[]", "null") else json.loads(value)
    return value


def _tenant_impact(session: Session, tenant_id: str, version: tuple | None = None) -> _TenantImpact:
    version = topology_version(session, tenant_id) if version is None else version
    cached = _CACHE.get(tenant_id)
    if cached and cached.version == version and time.monotonic() - cached.loaded < CACHE_SECONDS:
        return cached
    # Driver rows, not list_assets: building 10,000 API objects (or ORM-decoding 20,000 JSON values) cost
    # ~1 s (0.3 s) a refresh at 10,000 assets; most assets have no tags and no attributes to parse.
    sql = BulkSql(session)
    rows = session.connection().exec_driver_sql(
        f"SELECT id, name, kind, tags, attributes FROM assets WHERE tenant_id = {sql.mark}", (tenant_id,))
    services = {}
    for i, name, kind, tags, attrs in rows:
        users = _users(_json(attrs) or {})
        if users or kind in SERVICE_KINDS or USER_FACING_TAG in (_json(tags) or ()):
            services[i] = (name, users)
    model = _TenantImpact(services, version, time.monotonic())
    _CACHE[tenant_id] = model
    return model


def client_services(session: Session, tenant_id: str, version: tuple | None = None) -> dict[str, tuple[str, int]]:
    """The tenant's client services (asset id → name, users), cached against the topology version."""
    return _tenant_impact(session, tenant_id, version).services


def summarise(hit: list[tuple[str, int]], assets: int, signals: int, severity: str) -> dict:
    """The impact document stored on the incident, from the services inside its blast radius."""
    return impact_doc(sorted(name for name, _ in hit), max((u for _, u in hit), default=0), assets, signals,
                      severity)


def impact_doc(services: list[str], users: int, assets: int, signals: int, severity: str) -> dict:
    return {"services": services, "users": users, "assets": assets, "signals": signals, "severity": severity}


def impact_of(session: Session, row: IncidentRow) -> dict:
    """Affected client services (names), the largest audience among them, and the blast radius size."""
    assets = set(session.scalars(select(IncidentSignalRow.asset_id).where(
        IncidentSignalRow.incident_id == row.id, IncidentSignalRow.asset_id.is_not(None)).distinct()))
    if row.asset_id:
        assets.add(row.asset_id)
    model = _tenant_impact(session, row.tenant_id)
    if model.graph is None:
        model.graph = nx.DiGraph(tenant_edges(session, row.tenant_id))
    radius = set(assets)
    for asset in assets:
        if asset in model.graph:
            radius |= nx.ancestors(model.graph, asset)
    hit = [model.services[a] for a in radius if a in model.services]
    return summarise(hit, len(radius), row.signal_count, row.severity)


def is_stale(row: IncidentRow) -> bool:
    """Impact was computed for fewer signals or another severity than the incident has now."""
    return stale(row.impact, row.signal_count, row.severity)


def stale(impact: dict | None, signals: int, severity: str) -> bool:
    impact = impact or {}
    return impact.get("signals") != signals or impact.get("severity") != severity


def assign_priority(session: Session, row: IncidentRow, now: float | None = None) -> bool:
    """Recompute impact and raise the priority if it grew; returns whether the priority changed."""
    now = time.time() if now is None else now
    impact = impact_of(session, row)
    fresh = not row.impact
    row.impact = impact
    target = decide(row.severity, len(impact["services"]), impact["users"], row.priority, row.priority_overridden,
                    fresh)
    changed = target != row.priority
    if changed:
        _record(session, row, target, "system", why(impact), "auto", now)
    if changed or fresh:
        refresh_timers(session, row, now)
    return changed


def set_priority(session: Session, row: IncidentRow, who: Principal, priority: str, reason: str,
                 now: float | None = None) -> bool:
    """A technician's decision: a priority that sticks, or "auto" to derive it again from impact."""
    if not reason.strip():
        raise ValidationFailed("say why the priority changes", where="message")
    if priority == "auto":
        row.impact = impact_of(session, row)
        row.priority_overridden = False
        target = derive_priority(row.severity, len(row.impact["services"]), row.impact["users"])
    elif priority in PRIORITIES:
        row.priority_overridden = True
        target = priority
    else:
        raise ValidationFailed(f"priority must be one of {', '.join(PRIORITIES)} or auto", where="priority")
    changed = target != row.priority
    now = time.time() if now is None else now
    _record(session, row, target, who.username, reason, priority if priority == "auto" else "override", now)
    if changed:
        refresh_timers(session, row, now)
    return changed


def why(impact: dict) -> str:
    """The automatic priority event's message: which services (and how many users) it touches."""
    services = impact["services"]
    if not services:
        return "no client service affected"
    users = f", {impact['users']} users" if impact["users"] else ""
    return f"affects {', '.join(services[:5])}{' …' if len(services) > 5 else ''}{users}"


def _record(session: Session, row: IncidentRow, target: str, actor: str, reason: str, source: str,
            now: float) -> None:
    old = row.priority
    row.priority = target
    add_event(session, row, "priority", actor, reason, event_data(old, target, source, row.impact), now)


def event_data(old: str, target: str, source: str, impact: dict) -> dict:
    return {"from": old, "to": target, "source": source, "impact": {k: impact.get(k) for k in ("services", "users")}}
