"""The ping check: ICMP echo, or TCP connects when ICMP is not permitted or not wanted."""

from __future__ import annotations

import asyncio

from forewarn.integrations.common import config_as, fmt_seconds, no_host, target_host
from forewarn.integrations.ping.config import PingConfig
from forewarn.integrations.ping.probe import (
    EchoRun,
    HostNotFound,
    IcmpNotPermitted,
    IcmpProbe,
    TcpProbe,
    icmp_echo,
    tcp_echo,
)
from forewarn.integrations.ping.result import evaluate
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig

FALLBACK_WARNING = "ICMP not permitted here, measured with TCP connects instead"


class PingCheck(CheckPlugin):
    kind = "ping"
    title = "Ping (ICMP echo)"
    Config = PingConfig

    def __init__(self, icmp: IcmpProbe = icmp_echo, tcp: TcpProbe = tcp_echo) -> None:
        # The probes are seams: tests force the "ICMP not permitted" path with an icmp probe
        # that raises IcmpNotPermitted; the simulator can replace both.
        self._icmp = icmp
        self._tcp = tcp

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, PingConfig)
        host = target_host(cfg.host, ctx)
        if host is None:
            return no_host()
        # Each reply wait is shortened so that a run with every echo lost still ends in time.
        spare = ctx.timeout - (cfg.count - 1) * cfg.interval
        wait = min(cfg.packet_timeout, spare / cfg.count)
        if wait <= 0:
            return CheckOutcome(
                CheckStatus.UNKNOWN,
                f"{cfg.count} probes {cfg.interval:g} s apart do not fit in the "
                f"{fmt_seconds(ctx.timeout)} timeout; lower count or interval",
            )
        try:
            # The waits above already fit the timeout; this is the backstop for slow name lookups.
            async with asyncio.timeout(ctx.timeout):
                return await self._probe(cfg, ctx, host, wait)
        except HostNotFound:
            return CheckOutcome(CheckStatus.CRITICAL, f"cannot resolve {host}")
        except TimeoutError:
            return CheckOutcome(
                CheckStatus.CRITICAL, f"{host}: no complete answer within {fmt_seconds(ctx.timeout)}"
            )

    async def _probe(self, cfg: PingConfig, ctx: CheckContext, host: str, wait: float) -> CheckOutcome:
        if cfg.method == "tcp":
            return evaluate(await self._tcp_run(cfg, host, wait), host)
        try:
            run = await self._icmp(host, cfg.count, cfg.interval, wait, ctx.privileged)
        except IcmpNotPermitted as exc:
            if cfg.method == "icmp":
                return CheckOutcome(
                    CheckStatus.UNKNOWN,
                    "ICMP not permitted: run as root (privileged) or allow unprivileged ICMP "
                    "with sysctl net.ipv4.ping_group_range",
                )
            ctx.log.warning(
                "ping %s: ICMP not permitted (%s); falling back to TCP connects on ports %s",
                host, exc, ",".join(map(str, cfg.fallback_ports)),
                extra={"check_kind": "ping", "host": host},
            )
            return evaluate(await self._tcp_run(cfg, host, wait), host, FALLBACK_WARNING)
        return evaluate(run, host)

    async def _tcp_run(self, cfg: PingConfig, host: str, wait: float) -> EchoRun:
        return await self._tcp(host, cfg.fallback_ports, cfg.count, cfg.interval, wait)
