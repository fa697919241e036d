"""TCP check against loopback listeners: connect, refused, banners, send/expect, timeouts."""

from __future__ import annotations

import socket

import pytest
from pydantic import ValidationError

from forewarn.integrations.common import connect_failure
from forewarn.integrations.tcp import TcpCheck, TcpConfig
from forewarn.integrations.tcp.probe import TcpExchange
from forewarn.integrations.tcp.result import evaluate
from forewarn.plugins.v1 import CheckStatus

TIMEOUT = 0.5  # seconds: short keeps the timeout cases fast, still ample on loopback


async def test_open_port_is_ok_with_connect_time(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server()

    outcome = await TcpCheck().run(TcpConfig(host="127.0.0.1", port=listener.port), make_ctx())

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith(f"connected to 127.0.0.1:{listener.port} in ")
    assert [m.name for m in outcome.metrics] == ["connect_ms"]
    assert outcome.metrics[0].value > 0


async def test_asset_address_is_the_default_host(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server()

    outcome = await TcpCheck().run(TcpConfig(port=listener.port), make_ctx(asset_address="127.0.0.1"))

    assert outcome.status is CheckStatus.OK


async def test_closed_port_is_critical_connection_refused(make_ctx, closed_port) -> None:
    outcome = await TcpCheck().run(TcpConfig(host="127.0.0.1", port=closed_port), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"connection refused to 127.0.0.1:{closed_port}"
    assert outcome.metrics == []


async def test_expected_banner_is_ok(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server(banner="SSH-2.0-OpenSSH_9.6\r\n")

    outcome = await TcpCheck().run(
        TcpConfig(host="127.0.0.1", port=listener.port, expect="SSH-2.0"), make_ctx()
    )

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.endswith("got 'SSH-2.0'")


async def test_wrong_banner_is_critical_and_shows_what_came(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server(banner="220 mail.example.test ESMTP\r\n")

    outcome = await TcpCheck().run(
        TcpConfig(host="127.0.0.1", port=listener.port, expect="SSH-"), make_ctx(timeout=TIMEOUT)
    )

    assert outcome.status is CheckStatus.CRITICAL
    assert "'SSH-' was not received" in outcome.summary
    assert "got '220 mail.example.test ESMTP\\r\\n'" in outcome.summary


async def test_silent_server_times_out_waiting_for_the_banner(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server()

    outcome = await TcpCheck().run(
        TcpConfig(host="127.0.0.1", port=listener.port, expect="+OK"), make_ctx(timeout=TIMEOUT)
    )

    assert outcome.status is CheckStatus.CRITICAL
    assert "'+OK' was not received (nothing more arrived within the timeout); got nothing" in outcome.summary
    assert [m.name for m in outcome.metrics] == ["connect_ms"]  # the connect itself worked


async def test_send_then_expect_the_reply(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server(reply="+PONG\r\n")

    outcome = await TcpCheck().run(
        TcpConfig(host="127.0.0.1", port=listener.port, send="PING\r\n", expect="+PONG"), make_ctx()
    )

    assert outcome.status is CheckStatus.OK
    assert listener.received == [b"PING\r\n"]


async def test_server_stopped_then_restarted_on_the_same_port(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server()
    config = TcpConfig(host="127.0.0.1", port=listener.port)

    listener.stop()
    down = await TcpCheck().run(config, make_ctx())
    listener.start()
    up = await TcpCheck().run(config, make_ctx())

    assert (down.status, up.status) == (CheckStatus.CRITICAL, CheckStatus.OK)


async def test_no_host_is_unknown(make_ctx) -> None:
    outcome = await TcpCheck().run(TcpConfig(port=22), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.UNKNOWN, "no host configured")


def test_evaluate_docstring_example() -> None:
    exchange = TcpExchange(0.3, b"SSH-2.0-OpenSSH_9.6\r\n", "satisfied")

    outcome = evaluate(exchange, "127.0.0.1:22", "SSH-")

    assert (outcome.status, outcome.summary) == (CheckStatus.OK, "connected to 127.0.0.1:22 in 0.3 ms, got 'SSH-'")


def test_unresolvable_name_reads_as_a_sentence() -> None:
    exc = socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    assert connect_failure(exc, "db.example.invalid", "db.example.invalid:5432") == "cannot resolve db.example.invalid"


def test_config_requires_a_valid_port_and_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="port\\n  Field required"):
        TcpConfig(host="127.0.0.1")
    with pytest.raises(ValidationError, match="less than or equal to 65535"):
        TcpConfig(port=70000)
    with pytest.raises(ValidationError, match="banner\\n  Extra inputs are not permitted"):
        TcpConfig(port=22, banner="SSH-")
