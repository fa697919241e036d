"""Small helpers the built-in checks share: picking the target host, timing, wording errors."""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Iterator
from typing import TypeVar

from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckStatus, PluginConfig

C = TypeVar("C", bound=PluginConfig)


def no_host(what: str = "host") -> CheckOutcome:
    return CheckOutcome(CheckStatus.UNKNOWN, f"no {what} configured")


def config_as(config: PluginConfig, cls: type[C]) -> C:
    """The config narrowed to the plugin's own model; another model is a programming error."""
    if not isinstance(config, cls):
        raise TypeError(f"expected {cls.__name__}, got {type(config).__name__}")
    return config


def target_host(configured: str | None, ctx: CheckContext) -> str | None:
    """The configured host, else the asset's address; None when neither is known."""
    return configured or ctx.asset_address or None


def elapsed_ms(started: float) -> float:
    """Milliseconds since `started` (a `time.perf_counter()` value).

    Latency is a physical measurement, so it uses the monotonic counter, not `ctx.clock`, whose
    wall-clock (or simulated) time may jump.
    """
    return (time.perf_counter() - started) * 1000.0


def fmt_ms(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def cause_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every exception it was raised from, outermost first.

    Client libraries wrap socket errors; the wrapped one says what actually went wrong.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe_os_error(exc: BaseException) -> str:
    """A short phrase for a network failure: "connection refused", "cannot resolve name", …"""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to host"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def connect_failure(exc: BaseException, host: str, target: str) -> str:
    """One line for a failed connection: "connection refused to 127.0.0.1:5", "cannot resolve x"."""
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {host}"
    return f"{describe_os_error(exc)} to {target}"


def http_url(url: str | None) -> str | None:
    """Validator body shared by URL-taking configs: only http and https targets."""
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise ValueError("url must start with http:// or https://")
    return url


def absolute_path(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError("path must start with '/'")
    return path


def compose_url(url: str | None, scheme: str, address: str | None, port: int | None, path: str) -> str | None:
    """The configured URL, else one built on the asset's address (IPv6 in brackets); None without either."""
    if url:
        return url
    if not address:
        return None
    host = f"[{address}]" if ":" in address else address
    return f"{scheme}://{host}{f':{port}' if port else ''}{path}"
