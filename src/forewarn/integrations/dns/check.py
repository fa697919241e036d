"""The DNS check: resolve a name against a nameserver and compare the answers."""

from __future__ import annotations

import dns.exception
import dns.resolver

from forewarn.integrations.common import config_as, fmt_seconds, no_host, target_host
from forewarn.integrations.dns.config import DnsConfig
from forewarn.integrations.dns.probe import lookup, make_resolver
from forewarn.integrations.dns.result import evaluate
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig


class DnsCheck(CheckPlugin):
    kind = "dns"
    title = "DNS resolution"
    Config = DnsConfig

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, DnsConfig)
        name = target_host(cfg.name, ctx)
        if name is None:
            return no_host("name")
        server = f"{cfg.nameserver}:{cfg.port}" if cfg.nameserver else "the system resolver"
        try:
            resolver = make_resolver(cfg.nameserver, cfg.port, ctx.timeout)
            result = await lookup(resolver, name, cfg.record_type)
        except dns.resolver.NoResolverConfiguration:
            return CheckOutcome(CheckStatus.UNKNOWN, "no nameserver configured on this system; set nameserver")
        except dns.resolver.NXDOMAIN:
            return CheckOutcome(CheckStatus.CRITICAL, f"{name} does not exist (NXDOMAIN from {server})")
        except dns.resolver.NoAnswer:
            return CheckOutcome(CheckStatus.CRITICAL, f"{name} has no {cfg.record_type} records ({server})")
        except dns.exception.Timeout:
            return CheckOutcome(
                CheckStatus.CRITICAL, f"no DNS answer for {name} from {server} within {fmt_seconds(ctx.timeout)}"
            )
        except dns.resolver.NoNameservers as exc:
            return CheckOutcome(CheckStatus.CRITICAL, f"{server} failed to answer for {name}: {exc}")
        except dns.exception.DNSException as exc:
            return CheckOutcome(CheckStatus.UNKNOWN, f"DNS lookup of {name} failed: {exc}")
        return evaluate(result, name, cfg.record_type, cfg.expect, cfg.expect_mode)
