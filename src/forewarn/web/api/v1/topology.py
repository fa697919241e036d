"""Topology API: a tenant's dependency graph as Cytoscape elements, optionally marking an incident."""

from fastapi import APIRouter

from forewarn.web.deps import SessionDep, Who
from forewarn.web.topology import topology

router = APIRouter(tags=["topology"])


@router.get("/topology")
def get_topology(tenant: str, who: Who, session: SessionDep, incident: str | None = None) -> dict:
    return topology(session, who, tenant, incident)
