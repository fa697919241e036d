"""The HTTP check: fetch a URL and judge status, body text and latency."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable

import httpx

from forewarn.integrations.common import config_as, no_host
from forewarn.integrations.http.config import HttpConfig
from forewarn.integrations.http.probe import fetch
from forewarn.integrations.http.result import evaluate, failure
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig

TransportFactory = Callable[[], httpx.AsyncBaseTransport]


class HttpCheck(CheckPlugin):
    kind = "http"
    title = "HTTP(S) request"
    Config = HttpConfig

    def __init__(self, transport: TransportFactory | None = None) -> None:
        # Seam for the simulator and unusual tests; the default is httpx's real network transport.
        self._transport = transport

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, HttpConfig)
        url = cfg.target_url(ctx.asset_address)
        if url is None:
            return no_host("url or host")
        try:
            verify = _verify(cfg)
        except (OSError, ssl.SSLError) as exc:
            return CheckOutcome(CheckStatus.UNKNOWN, f"cannot load ca_file {cfg.ca_file}: {exc}")
        headers = {**cfg.headers, **(cfg.secret_headers or {})}
        auth = httpx.BasicAuth(cfg.username, cfg.password or "") if cfg.username else None
        try:
            # httpx's timeout bounds each read; this bounds the whole exchange, redirects included.
            async with asyncio.timeout(ctx.timeout), httpx.AsyncClient(
                verify=verify, auth=auth, timeout=httpx.Timeout(ctx.timeout),
                trust_env=False,  # only Settings reads the environment (STYLE 9): no silent env proxies
                follow_redirects=cfg.follow_redirects, max_redirects=cfg.max_redirects,
                transport=self._transport() if self._transport else None,
            ) as client:
                exchange = await fetch(client, cfg.method, url, headers, cfg.max_body_bytes)
        except (httpx.HTTPError, OSError, TimeoutError) as exc:
            return failure(exc, url, ctx.timeout, cfg.max_redirects)
        except httpx.InvalidURL as exc:
            return CheckOutcome(CheckStatus.UNKNOWN, f"invalid url {url!r}: {exc}")
        return evaluate(exchange, cfg.expected_status, cfg.expect_text)


def _verify(cfg: HttpConfig) -> ssl.SSLContext | bool:
    """The system trust store (like the tls check) or the configured CA file; False skips checks."""
    if not cfg.verify_tls:
        return False
    return ssl.create_default_context(cafile=cfg.ca_file)
