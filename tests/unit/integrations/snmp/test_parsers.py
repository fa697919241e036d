"""Pure parsers: hand-made varbinds and the recorded device walks, read without any agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.integrations.snmp.host_resources import (
    parse_processors,
    parse_storage,
    processor_report,
    storage_report,
)
from forewarn.integrations.snmp.interfaces import interface_report, parse_interfaces, select
from forewarn.integrations.snmp.rates import CounterReading, RateRound
from forewarn.integrations.snmp.system import fmt_uptime, parse_system, system_report
from forewarn.integrations.snmp.ups import UpsLimits, parse_ups, ups_report
from forewarn.plugins.v1 import CheckStatus

from .agent_fakes import load_snmprec, vb

IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
HRS = "1.3.6.1.2.1.25.2.3.1"
LIMITS = UpsLimits(CheckStatus.WARNING, min_runtime_minutes=10, min_charge_percent=50)


def metrics_of(report) -> dict[tuple[str, tuple], float]:
    return {(m.name, tuple(sorted(m.labels.items()))): m.value for m in report.metrics}


# --- system ---------------------------------------------------------------------------------


def test_system_group_names_the_device_and_its_uptime() -> None:
    info = parse_system([
        vb("1.3.6.1.2.1.1.1.0", "OctetString", "Linux edge-1 6.1.0 x86_64"),
        vb("1.3.6.1.2.1.1.2.0", "ObjectIdentifier", "1.3.6.1.4.1.8072.3.2.10"),
        vb("1.3.6.1.2.1.1.3.0", "TimeTicks", 1_872_000),
        vb("1.3.6.1.2.1.1.5.0", "OctetString", "edge-1"),
    ])
    report = system_report(info)

    assert info.object_id == "1.3.6.1.4.1.8072.3.2.10"
    assert info.uptime_seconds == 18_720.0
    assert report.notes == [(CheckStatus.OK, "edge-1 (Linux edge-1 6.1.0 x86_64) up 5 h 12 min")]
    assert metrics_of(report) == {("uptime_seconds", ()): 18_720.0}


def test_uptime_of_the_wrong_type_is_a_malformed_answer() -> None:
    info = parse_system([vb("1.3.6.1.2.1.1.3.0", "OctetString", "12 days"),
                         vb("1.3.6.1.2.1.1.5.0", "OctetString", "edge-1")])

    report = system_report(info)

    assert info.uptime_seconds is None
    assert report.status is CheckStatus.UNKNOWN
    assert report.notes[0][1] == "malformed system group: sysUpTime.0 is OctetString, not TimeTicks"


def test_an_agent_without_a_system_group_is_unknown() -> None:
    report = system_report(parse_system([vb("1.3.6.1.2.1.1.1.0", "noSuchObject")]))

    assert report.notes == [
        (CheckStatus.UNKNOWN, "the agent serves no system group (sysDescr, sysUpTime, sysName)")
    ]


@pytest.mark.parametrize(("seconds", "text"), [(59, "0 min"), (3_660, "1 h 1 min"), (2_334_251.2, "27 d 0 h")])
def test_uptime_is_written_for_people(seconds: float, text: str) -> None:
    assert fmt_uptime(seconds) == text


# --- interfaces -----------------------------------------------------------------------------


def interface_rows() -> list:
    return [
        vb(f"{IF}.2.1", "OctetString", "lo"), vb(f"{IF}.2.2", "OctetString", "eth0"),
        vb(f"{IF}.2.3", "OctetString", b"WAN uplink\x00"),
        vb(f"{IF}.7.1", "Integer", 1), vb(f"{IF}.7.2", "Integer", 1), vb(f"{IF}.7.3", "Integer", 1),
        vb(f"{IF}.8.1", "Integer", 1), vb(f"{IF}.8.2", "Integer", 2), vb(f"{IF}.8.3", "Integer", 1),
        vb(f"{IF}.10.1", "Counter32", 100), vb(f"{IF}.10.2", "Counter32", 200), vb(f"{IF}.10.3", "Counter32", 300),
        vb(f"{IF}.14.2", "Counter32", 5),
        vb(f"{IFX}.1.1", "OctetString", "lo"), vb(f"{IFX}.1.2", "OctetString", "eth0"),
        vb(f"{IFX}.6.1", "Counter64", 10_000_000_000),
        vb(f"{IFX}.15.2", "Gauge32", 1000),
    ]


def test_interfaces_prefer_64_bit_counters_and_fall_back_to_32_bit() -> None:
    table = parse_interfaces(interface_rows())
    by_name = {i.name: i for i in table.interfaces}

    assert list(by_name) == ["lo", "eth0", "WAN uplink"]  # no ifName for 3: ifDescr without its NUL
    assert by_name["lo"].counters["in_octets"] == CounterReading(10_000_000_000, 64)
    assert by_name["eth0"].counters["in_octets"] == CounterReading(200, 32)
    assert by_name["eth0"].counters["in_errors"] == CounterReading(5, 32)
    assert by_name["eth0"].speed_bps == 1_000_000_000  # ifHighSpeed is in Mbit/s
    assert table.problems == ()


def test_admin_up_but_oper_down_warns_with_the_name_and_labels_metrics_by_ifname() -> None:
    table = parse_interfaces(interface_rows())
    rates = RateRound({(1, "in_octets"): 1250.0})

    report = interface_report(table, select(table, ()), rates, (), CheckStatus.WARNING)

    assert (CheckStatus.WARNING, "eth0 is down (admin up)") in report.notes
    assert (CheckStatus.OK, "2 of 3 interfaces up") in report.notes
    metrics = metrics_of(report)
    assert metrics[("if_in_bytes_per_second", (("ifName", "lo"),))] == 1250.0
    assert metrics[("if_oper_up", (("ifName", "eth0"),))] == 0.0
    assert metrics[("if_admin_up", (("ifName", "eth0"),))] == 1.0


def test_oper_down_status_is_configurable_and_a_filter_limits_the_interfaces() -> None:
    table = parse_interfaces(interface_rows())

    critical = interface_report(table, select(table, ()), RateRound(), (), CheckStatus.CRITICAL)
    only_lo = interface_report(table, select(table, ("lo", "nope0")), RateRound(), ("lo", "nope0"),
                               CheckStatus.CRITICAL)

    assert critical.status is CheckStatus.CRITICAL
    assert (CheckStatus.UNKNOWN, "interface not found: nope0") in only_lo.notes
    assert {m.labels["ifName"] for m in only_lo.metrics} == {"lo"}


def test_counter_of_the_wrong_type_is_skipped_and_reported() -> None:
    rows = interface_rows() + [vb(f"{IFX}.6.2", "OctetString", "lots")]

    table = parse_interfaces(rows)
    eth0 = next(i for i in table.interfaces if i.name == "eth0")

    assert eth0.counters["in_octets"] == CounterReading(200, 32)
    assert table.problems == ("ifHCInOctets.2 is OctetString, not Counter64",)
    report = interface_report(table, select(table, ()), RateRound(), (), CheckStatus.WARNING)
    assert report.notes[0] == (
        CheckStatus.UNKNOWN, "malformed interface table: ifHCInOctets.2 is OctetString, not Counter64"
    )


def test_an_empty_interface_table_is_unknown() -> None:
    report = interface_report(parse_interfaces([]), [], RateRound(), (), CheckStatus.WARNING)

    assert report.notes == [(CheckStatus.UNKNOWN, "no interfaces in IF-MIB ifTable")]


# --- storage and processors -----------------------------------------------------------------


def storage_row(index: int, kind: int, descr: str, units: int, size: int, used: int) -> list:
    return [
        vb(f"{HRS}.2.{index}", "ObjectIdentifier", f"1.3.6.1.2.1.25.2.1.{kind}"),
        vb(f"{HRS}.3.{index}", "OctetString", descr), vb(f"{HRS}.4.{index}", "Integer", units),
        vb(f"{HRS}.5.{index}", "Integer", size), vb(f"{HRS}.6.{index}", "Integer", used),
    ]


def test_storage_sizes_are_allocation_units_times_counts_and_disks_get_thresholds() -> None:
    table = parse_storage(
        storage_row(1, 2, "Physical memory", 1024, 1_000_000, 990_000)
        + storage_row(31, 4, "/", 4096, 1_000_000, 960_000)
        + storage_row(32, 4, "/srv", 4096, 1_000_000, 500_000)
    )

    report = storage_report(table, warn=90, crit=95)

    assert [(s.label, s.kind, s.size_bytes) for s in table.entries] == [
        ("Physical memory", "ram", 1_024_000_000), ("/", "fixedDisk", 4_096_000_000),
        ("/srv", "fixedDisk", 4_096_000_000),
    ]
    assert report.notes == [(CheckStatus.CRITICAL, "disk / 96% used (≥ 95%)")]  # memory is never alerted on
    assert metrics_of(report)[("storage_used_percent", (("storage", "/srv"), ("type", "fixedDisk")))] == 50.0


def test_storage_quirks_windows_labels_negative_sizes_and_empty_drives() -> None:
    table = parse_storage(
        storage_row(1, 4, "C:\\ Label:  Serial Number 1848504c", 4096, -1, 1000)
        + storage_row(2, 7, "D:\\", 0, 0, 0)
    )

    c_drive, d_drive = table.entries
    assert c_drive.label == "C:\\" and c_drive.size_bytes == 4096 * (2**32 - 1)
    assert d_drive.used_percent is None
    assert "storage_used_percent" not in {m.name for m in storage_report(table, 90, 95).metrics
                                           if m.labels["storage"] == "D:\\"}


def test_storage_row_without_allocation_units_is_left_out_and_wrong_types_are_reported() -> None:
    rows = storage_row(31, 4, "/", 4096, 100, 50)
    rows[2] = vb(f"{HRS}.4.31", "OctetString", "4k")

    table = parse_storage(rows)

    assert table.entries == []
    assert storage_report(table, 90, 95).notes == [
        (CheckStatus.UNKNOWN, "malformed storage table: hrStorageAllocationUnits.31 is OctetString, "
                              "not Gauge32 or Integer")
    ]


def test_processor_loads_per_cpu_and_their_average() -> None:
    table = parse_processors([
        vb("1.3.6.1.2.1.25.3.3.1.1.768", "ObjectIdentifier", "0.0"),
        vb("1.3.6.1.2.1.25.3.3.1.1.769", "ObjectIdentifier", "0.0"),
        vb("1.3.6.1.2.1.25.3.3.1.2.768", "Integer", 13), vb("1.3.6.1.2.1.25.3.3.1.2.769", "Integer", 9),
    ])

    report = processor_report(table)

    assert metrics_of(report) == {
        ("processor_load_percent", (("cpu", "0"),)): 13.0, ("processor_load_percent", (("cpu", "1"),)): 9.0,
        ("cpu_load_percent", ()): 11.0,
    }
    assert report.notes == [(CheckStatus.OK, "CPU 11% (2 processors)")]


def test_processors_without_load_yet_are_counted_not_invented() -> None:
    report = processor_report(parse_processors([vb("1.3.6.1.2.1.25.3.3.1.1.196608", "ObjectIdentifier", "0.0")]))

    assert report.metrics == []
    assert report.notes == [(CheckStatus.OK, "processor load not measured yet by the agent (1 processor)")]


def test_processor_load_outside_0_to_100_is_malformed() -> None:
    report = processor_report(parse_processors([vb("1.3.6.1.2.1.25.3.3.1.2.1", "Integer", 250)]))

    assert report.status is CheckStatus.UNKNOWN
    assert "hrProcessorLoad.1 is 250, not a percentage" in report.notes[0][1]


# --- UPS ------------------------------------------------------------------------------------

UPS = "1.3.6.1.2.1.33.1"


def test_ups_mib_on_battery_with_low_battery_is_critical_and_warns_about_runtime() -> None:
    ups = parse_ups([
        vb(f"{UPS}.2.1.0", "Integer", 3), vb(f"{UPS}.2.2.0", "Integer", 310), vb(f"{UPS}.2.3.0", "Integer", 4),
        vb(f"{UPS}.2.4.0", "Integer", 18), vb(f"{UPS}.2.5.0", "Integer", 236), vb(f"{UPS}.4.1.0", "Integer", 5),
    ])

    report = ups_report(ups, LIMITS)

    assert ups is not None and ups.mib == "UPS-MIB" and ups.on_battery
    assert report.status is CheckStatus.CRITICAL
    assert report.notes == [
        (CheckStatus.WARNING, "UPS on battery for 310 s"), (CheckStatus.CRITICAL, "UPS battery low"),
        (CheckStatus.WARNING, "UPS battery 18% charged (< 50%)"), (CheckStatus.WARNING, "UPS 4 min left (< 10 min)"),
    ]
    assert metrics_of(report) == {
        ("ups_battery_charge_percent", ()): 18.0, ("ups_minutes_remaining", ()): 4.0, ("ups_on_battery", ()): 1.0,
        ("ups_seconds_on_battery", ()): 310.0, ("ups_battery_voltage_volts", ()): pytest.approx(23.6),
    }


def test_ups_mib_is_preferred_over_xups_when_both_answer() -> None:
    ups = parse_ups([vb(f"{UPS}.2.4.0", "Integer", 80), vb("1.3.6.1.4.1.534.1.2.4.0", "Integer", 20)])

    assert ups is not None and (ups.mib, ups.charge_percent) == ("UPS-MIB", 80)


def test_no_ups_data_at_all_is_unknown() -> None:
    report = ups_report(parse_ups([vb(f"{UPS}.2.1.0", "noSuchObject")]), LIMITS)

    assert report.notes == [(CheckStatus.UNKNOWN, "no UPS battery data (neither UPS-MIB nor Eaton XUPS-MIB)")]


def test_ups_output_off_is_critical() -> None:
    report = ups_report(parse_ups([vb(f"{UPS}.4.1.0", "Integer", 2)]), LIMITS)

    assert (CheckStatus.CRITICAL, "UPS output on none (output off)") in report.notes


# --- the recorded devices, parsed straight from their files ---------------------------------


def recorded(recordings: Path, name: str) -> list:
    return load_snmprec(recordings / f"{name}.snmprec")


def test_recorded_eaton_9px_battery_comes_from_xups_mib(recordings: Path) -> None:
    ups = parse_ups(recorded(recordings, "eaton-9PX-partial-walk"))

    assert ups is not None
    assert (ups.mib, ups.model) == ("XUPS-MIB", "Eaton 9PX 2200i RT 3U")
    assert (ups.charge_percent, ups.battery_status, ups.output_source) == (100, 4, 3)
    assert ups.minutes_remaining == pytest.approx(17218 / 60)
    assert (ups.voltage, ups.load_percent, ups.on_battery) == (78.0, 9, False)


def test_recorded_windows_xp_interfaces_have_no_ifxtable(recordings: Path) -> None:
    table = parse_interfaces(recorded(recordings, "winxp-full-walk"))

    names = [i.name for i in table.interfaces]
    assert names == ["MS TCP Loopback interface", "Intel(R) PRO/Wireless 2200BG Network Connection",
                     "Bluetooth Device (Personal Area Network)"]
    assert all(r.bits == 32 for i in table.interfaces for r in i.counters.values())
    assert [i.name for i in table.interfaces if i.down_while_enabled] == ["Bluetooth Device (Personal Area Network)"]


def test_recorded_linux_host_uses_its_64_bit_counters(recordings: Path) -> None:
    table = parse_interfaces(recorded(recordings, "linux-full-walk"))
    eth0 = next(i for i in table.interfaces if i.name == "eth0")

    # ifInOctets.2 is 2692239107 (wrapped long ago); ifHCInOctets.2 has the true total.
    assert eth0.counters["in_octets"] == CounterReading(24_167_091_249, 64)
    assert eth0.counters["out_errors"] == CounterReading(0, 32)
