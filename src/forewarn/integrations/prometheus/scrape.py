"""The outside effect of the Prometheus check: one bounded GET of the metrics endpoint."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from forewarn.integrations.common import elapsed_ms

TEXT_ACCEPT = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1"
OPENMETRICS_ACCEPT = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


class ScrapeTooLarge(Exception):
    """The endpoint sent (or announced) more than the configured bound."""

    def __init__(self, limit: int, announced: int | None = None) -> None:
        super().__init__(limit, announced)
        self.limit = limit
        self.announced = announced


@dataclass(frozen=True, slots=True)
class Scrape:
    """One answer of the endpoint: status, content type, the body, and how long it took."""

    status: int
    content_type: str
    body: bytes
    elapsed_ms: float

    @property
    def openmetrics(self) -> bool:
        return self.content_type.lower().startswith("application/openmetrics-text")


async def fetch_metrics(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> Scrape:
    """GET `url`, reading at most `max_bytes` of (decompressed) body; beyond that raise ScrapeTooLarge.

    The body is streamed, so a huge or endless answer costs at most `max_bytes` of memory.
    Transport problems raise httpx.HTTPError subclasses.
    """
    started = time.perf_counter()
    async with client.stream("GET", url, headers=headers) as response:
        announced = _content_length(response)
        if announced is not None and announced > max_bytes and "content-encoding" not in response.headers:
            raise ScrapeTooLarge(max_bytes, announced)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise ScrapeTooLarge(max_bytes)
        took = elapsed_ms(started)
    return Scrape(response.status_code, response.headers.get("content-type", ""), bytes(body), took)


def _content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None
