"""Pure evaluation of an HTTP exchange (or the error that prevented one) into an outcome."""

from __future__ import annotations

import socket
import ssl

import httpx

from forewarn.integrations.common import cause_chain, fmt_ms, fmt_seconds
from forewarn.integrations.http.config import parse_status_ranges
from forewarn.integrations.http.probe import HttpExchange
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint


def evaluate(exchange: HttpExchange, expected_status: str, expect_text: str | None) -> CheckOutcome:
    """OK when the status is accepted and the body holds `expect_text` (if set).

    For example `HttpExchange(200, "OK", 12.0, b"hello", 5, "http://127.0.0.1:8081/")` with the
    default "200-399" gives OK "HTTP 200 OK in 12 ms".
    """
    metrics = [
        MetricPoint("response_ms", exchange.elapsed_ms, "ms"),
        MetricPoint("status_code", float(exchange.status)),
        MetricPoint("body_bytes", float(exchange.body_bytes), "B"),
    ]
    line = f"HTTP {exchange.status} {exchange.reason}".rstrip() + f" in {fmt_ms(exchange.elapsed_ms)}"
    if exchange.redirects:
        line += f" after {exchange.redirects} redirect(s) to {exchange.url}"
    elif exchange.location and 300 <= exchange.status < 400:
        line += f" (redirect to {exchange.location}, not followed)"
    if not any(low <= exchange.status <= high for low, high in parse_status_ranges(expected_status)):
        return CheckOutcome(CheckStatus.CRITICAL, f"{line}; expected {expected_status}", metrics)
    if expect_text is not None and expect_text not in exchange.body.decode("utf-8", errors="replace"):
        return CheckOutcome(
            CheckStatus.CRITICAL, f"{line}; expected text {expect_text!r} not found in the body", metrics
        )
    return CheckOutcome(CheckStatus.OK, line, metrics)


def failure(exc: BaseException, url: str, timeout: float, max_redirects: int) -> CheckOutcome:
    """The outcome when no final response arrived; the innermost cause decides the wording."""
    return CheckOutcome(CheckStatus.CRITICAL, _describe(exc, url, timeout, max_redirects))


def _describe(exc: BaseException, url: str, timeout: float, max_redirects: int) -> str:
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {max_redirects} redirects starting at {url}"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return f"no response from {url} within {fmt_seconds(timeout)}"
    for cause in cause_chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate of {url} not accepted: {cause.verify_message}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused to {url}"
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve the host of {url}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake with {url} failed: {cause.reason or cause}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"invalid HTTP response from {url}: {exc}"
    return f"request to {url} failed: {exc or type(exc).__name__}"
