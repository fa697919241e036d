"""Analysis settings API: anomaly sensitivity per tenant and per series."""

from fastapi import APIRouter

from forewarn.alerting import SensitivityIn, SensitivityOut, list_sensitivity, set_sensitivity
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/analysis", tags=["analysis"])


@router.get("/sensitivity", response_model=list[SensitivityOut])
def get_levels(tenant: str, who: Who, session: SessionDep) -> list[SensitivityOut]:
    return list_sensitivity(session, who, tenant)


@router.put("/sensitivity", response_model=SensitivityOut)
def put_level(data: SensitivityIn, who: Who, session: SessionDep) -> SensitivityOut:
    """`series_id` null sets the tenant's default; a series setting wins over it. Levels: off/low/medium/high."""
    return set_sensitivity(session, who, data)
