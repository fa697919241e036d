"""Ping check: ICMP to 127.0.0.1, the TCP fallback when ICMP is not permitted, loss evaluation."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence

import pytest
from pydantic import ValidationError

from forewarn.integrations.ping import PingCheck, PingConfig
from forewarn.integrations.ping.probe import EchoRun, HostNotFound, IcmpNotPermitted
from forewarn.integrations.ping.result import evaluate
from forewarn.plugins.v1 import CheckStatus

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="privileged ICMP sockets need root")


async def icmp_forbidden(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
    raise IcmpNotPermitted("socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP): permission denied")


def metric(outcome, name: str) -> float:
    return next(m.value for m in outcome.metrics if m.name == name)


@needs_root
async def test_privileged_icmp_to_loopback_is_ok_with_rtt_and_no_loss(make_ctx) -> None:
    outcome = await PingCheck().run(
        PingConfig(host="127.0.0.1", count=3, interval=0.05), make_ctx(privileged=True)
    )

    assert outcome.status is CheckStatus.OK, outcome.summary
    assert "3/3 replies via ICMP" in outcome.summary
    assert metric(outcome, "packet_loss_pct") == 0.0
    assert 0 < metric(outcome, "rtt_ms") <= metric(outcome, "rtt_max_ms")


@needs_root
async def test_asset_address_is_the_default_host(make_ctx) -> None:
    outcome = await PingCheck().run(
        PingConfig(count=1), make_ctx(asset_address="127.0.0.1", privileged=True)
    )

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith("127.0.0.1:")


async def test_icmp_not_permitted_falls_back_to_tcp_connect_with_a_warning(
    make_ctx, make_tcp_server, caplog
) -> None:
    listener = make_tcp_server()
    check = PingCheck(icmp=icmp_forbidden)
    config = PingConfig(host="127.0.0.1", count=2, interval=0.01, fallback_ports=(listener.port,))

    with caplog.at_level(logging.WARNING):
        outcome = await check.run(config, make_ctx())

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith("ICMP not permitted")
    assert f"via TCP port {listener.port}" in outcome.summary
    assert metric(outcome, "packet_loss_pct") == 0.0
    assert metric(outcome, "rtt_ms") > 0
    assert any("falling back to TCP" in r.getMessage() for r in caplog.records)


async def test_fallback_counts_a_refused_port_as_the_host_answering(make_ctx, closed_port) -> None:
    config = PingConfig(host="127.0.0.1", count=1, fallback_ports=(closed_port,))

    outcome = await PingCheck(icmp=icmp_forbidden).run(config, make_ctx())

    assert outcome.status is CheckStatus.OK
    assert f"TCP port {closed_port}" in outcome.summary


async def test_fallback_uses_the_first_port_that_answers(make_ctx, make_tcp_server) -> None:
    listener = make_tcp_server()
    seen: list[Sequence[int]] = []

    async def tcp(host: str, ports: Sequence[int], count: int, interval: float, timeout: float) -> EchoRun:
        seen.append(ports)
        return EchoRun(host, count, (0.2,) * count, method="tcp", port=ports[0])

    config = PingConfig(host="127.0.0.1", method="tcp", count=2, fallback_ports=(listener.port, 80))
    outcome = await PingCheck(tcp=tcp).run(config, make_ctx())

    assert seen == [(listener.port, 80)]
    assert "ICMP not permitted" not in outcome.summary  # tcp was asked for, not a fallback


async def test_icmp_only_method_reports_unknown_when_icmp_is_not_permitted(make_ctx) -> None:
    outcome = await PingCheck(icmp=icmp_forbidden).run(
        PingConfig(host="127.0.0.1", method="icmp"), make_ctx()
    )

    assert outcome.status is CheckStatus.UNKNOWN
    assert "ping_group_range" in outcome.summary


async def test_every_echo_lost_is_critical(make_ctx) -> None:
    async def silent(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
        return EchoRun(host, count, ())

    outcome = await PingCheck(icmp=silent).run(PingConfig(host="127.0.0.2", count=4), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == "127.0.0.2: no reply to 4 ICMP probes (100% loss)"
    assert [m.name for m in outcome.metrics] == ["packet_loss_pct"]
    assert metric(outcome, "packet_loss_pct") == 100.0


async def test_unresolvable_host_is_critical(make_ctx) -> None:
    async def unknown(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
        raise HostNotFound(host)

    outcome = await PingCheck(icmp=unknown).run(PingConfig(host="nowhere.invalid"), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.CRITICAL, "cannot resolve nowhere.invalid")


async def test_reply_wait_is_shortened_to_fit_the_check_timeout(make_ctx) -> None:
    waits: list[float] = []

    async def record(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
        waits.append(timeout)
        return EchoRun(host, count, (1.0,) * count)

    config = PingConfig(host="127.0.0.1", count=4, interval=0.5, packet_timeout=5.0)
    await PingCheck(icmp=record).run(config, make_ctx(timeout=3.5))

    assert waits == [pytest.approx((3.5 - 3 * 0.5) / 4)]


async def test_privilege_comes_from_the_context(make_ctx) -> None:
    asked: list[bool] = []

    async def record(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
        asked.append(privileged)
        return EchoRun(host, count, (1.0,) * count)

    check = PingCheck(icmp=record)
    await check.run(PingConfig(host="127.0.0.1", count=1), make_ctx(privileged=True))
    await check.run(PingConfig(host="127.0.0.1", count=1), make_ctx(privileged=False))

    assert asked == [True, False]


async def test_a_probe_that_hangs_is_cut_off_at_the_check_timeout(make_ctx) -> None:
    async def hang(host: str, count: int, interval: float, timeout: float, privileged: bool) -> EchoRun:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    outcome = await PingCheck(icmp=hang).run(PingConfig(host="127.0.0.1", count=1), make_ctx(timeout=0.2))

    assert (outcome.status, outcome.summary) == (
        CheckStatus.CRITICAL, "127.0.0.1: no complete answer within 0.2 s",
    )


async def test_probes_that_cannot_fit_the_timeout_are_unknown(make_ctx) -> None:
    outcome = await PingCheck().run(PingConfig(host="127.0.0.1", count=10, interval=1.0), make_ctx(timeout=5))

    assert outcome.status is CheckStatus.UNKNOWN
    assert "do not fit in the 5 s timeout" in outcome.summary


async def test_no_host_and_no_asset_address_is_unknown(make_ctx) -> None:
    outcome = await PingCheck().run(PingConfig(), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.UNKNOWN, "no host configured")


def test_partial_loss_is_ok_with_loss_and_rtt_metrics() -> None:
    outcome = evaluate(EchoRun("192.0.2.7", sent=4, rtts_ms=(10.0, 30.0)), "gw.example.test")

    assert outcome.status is CheckStatus.OK
    assert outcome.summary == "gw.example.test: 2/4 replies via ICMP, rtt avg 20 ms, max 30 ms, 50% loss"
    assert {m.name: m.value for m in outcome.metrics} == {
        "rtt_ms": 20.0, "rtt_max_ms": 30.0, "packet_loss_pct": 50.0,
    }


def test_config_rejects_unknown_fields_and_bad_ports() -> None:
    with pytest.raises(ValidationError, match=r"coutn\n  Extra inputs are not permitted"):
        PingConfig(host="127.0.0.1", coutn=3)
    with pytest.raises(ValidationError, match=r"ports must be 1-65535, got \[70000\]"):
        PingConfig(fallback_ports=(22, 70000))
