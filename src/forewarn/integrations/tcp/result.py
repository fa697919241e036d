"""Pure evaluation of a TCP exchange (or its failure) into an outcome."""

from __future__ import annotations

from forewarn.integrations.common import connect_failure, fmt_ms, fmt_seconds
from forewarn.integrations.tcp.probe import TcpExchange
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint

_ENDED = {
    "closed": "the server closed the connection",
    "timeout": "nothing more arrived within the timeout",
    "limit": "the read limit was reached",
}


def evaluate(exchange: TcpExchange, target: str, expect: str | None) -> CheckOutcome:
    """OK when connected and, if `expect` is set, the received bytes contain it.

    For example `TcpExchange(0.3, b"SSH-2.0-OpenSSH_9.6\\r\\n", "satisfied")` with expect "SSH-"
    gives OK "connected to 127.0.0.1:22 in 0.3 ms, got 'SSH-'".
    """
    metrics = [MetricPoint("connect_ms", exchange.connect_ms, "ms")]
    connected = f"connected to {target} in {fmt_ms(exchange.connect_ms)}"
    if expect is None:
        return CheckOutcome(CheckStatus.OK, connected, metrics)
    if expect.encode() in exchange.received:
        return CheckOutcome(CheckStatus.OK, f"{connected}, got {expect!r}", metrics)
    why = _ENDED.get(exchange.ended, "")
    got = _preview(exchange.received)
    summary = f"{connected} but {expect!r} was not received ({why}); got {got}"
    return CheckOutcome(CheckStatus.CRITICAL, summary, metrics)


def failure(exc: BaseException, host: str, target: str, timeout: float) -> CheckOutcome:
    """The outcome when the connection itself failed."""
    if isinstance(exc, TimeoutError):
        return CheckOutcome(
            CheckStatus.CRITICAL, f"no connection to {target} within {fmt_seconds(timeout)}"
        )
    return CheckOutcome(CheckStatus.CRITICAL, connect_failure(exc, host, target))


def _preview(data: bytes, limit: int = 60) -> str:
    if not data:
        return "nothing"
    text = data[:limit].decode("utf-8", errors="replace")
    return repr(text) + ("…" if len(data) > limit else "")
