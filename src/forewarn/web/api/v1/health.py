"""Health endpoint: is the platform up, and are its database and series store answering."""

from fastapi import APIRouter
from sqlalchemy import text

from forewarn import __version__
from forewarn.web.deps import PlatformDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep, platform: PlatformDep) -> dict:
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": platform.db.engine.dialect.name,
            "checks_scheduled": platform.scheduler.running}
