"""Turns domain errors and validation failures into clear responses; no stack trace reaches a user."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from forewarn.core.errors import (
    ConflictError,
    ForewarnError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)

log = logging.getLogger(__name__)
HtmlRenderer = Callable[[Request, int, str], Response]

STATUS_BY_ERROR: dict[type[ForewarnError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    PermissionDenied: 403,
    ValidationFailed: 422,
}


def error_body(message: str, where: str | None = None) -> dict:
    return {"error": message, **({"where": where} if where else {})}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI, render_html: HtmlRenderer) -> None:
    @app.exception_handler(ForewarnError)
    async def domain_error(request: Request, exc: ForewarnError) -> Response:
        status = next((code for cls, code in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
        if _wants_html(request):
            return render_html(request, status, str(exc))
        if isinstance(exc, ValidationFailed):
            return JSONResponse(error_body(exc.message, exc.where), status_code=status)
        return JSONResponse(error_body(str(exc)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        msg = "unknown field" if err.get("type") == "extra_forbidden" else err.get("msg", "invalid value")
        return JSONResponse(error_body(f"{'.'.join(loc) or 'body'}: {msg}", ".".join(loc) or "body"),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            if exc.status_code == 401:
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            return render_html(request, exc.status_code, str(exc.detail))
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal error; the server log has the details"), status_code=500)
