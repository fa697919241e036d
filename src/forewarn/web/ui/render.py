"""Jinja2 set-up for the UI: templates, filters and the error page."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _ts(value: float | None) -> str:
    if value is None:
        return "—"
    return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _ago(value: float | None) -> str:
    if value is None:
        return "never"
    delta = max(0, time.time() - value)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if delta >= size:
            return f"{delta / size:.0f} {unit} ago"
    return f"{delta:.0f} s ago"


templates.env.filters["ts"] = _ts
templates.env.filters["ago"] = _ago


def render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    context.setdefault("who", getattr(request.state, "who", None))
    context["csrf"] = request.session.get("csrf", "")
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_error(request: Request, status_code: int, message: str) -> Response:
    return render(request, "error.html", status_code=status_code, message=message, status=status_code)
