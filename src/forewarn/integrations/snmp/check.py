"""The SNMP check: read the enabled sections from a v2c/v3 agent and report status and metrics."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

from forewarn.integrations.common import config_as, fmt_seconds, no_host, target_host
from forewarn.integrations.snmp.collect import Collected, Collector
from forewarn.integrations.snmp.config import SnmpConfig
from forewarn.integrations.snmp.host_resources import (
    parse_processors,
    parse_storage,
    processor_report,
    storage_report,
)
from forewarn.integrations.snmp.interfaces import counter_readings, interface_report, parse_interfaces, select
from forewarn.integrations.snmp.rates import CounterRates
from forewarn.integrations.snmp.report import STATUS_BY_NAME, SectionReport, combine
from forewarn.integrations.snmp.system import SystemInfo, parse_system, system_report
from forewarn.integrations.snmp.transport import EnginePool, PysnmpTransport, SnmpError, SnmpTransport
from forewarn.integrations.snmp.ups import UpsLimits, parse_ups, ups_report
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig

#: Opens a transport to (config, host) with the given per-try timeout: the seam tests replace.
TransportFactory = Callable[[SnmpConfig, str, float], Awaitable[SnmpTransport]]


class SnmpCheck(CheckPlugin):
    """Keeps the last interface counters per agent, so each run after the first reports rates."""

    kind = "snmp"
    title = "SNMP device"
    Config = SnmpConfig

    def __init__(self, open_transport: TransportFactory | None = None) -> None:
        self._engines = EnginePool()
        self._open = open_transport or self._open_pysnmp
        self._rates = CounterRates()

    async def _open_pysnmp(self, cfg: SnmpConfig, host: str, timeout: float) -> SnmpTransport:
        return await PysnmpTransport.open(cfg, host, timeout, self._engines.engine_for(cfg))

    def close(self) -> None:
        """Release the UDP sockets of the engines kept between runs."""
        self._engines.close()

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, SnmpConfig)
        host = target_host(cfg.host, ctx)
        if host is None:
            return no_host()
        target = f"[{host}]:{cfg.port}" if ":" in host else f"{host}:{cfg.port}"
        # By default the tries share 90% of the check's time, so a silent agent is reported as such
        # rather than cut off by the overall deadline.
        per_try = cfg.timeout or 0.9 * ctx.timeout / (cfg.retries + 1)
        collector: Collector | None = None
        try:
            async with asyncio.timeout(ctx.timeout):
                transport = await self._open(cfg, host, per_try)
                try:
                    collector = Collector(transport, cfg)
                    collected = await collector.collect()
                finally:
                    transport.close()
        except SnmpError as exc:
            stage = collector.stage if collector else "the agent"
            return failure(exc, cfg, target, per_try, stage)
        except TimeoutError:
            stage = collector.stage if collector else "the agent"
            return CheckOutcome(
                CheckStatus.CRITICAL,
                f"{target} did not finish answering within {fmt_seconds(ctx.timeout)} (reading {stage})",
            )
        walks = [w for w in (collected.interfaces, collected.storage, collected.processors) if w is not None]
        ctx.log.debug("snmp poll target=%s sections=%s bulk_requests=%d", target, ",".join(cfg.sections),
                      sum(w.requests for w in walks))
        return self._evaluate(collected, cfg, _agent_key(cfg, target), ctx.clock.now())

    def _evaluate(self, collected: Collected, cfg: SnmpConfig, target: str, now: float) -> CheckOutcome:
        system = parse_system(collected.system)
        reports = [system_report(system)] if "system" in cfg.sections else [_system_problems(system)]
        if collected.interfaces is not None:
            table = parse_interfaces(collected.interfaces.varbinds, collected.interfaces.truncated)
            chosen = select(table, cfg.interfaces)
            rates = self._rates.update(target, now, system.uptime_ticks, counter_readings(chosen))
            down = STATUS_BY_NAME[cfg.oper_down_status]
            reports.append(interface_report(table, chosen, rates, cfg.interfaces, down))
        if collected.storage is not None:
            storage = parse_storage(collected.storage.varbinds, collected.storage.truncated)
            reports.append(storage_report(storage, cfg.storage_warn_percent, cfg.storage_crit_percent))
        if collected.processors is not None:
            reports.append(processor_report(parse_processors(collected.processors.varbinds)))
        if collected.ups is not None:
            limits = UpsLimits(STATUS_BY_NAME[cfg.ups_on_battery_status], cfg.ups_min_runtime_minutes,
                               cfg.ups_min_charge_percent)
            reports.append(ups_report(parse_ups(collected.ups), limits))
        return combine(reports)


def _agent_key(cfg: SnmpConfig, target: str) -> str:
    """Which counters belong together: one agent, seen through one community or user and context.

    A community can select a different device or VLAN behind the same address (snmpsim, Cisco's
    community@vlan), so it is part of the key, hashed so that no secret sits in memory as a key.
    """
    who = cfg.community if cfg.version == "2c" else cfg.username
    digest = hashlib.sha256((who or "").encode()).hexdigest()[:12]
    return f"{target}/{cfg.context}#{digest}"


def _system_problems(system: SystemInfo) -> SectionReport:
    """With the system section off, its values only feed the rates; a malformed one still shows."""
    report = SectionReport()
    report.problems("system group", list(system.problems))
    return report


def failure(exc: SnmpError, cfg: SnmpConfig, target: str, per_try: float, stage: str) -> CheckOutcome:
    """One line for a run that got no usable answer: CRITICAL when silent, UNKNOWN when refused."""
    who = f"SNMPv3 user {cfg.username!r} at {target}" if cfg.version == "3" else target
    if exc.kind == "timeout":
        tries = cfg.retries + 1
        hint = "the community" if cfg.version == "2c" else "the user's keys"
        return CheckOutcome(
            CheckStatus.CRITICAL,
            f"no SNMP response from {target} reading {stage} within {fmt_seconds(per_try)} × {tries} "
            f"tr{'y' if tries == 1 else 'ies'}; is the agent up, and {hint} right?",
        )
    if exc.kind == "auth":
        return CheckOutcome(CheckStatus.UNKNOWN, f"{who}: {exc}")
    if exc.kind == "address":
        return CheckOutcome(CheckStatus.UNKNOWN, str(exc))
    if exc.kind == "malformed":
        return CheckOutcome(CheckStatus.UNKNOWN, f"malformed answer from {target} reading {stage}: {exc}")
    return CheckOutcome(CheckStatus.UNKNOWN, f"{target} reading {stage}: {exc}")
