"""The SNMP check against recorded real devices, replayed by snmpsim over loopback UDP.

Each recording is served under its file name as the v2c community. The expected values are the
ones in the .snmprec files (shared/data/fixtures/snmpsim), worked out by hand.
"""

from __future__ import annotations

import pytest

from forewarn.core import FakeClock
from forewarn.integrations.snmp import SnmpCheck
from forewarn.plugins.v1 import CheckStatus

HOST_SECTIONS = ("system", "interfaces", "storage", "processors")


def metric(outcome, name: str, **labels: str) -> float | None:  # noqa: ANN001
    return next((m.value for m in outcome.metrics if m.name == name and m.labels == labels), None)


async def test_linux_host_system_storage_and_cpu(snmpsim, make_ctx, run_check) -> None:
    cfg = snmpsim.config(community="linux-full-walk", sections=HOST_SECTIONS)

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    # /export: 90601816 of 96144541 4-KiB units = 94.2 % → over the 90 % warning level.
    assert outcome.status is CheckStatus.WARNING
    assert outcome.summary == (
        "disk /export 94% used (≥ 90%); "
        "tt (Linux cray 2.6.21.5-smp #2 SMP Tue Jun 19 14:58:11 CDT 2007…) up 27 d 0 h; "
        "first poll, rates from the next one; 2 of 2 interfaces up; CPU 11% (2 processors)"
    )
    assert metric(outcome, "uptime_seconds") == pytest.approx(2_334_251.2)
    assert metric(outcome, "storage_size_bytes", storage="/", type="fixedDisk") == 4096 * 2_164_327
    assert metric(outcome, "storage_used_percent", storage="/usr/local", type="fixedDisk") == pytest.approx(
        100 * 13_299_705 / 16_822_765
    )
    assert metric(outcome, "storage_used_bytes", storage="Swap space", type="virtualMemory") == 1024 * 27_432
    assert metric(outcome, "processor_load_percent", cpu="0") == 13
    assert metric(outcome, "processor_load_percent", cpu="1") == 9
    assert metric(outcome, "cpu_load_percent") == 11
    assert metric(outcome, "if_speed_bits_per_second", ifName="eth0") == 100_000_000


async def test_linux_host_interface_counters_are_read_and_rated(snmpsim, make_ctx, run_check) -> None:
    check, clock = SnmpCheck(), FakeClock()
    cfg = snmpsim.config(community="linux-full-walk", sections=("interfaces",), max_repetitions=3)

    await run_check(check, cfg, make_ctx(clock=clock))
    clock.advance(300)
    second = await run_check(check, cfg, make_ctx(clock=clock))

    # A recording does not move: every counter's rate is there, and zero.
    rates = {(m.name, m.labels["ifName"]): m.value for m in second.metrics if m.unit in ("B/s", "1/s")}
    assert len(rates) == 2 * 6
    assert set(rates.values()) == {0.0}
    assert second.summary == "2 of 2 interfaces up"


async def test_windows_xp_host_down_bluetooth_and_full_disks(snmpsim, make_ctx, run_check) -> None:
    cfg = snmpsim.config(community="winxp-full-walk", sections=HOST_SECTIONS)

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.startswith(
        "disk C:\\ 97% used (≥ 95%); Bluetooth Device (Personal Area Network) is down (admin up); "
        "disk Z:\\ 95% used (≥ 90%); CRAY (Hardware: x86 Family 6 Model 9 Stepping 5"
    )
    assert metric(outcome, "uptime_seconds") == pytest.approx(827.95)
    assert metric(outcome, "if_oper_up", ifName="Bluetooth Device (Personal Area Network)") == 0.0
    assert metric(outcome, "storage_size_bytes", storage="C:\\", type="fixedDisk") == 16_384 * 1_952_447
    assert metric(outcome, "storage_size_bytes", storage="D:\\", type="compactDisc") == 0
    assert metric(outcome, "storage_used_percent", storage="D:\\", type="compactDisc") is None
    assert metric(outcome, "cpu_load_percent") == 0


async def test_windows_xp_oper_down_can_be_made_harmless(snmpsim, make_ctx, run_check) -> None:
    cfg = snmpsim.config(community="winxp-full-walk", sections=("interfaces",), oper_down_status="ok")

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.OK
    assert "Bluetooth Device (Personal Area Network) is down (admin up)" in outcome.summary


async def test_eaton_9px_battery_from_its_enterprise_mib(snmpsim, make_ctx, run_check) -> None:
    cfg = snmpsim.config(community="eaton-9PX-partial-walk", sections=("system", "ups"))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    # The partial walk has no sysDescr/sysName, only sysObjectID (MGE/Eaton 705.1), and no UPS-MIB.
    assert outcome.status is CheckStatus.OK
    assert outcome.summary == "device 1.3.6.1.4.1.705.1; UPS on mains, battery resting, 100% charged, 287 min left"
    assert {m.name: m.value for m in outcome.metrics} == {
        "ups_battery_charge_percent": 100, "ups_minutes_remaining": pytest.approx(17_218 / 60),
        "ups_on_battery": 0, "ups_battery_voltage_volts": 78, "ups_output_load_percent": 9,
    }


async def test_ups_mib_agent_on_battery_with_low_battery(snmpsim, make_ctx, run_check) -> None:
    # A made-up UPS-MIB recording (written by conftest), since no recorded device serves RFC 1628.
    cfg = snmpsim.config(community="ups-mib-on-battery", sections=("system", "ups"))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.startswith(
        "UPS battery low; UPS on battery for 310 s; UPS battery 18% charged (< 50%); UPS 4 min left (< 10 min); "
        "ups-lab (Made-up UPS-MIB agent"
    )
    assert metric(outcome, "ups_battery_temperature_celsius") == 31
    assert metric(outcome, "ups_on_battery") == 1


async def test_ups_section_on_a_host_without_a_ups_is_unknown(snmpsim, make_ctx, run_check) -> None:
    cfg = snmpsim.config(community="linux-full-walk", sections=("ups",))

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert (outcome.status, outcome.summary) == (
        CheckStatus.UNKNOWN, "no UPS battery data (neither UPS-MIB nor Eaton XUPS-MIB)"
    )


async def test_row_bound_cuts_the_table_and_says_so(snmpsim, make_ctx, run_check) -> None:
    cfg = snmpsim.config(community="linux-full-walk", sections=("interfaces",), max_rows=1)

    outcome = await run_check(SnmpCheck(), cfg, make_ctx())

    assert outcome.summary.endswith("1 of 1 interfaces up (interface table cut at max_rows)")
    assert {m.labels["ifName"] for m in outcome.metrics} == {"lo"}
