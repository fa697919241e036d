"""The Prometheus check: scrape an exposition endpoint, keep selected series, report counters as rates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from forewarn.integrations.common import config_as, no_host
from forewarn.integrations.prometheus.config import PrometheusConfig
from forewarn.integrations.prometheus.exposition import MalformedExposition, Selector, read_exposition
from forewarn.integrations.prometheus.rates import CounterMemory
from forewarn.integrations.prometheus.result import bad_status, evaluate, failure, malformed
from forewarn.integrations.prometheus.scrape import (
    OPENMETRICS_ACCEPT,
    TEXT_ACCEPT,
    Scrape,
    ScrapeTooLarge,
    fetch_metrics,
)
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, PluginConfig

TransportFactory = Callable[[], httpx.AsyncBaseTransport]


class PrometheusCheck(CheckPlugin):
    kind = "prometheus"
    title = "Prometheus scrape"
    Config = PrometheusConfig

    def __init__(self, transport: TransportFactory | None = None) -> None:
        # Seam for the simulator and unusual tests; the default is httpx's real network transport.
        self._transport = transport
        self._counters = CounterMemory()  # the registry keeps one instance, so rates span runs

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, PrometheusConfig)
        url = cfg.target_url(ctx.asset_address)
        if url is None:
            return no_host("url or host")
        try:
            scrape = await self._scrape(cfg, url, ctx.timeout)
        except (httpx.HTTPError, OSError, TimeoutError, ScrapeTooLarge) as exc:
            return failure(exc, url, ctx.timeout)
        except httpx.InvalidURL as exc:
            return malformed(url, f"invalid url: {exc}")
        if not 200 <= scrape.status < 300:
            return bad_status(scrape, url)
        now = ctx.clock.now()
        selector = Selector(cfg.include, cfg.exclude, cfg.match_labels, cfg.max_series)
        text = scrape.body.decode("utf-8", errors="replace")
        try:
            # a 10 MB exposition takes seconds to parse: keep the event loop free meanwhile
            exposition = await asyncio.to_thread(read_exposition, text, selector, scrape.openmetrics)
        except MalformedExposition as exc:
            return malformed(url, str(exc))
        counters = [s for s in exposition.series if s.kind == "counter"]
        rates = self._counters.advance(f"{url} {cfg.model_dump_json()}", counters, now)
        return evaluate(scrape, exposition, rates, url, selector)

    async def _scrape(self, cfg: PrometheusConfig, url: str, timeout: float) -> Scrape:
        headers = {"Accept": OPENMETRICS_ACCEPT if cfg.prefer_openmetrics else TEXT_ACCEPT}
        if cfg.bearer_token:
            headers["Authorization"] = f"Bearer {cfg.bearer_token}"
        async with asyncio.timeout(timeout), httpx.AsyncClient(
            verify=cfg.verify_tls, timeout=httpx.Timeout(timeout),
            trust_env=False,  # only Settings reads the environment (STYLE 9)
            transport=self._transport() if self._transport else None,
        ) as client:
            return await fetch_metrics(client, url, headers, cfg.max_scrape_bytes)
