"""The SNMP check against Debian's real net-snmp agent, started on a free loopback port.

What snmpd reports is compared with what this machine says about itself (hostname, /proc,
statvfs), so the test proves the values were parsed, not just that something came back.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from forewarn.core import FakeClock
from forewarn.integrations.snmp import SnmpCheck
from forewarn.plugins.v1 import CheckStatus

from .agents import COMMUNITY, USERS

ALL_HOST_SECTIONS = ("system", "interfaces", "storage", "processors")


def metric(outcome, name: str, **labels: str) -> float | None:  # noqa: ANN001
    return next((m.value for m in outcome.metrics if m.name == name and m.labels == labels), None)


def labelled(outcome, name: str, key: str) -> dict[str, float]:  # noqa: ANN001
    return {m.labels[key]: m.value for m in outcome.metrics if m.name == name}


async def test_v2c_system_group_is_this_machine(snmpd, make_ctx, run_check) -> None:
    outcome = await run_check(SnmpCheck(), snmpd.config(community=COMMUNITY, sections=("system",)), make_ctx())

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith(f"{os.uname().nodename} (Linux {os.uname().nodename} ")
    uptime = metric(outcome, "uptime_seconds")
    assert uptime is not None and 0 <= uptime < 3600  # the agent was started by this test session


async def test_interfaces_include_loopback_and_counters_become_rates(snmpd, make_ctx, run_check) -> None:
    check, clock = SnmpCheck(), FakeClock()
    cfg = snmpd.config(community=COMMUNITY, sections=("interfaces",))

    first = await run_check(check, cfg, make_ctx(clock=clock))
    assert metric(first, "if_oper_up", ifName="lo") == 1.0
    assert metric(first, "if_admin_up", ifName="lo") == 1.0
    assert "first poll, rates from the next one" in first.summary

    # net-snmp caches ifTable for a few seconds; our own requests are loopback traffic, so lo's
    # counters grow as soon as the cache refreshes.
    in_rate = 0.0
    for _ in range(16):
        await asyncio.sleep(0.5)
        clock.advance(0.5)
        later = await run_check(check, cfg, make_ctx(clock=clock))
        in_rate = metric(later, "if_in_bytes_per_second", ifName="lo") or 0.0
        if in_rate > 0:
            break
    assert in_rate > 0
    assert metric(later, "if_in_errors_per_second", ifName="lo") == 0.0


async def test_storage_matches_what_this_machine_reports(snmpd, make_ctx, run_check) -> None:
    outcome = await run_check(SnmpCheck(), snmpd.config(community=COMMUNITY, sections=("storage",)), make_ctx())

    sizes = labelled(outcome, "storage_size_bytes", "storage")
    root = os.statvfs("/")
    assert sizes["/"] == pytest.approx(root.f_blocks * root.f_frsize, rel=0.01)
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")))
    assert sizes["Physical memory"] == pytest.approx(mem_kb * 1024, rel=0.01)
    used = labelled(outcome, "storage_used_percent", "storage")
    assert 0 < used["/"] < 100
    assert "fullest disk" in outcome.summary or "% used (≥" in outcome.summary


async def test_processor_table_has_one_row_per_cpu(snmpd, make_ctx, run_check) -> None:
    outcome = await run_check(SnmpCheck(), snmpd.config(community=COMMUNITY, sections=("processors",)), make_ctx())

    cpus = sum(1 for line in Path("/proc/stat").read_text().splitlines() if line[:3] == "cpu" and line[3].isdigit())
    plural = "s" if cpus != 1 else ""
    per_cpu = labelled(outcome, "processor_load_percent", "cpu")
    if per_cpu:  # the agent has run for over a minute: loads are there
        assert sorted(per_cpu) == [str(i) for i in range(cpus)]
        assert all(0 <= load <= 100 for load in per_cpu.values())
        assert outcome.summary.startswith("CPU ") and outcome.summary.endswith(f"({cpus} processor{plural})")
    else:  # net-snmp serves hrProcessorLoad only after its first minute of samples
        assert outcome.summary == f"processor load not measured yet by the agent ({cpus} processor{plural})"
    assert outcome.status is CheckStatus.OK


@pytest.mark.parametrize("user", ["sha_aes", "md5_des", "sha_auth"])
async def test_v3_users_read_the_same_agent(snmpd, make_ctx, run_check, user: str) -> None:
    cfg = snmpd.config(**USERS[user].params(sections=ALL_HOST_SECTIONS))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.OK, outcome.summary
    assert outcome.summary.startswith(os.uname().nodename)
    assert metric(outcome, "if_oper_up", ifName="lo") == 1.0
    assert "/" in labelled(outcome, "storage_size_bytes", "storage")


async def test_v3_wrong_auth_password_is_a_clear_authentication_failure(snmpd, make_ctx, run_check) -> None:
    cfg = snmpd.config(**USERS["sha_aes"].params(auth_key="not-the-password"))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary == (
        f"SNMPv3 user 'fw-sha-aes' at 127.0.0.1:{snmpd.port}: authentication failed (wrong auth_key or auth_protocol)"
    )


async def test_v3_unknown_user_is_named(snmpd, make_ctx, run_check) -> None:
    cfg = snmpd.config(**USERS["sha_aes"].params(username="intruder"))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary == f"SNMPv3 user 'intruder' at 127.0.0.1:{snmpd.port}: the agent does not know this user"


async def test_v3_wrong_privacy_key_goes_unanswered(snmpd, make_ctx, run_check) -> None:
    # snmpd drops what it cannot decrypt, so a wrong priv_key looks like a silent agent.
    cfg = snmpd.config(**USERS["sha_aes"].params(priv_key="not-the-key", timeout=0.3, retries=0))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.endswith("within 0.3 s × 1 try; is the agent up, and the user's keys right?")


async def test_wrong_community_goes_unanswered(snmpd, make_ctx, run_check) -> None:
    cfg = snmpd.config(community="guess", timeout=0.3, retries=0)

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.startswith(f"no SNMP response from 127.0.0.1:{snmpd.port} reading the system group")
