"""Who am I: the calling account, its role and tenant."""

from fastapi import APIRouter

from forewarn.web.deps import Who

router = APIRouter(tags=["auth"])


@router.get("/me")
def me(who: Who) -> dict:
    return {"username": who.username, "role": who.role.value, "tenant_id": who.tenant_id}
