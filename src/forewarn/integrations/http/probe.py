"""The outside effect of the HTTP check: one request with httpx, body read up to a limit."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from forewarn.integrations.common import elapsed_ms


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """The final response of a request (after any redirects that were followed)."""

    status: int
    reason: str
    elapsed_ms: float  # request sent → body read
    body: bytes  # the first max_body bytes
    body_bytes: int
    url: str
    redirects: int = 0
    location: str | None = None


async def fetch(
    client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], max_body: int
) -> HttpExchange:
    """Send one request and read the body, stopping after `max_body` bytes.

    Raises httpx.HTTPError subclasses for transport problems (refused, TLS, timeout, redirects).
    """
    started = time.perf_counter()
    async with client.stream(method, url, headers=headers) as response:
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= max_body:
                break  # a monitoring probe must not download a whole ISO image
        took = elapsed_ms(started)
    return HttpExchange(
        status=response.status_code,
        reason=response.reason_phrase,
        elapsed_ms=took,
        body=bytes(body[:max_body]),
        body_bytes=len(body),
        url=str(response.url),
        redirects=len(response.history),
        location=response.headers.get("location"),
    )
