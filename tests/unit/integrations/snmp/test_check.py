"""The SNMP check end to end over a fake agent (rates, restarts, broken answers) and its config."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from forewarn.core import FakeClock
from forewarn.integrations.snmp import SnmpCheck, SnmpConfig
from forewarn.integrations.snmp.transport import EnginePool, PysnmpTransport
from forewarn.plugins.registry import check_plugins
from forewarn.plugins.v1 import CheckStatus

from .agent_fakes import FakeAgent, transport_of, vb

IF, IFX = "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.31.1.1.1"


def router(uptime: int, in_octets: int, out_octets: int) -> FakeAgent:
    return FakeAgent([
        vb("1.3.6.1.2.1.1.1.0", "OctetString", "RouterOS 7.14"),
        vb("1.3.6.1.2.1.1.3.0", "TimeTicks", uptime),
        vb("1.3.6.1.2.1.1.5.0", "OctetString", "gw-1"),
        vb(f"{IF}.2.4", "OctetString", "ether1"), vb(f"{IF}.7.4", "Integer", 1), vb(f"{IF}.8.4", "Integer", 1),
        vb(f"{IF}.10.4", "Counter32", in_octets % 2**32), vb(f"{IF}.16.4", "Counter32", out_octets % 2**32),
        vb(f"{IFX}.1.4", "OctetString", "ether1"),
        vb(f"{IFX}.6.4", "Counter64", in_octets), vb(f"{IFX}.10.4", "Counter64", out_octets),
    ])


def config(**params) -> SnmpConfig:  # noqa: ANN003
    return SnmpConfig(host="192.0.2.1", community="public", **params)


def rate(outcome, name: str) -> float | None:  # noqa: ANN001
    return next((m.value for m in outcome.metrics if m.name == name and m.labels == {"ifName": "ether1"}), None)


async def test_second_run_reports_bytes_per_second_from_the_counters(make_ctx) -> None:
    clock = FakeClock()
    agent = router(uptime=100_000, in_octets=1_000_000, out_octets=5_000)
    check = SnmpCheck(transport_of(agent))

    first = await check.run(config(), make_ctx(clock=clock))
    clock.advance(60)
    agent.set(vb("1.3.6.1.2.1.1.3.0", "TimeTicks", 106_000), vb(f"{IFX}.6.4", "Counter64", 7_000_000),
              vb(f"{IFX}.10.4", "Counter64", 65_000))
    second = await check.run(config(), make_ctx(clock=clock))

    assert first.status is CheckStatus.OK
    assert first.summary == "gw-1 (RouterOS 7.14) up 16 min; first poll, rates from the next one; 1 of 1 interfaces up"
    assert rate(first, "if_in_bytes_per_second") is None
    assert rate(second, "if_in_bytes_per_second") == pytest.approx(100_000.0)
    assert rate(second, "if_out_bytes_per_second") == pytest.approx(1_000.0)


async def test_restarted_agent_gives_no_rates_for_one_round(make_ctx) -> None:
    clock = FakeClock()
    agent = router(uptime=9_000_000, in_octets=3_000_000_000, out_octets=10)
    check = SnmpCheck(transport_of(agent))
    await check.run(config(), make_ctx(clock=clock))

    clock.advance(60)
    agent.set(vb("1.3.6.1.2.1.1.3.0", "TimeTicks", 3_000), vb(f"{IFX}.6.4", "Counter64", 1_000))
    outcome = await check.run(config(), make_ctx(clock=clock))

    assert "agent restarted (sysUpTime went down), rates from the next poll" in outcome.summary
    assert rate(outcome, "if_in_bytes_per_second") is None


async def test_silent_agent_is_critical_and_names_the_stage(make_ctx) -> None:
    agent = router(1, 1, 1)
    agent.silent = True

    outcome = await SnmpCheck(transport_of(agent)).run(config(retries=2), make_ctx(timeout=3.0))

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == (
        "no SNMP response from 192.0.2.1:161 reading the system group within 0.9 s × 3 tries; "
        "is the agent up, and the community right?"
    )


async def test_answer_with_a_missing_value_count_is_malformed(make_ctx) -> None:
    class ShortAgent(FakeAgent):
        async def get(self, oids):  # noqa: ANN001, ANN202
            return (await super().get(oids))[:1]

    outcome = await SnmpCheck(transport_of(ShortAgent())).run(config(), make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary == (
        "malformed answer from 192.0.2.1:161 reading the system group: 1 values in the answer to a GET of 4"
    )


async def test_wrong_types_and_missing_columns_give_a_clean_unknown(make_ctx) -> None:
    agent = FakeAgent([
        vb("1.3.6.1.2.1.1.3.0", "Integer", 500),  # TimeTicks expected
        vb("1.3.6.1.2.1.1.5.0", "OctetString", "odd-box"),
        vb(f"{IF}.2.1", "OctetString", "port1"),  # no status or counter columns at all
        vb("1.3.6.1.2.1.25.2.3.1.3.1", "OctetString", "/"),  # storage row without its other columns
    ])

    outcome = await SnmpCheck(transport_of(agent)).run(
        config(sections=("system", "interfaces", "storage", "processors")), make_ctx()
    )

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary.startswith(
        "malformed system group: sysUpTime.0 is Integer, not TimeTicks; "
        "no storage in HOST-RESOURCES-MIB hrStorageTable; no processors in HOST-RESOURCES-MIB hrProcessorTable; "
        "odd-box; first poll"
    )


async def test_malformed_uptime_still_shows_when_the_system_section_is_off(make_ctx) -> None:
    agent = FakeAgent([vb("1.3.6.1.2.1.1.3.0", "OctetString", "soon"), vb(f"{IF}.2.1", "OctetString", "p1"),
                       vb(f"{IF}.8.1", "Integer", 1)])

    outcome = await SnmpCheck(transport_of(agent)).run(config(sections=("interfaces",)), make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary.startswith("malformed system group: sysUpTime.0 is OctetString, not TimeTicks;")


async def test_no_host_is_unknown(make_ctx) -> None:
    outcome = await SnmpCheck().run(SnmpConfig(community="public"), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.UNKNOWN, "no host configured")


async def test_silent_udp_port_times_out_cleanly(make_ctx, run_check, silent_udp_port: int) -> None:
    cfg = SnmpConfig(host="127.0.0.1", port=silent_udp_port, community="public", timeout=0.2, retries=1)

    outcome = await run_check(SnmpCheck(), cfg, make_ctx(timeout=2.0))

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == (
        f"no SNMP response from 127.0.0.1:{silent_udp_port} reading the system group within 0.2 s × 2 tries; "
        "is the agent up, and the community right?"
    )


async def test_overall_deadline_bounds_a_slow_walk(make_ctx, silent_udp_port: int) -> None:
    # Per-try timeout × tries exceeds the check's own timeout: the check still ends in time, and says in
    # which phase it was cut. The real pysnmp transport is opened before the run, so the deadline can only
    # fall in the system-group read (building an engine is ~0.1 s of CPU; on a loaded box it used up the
    # 0.3 s before any request was sent, and the summary then said "reading the agent").
    cfg = SnmpConfig(host="127.0.0.1", port=silent_udp_port, community="public", timeout=5, retries=0)
    engines = EnginePool()
    transport = await PysnmpTransport.open(cfg, "127.0.0.1", 5.0, engines.engine_for(cfg))
    asked: list[float] = []

    async def opened(cfg: SnmpConfig, host: str, per_try: float) -> PysnmpTransport:
        asked.append(per_try)
        return transport

    try:
        outcome = await SnmpCheck(opened).run(cfg, make_ctx(timeout=0.3))
    finally:
        engines.close()
        await asyncio.sleep(0)  # the loop completes the socket's closing

    assert asked == [5.0]  # each try may wait 5 s, far beyond the check's 0.3 s
    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == (
        f"127.0.0.1:{silent_udp_port} did not finish answering within 0.3 s (reading the system group)"
    )


def test_snmp_is_a_registered_plugin_with_its_config() -> None:
    plugin = check_plugins()["snmp"]

    assert isinstance(plugin, SnmpCheck) and plugin.Config is SnmpConfig and plugin.title


def test_secrets_are_redacted() -> None:
    cfg = SnmpConfig(host="10.0.0.1", version="3", username="ops", auth_protocol="SHA", auth_key="auth-secret",
                     priv_protocol="AES", priv_key="priv-secret")

    shown = cfg.redacted()

    assert (shown["auth_key"], shown["priv_key"], shown["username"]) == ("********", "********", "ops")
    assert SnmpConfig(host="h", community="c0mmunity").redacted()["community"] == "********"
    assert cfg.security_level == "authPriv"


@pytest.mark.parametrize(("params", "message"), [
    ({}, "version 2c needs a community"),
    ({"version": "3"}, "version 3 needs a username"),
    ({"version": "3", "username": "u", "priv_protocol": "AES", "priv_key": "12345678"},
     "v3 privacy needs authentication"),
    ({"version": "3", "username": "u", "auth_protocol": "SHA", "auth_key": "short"},
     "auth_key must be at least 8 characters"),
    ({"community": "c", "sections": ["system", "routing"]}, "sections"),
    ({"community": "c", "bogus": 1}, "Extra inputs are not permitted"),
])
def test_invalid_configs_are_rejected_with_the_reason(params: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SnmpConfig(host="h", **params)
