"""The TCP check: connect to host:port, optionally send a line and expect a banner or reply."""

from __future__ import annotations

from forewarn.integrations.common import config_as, no_host, target_host
from forewarn.integrations.tcp.config import TcpConfig
from forewarn.integrations.tcp.probe import converse
from forewarn.integrations.tcp.result import evaluate, failure
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, PluginConfig


class TcpCheck(CheckPlugin):
    kind = "tcp"
    title = "TCP port"
    Config = TcpConfig

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, TcpConfig)
        host = target_host(cfg.host, ctx)
        if host is None:
            return no_host()
        target = f"[{host}]:{cfg.port}" if ":" in host else f"{host}:{cfg.port}"
        expect = cfg.expect.encode() if cfg.expect is not None else None
        try:
            exchange = await converse(
                host, cfg.port, ctx.timeout,
                send=cfg.send.encode() if cfg.send else None,
                satisfied=(lambda data: expect in data) if expect is not None else None,
                max_bytes=cfg.max_bytes,
            )
        except (OSError, TimeoutError) as exc:
            return failure(exc, host, target, ctx.timeout)
        return evaluate(exchange, target, cfg.expect)
