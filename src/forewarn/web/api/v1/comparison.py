"""Comparison API: a tenant's last stored break-fix vs managed run, and starting a new one in the background."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from forewarn.runtime.comparison_run import start_comparison
from forewarn.simulation.store import RUNNING, RunOut, latest_run
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/tenants", tags=["comparison"])


class ComparisonOut(BaseModel):
    run: RunOut | None  # the newest finished run, with its comparison document in `result`
    running: RunOut | None  # a run in progress, with its `progress` (0…1)


@router.get("/{ref}/comparison", response_model=ComparisonOut)
def get_comparison(ref: str, who: Who, session: SessionDep) -> ComparisonOut:
    return ComparisonOut(run=latest_run(session, who, ref), running=latest_run(session, who, ref, status=RUNNING))


@router.post("/{ref}/comparison/runs", response_model=RunOut, status_code=202)
def run_comparison(ref: str, who: Who, platform: PlatformDep) -> RunOut:
    """Run the tenant's scenario (its last run's, or the dental one for Demo Dental); poll GET for progress."""
    return start_comparison(platform.db, who, ref)
