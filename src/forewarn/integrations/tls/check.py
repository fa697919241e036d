"""The TLS check: is the certificate trusted, valid for the name, and how long until it expires."""

from __future__ import annotations

import ssl

from forewarn.integrations.common import config_as, connect_failure, fmt_seconds, no_host, target_host
from forewarn.integrations.tls.config import TlsConfig
from forewarn.integrations.tls.probe import handshake, trust_context
from forewarn.integrations.tls.result import evaluate, parse_certificate
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckPlugin, CheckStatus, PluginConfig


class TlsCheck(CheckPlugin):
    kind = "tls"
    title = "TLS certificate"
    Config = TlsConfig

    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        cfg = config_as(config, TlsConfig)
        host = target_host(cfg.host, ctx)
        if host is None:
            return no_host()
        server_name = cfg.server_name or host
        target = f"[{host}]:{cfg.port}" if ":" in host else f"{host}:{cfg.port}"
        try:
            trust = trust_context(cfg.ca_file)
        except (OSError, ssl.SSLError) as exc:
            return CheckOutcome(CheckStatus.UNKNOWN, f"cannot load ca_file {cfg.ca_file}: {exc}")
        try:
            shake = await handshake(host, cfg.port, server_name, trust, ctx.timeout)
        except TimeoutError:
            return CheckOutcome(
                CheckStatus.CRITICAL, f"no TLS handshake with {target} within {fmt_seconds(ctx.timeout)}"
            )
        except ssl.SSLError as exc:
            return CheckOutcome(CheckStatus.CRITICAL, f"TLS handshake with {target} failed: {exc.reason or exc}")
        except OSError as exc:
            return CheckOutcome(CheckStatus.CRITICAL, connect_failure(exc, host, target))
        try:
            info = parse_certificate(shake.der)
        except ValueError as exc:
            return CheckOutcome(CheckStatus.UNKNOWN, f"unreadable certificate from {target}: {exc}")
        return evaluate(info, shake, ctx.clock.now(), server_name, cfg.warn_days, cfg.crit_days)
