"""The FastAPI app factory: API, UI, middleware, and the platform's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from forewarn import __version__
from forewarn.auth import LoginRateLimiter
from forewarn.runtime import Platform
from forewarn.runtime.keys import persistent_key
from forewarn.settings import Settings
from forewarn.web.api.v1 import comparison as comparison_api
from forewarn.web.api.v1.router import api_router
from forewarn.web.errors import install_error_handlers
from forewarn.web.middleware import BodySizeLimit, SecurityHeaders
from forewarn.web.ui.comparison_views import router as comparison_ui_router
from forewarn.web.ui.oncall_views import router as oncall_ui_router
from forewarn.web.ui.render import render_error
from forewarn.web.ui.runbook_views import router as runbook_ui_router
from forewarn.web.ui.views import router as ui_router

STATIC_DIR = Path(__file__).parent / "ui" / "static"


def secret_key(settings: Settings) -> str:
    """Signs session cookies: the configured key, else one generated once and kept in the data dir."""
    return persistent_key(settings, "secret_key", settings.secret_key)


def create_app(settings: Settings, platform: Platform | None = None, run_checks: bool = True,
               run_agent: bool = True) -> FastAPI:
    owned = platform is None
    platform = platform or Platform(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.start(checks=run_checks, agent=run_agent)
        try:
            yield
        finally:
            if owned:
                await platform.stop()

    app = FastAPI(title="forewarn", version=__version__, lifespan=lifespan, docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)
    app.state.platform = platform
    app.state.login_limiter = LoginRateLimiter(settings.login_attempts_per_minute)
    app.add_middleware(SessionMiddleware, secret_key=secret_key(settings), session_cookie="forewarn_session",
                       same_site="lax", https_only=False, max_age=14 * 24 * 3600)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app, render_error)
    app.include_router(api_router)
    app.include_router(ui_router)
    app.include_router(runbook_ui_router)
    app.include_router(oncall_ui_router)
    app.include_router(comparison_api.router, prefix="/api/v1")
    app.include_router(comparison_ui_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
