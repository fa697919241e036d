"""The HTTP step: one request through httpx (transport injectable), parameters URL-quoted, body bounded."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from forewarn.remediation.document import HttpStep
from forewarn.remediation.enums import StepStatus
from forewarn.remediation.steps.base import Plan, StepContext, StepError, StepOutcome
from forewarn.remediation.steps.process import TRUNCATED
from forewarn.remediation.templates import TemplateError, render


def _quoted(value: str) -> str:
    # A parameter is one URL component: "/", "?", "#" and "&" inside it cannot change the URL's shape.
    return quote(value, safe="")


def _body(value: Any, ctx: StepContext) -> Any:
    if isinstance(value, str):
        return render(value, ctx.params, ctx.secret_values())
    if isinstance(value, dict):
        return {k: _body(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_body(v, ctx) for v in value]
    return value


def plan_http(step: HttpStep, ctx: StepContext) -> Plan:
    try:
        url = render(step.url, ctx.params, quote=_quoted)
        headers = {k: render(v, ctx.params, ctx.secret_values()) for k, v in step.headers.items()}
        body = _body(step.json_body, ctx)
    except TemplateError as exc:
        raise StepError(str(exc)) from None
    if any("\r" in v or "\n" in v for v in headers.values()):
        raise StepError("a header value contains a line break")

    async def action() -> StepOutcome:
        async with httpx.AsyncClient(transport=ctx.config.http_transport, timeout=step.timeout,
                                     follow_redirects=False) as client:
            kwargs: dict[str, Any] = {"headers": headers}
            if step.json_body is not None:
                kwargs["json"] = body
            async with client.stream(step.method, url, **kwargs) as response:
                text = await _read(response, ctx.config.max_output_bytes)
        ok = response.status_code in step.expect_status if step.expect_status else response.is_success
        return StepOutcome(StepStatus.OK if ok else StepStatus.FAILED, response.status_code, text, "",
                           "" if ok else f"HTTP {response.status_code}")

    return Plan("http", [step.method, url], action)


async def _read(response: httpx.Response, limit: int) -> str:
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk[: limit - len(kept)]
        if len(kept) >= limit:
            return kept.decode("utf-8", "replace") + TRUNCATED
    return kept.decode("utf-8", "replace")
