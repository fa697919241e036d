"""UPS battery: status, runtime left, charge and whether the load runs on battery.

Read from the standard UPS-MIB (RFC 1628) when the agent serves it, else from Eaton's XUPS-MIB:
Eaton network cards (the recorded 9PX, for one) answer only their enterprise MIBs. Raw XUPS input::

    1.3.6.1.4.1.534.1.2.1.0|2|17218     xupsBatTimeRemaining (seconds)
    1.3.6.1.4.1.534.1.2.4.0|2|100       xupsBatCapacity (%)
    1.3.6.1.4.1.534.1.2.5.0|2|4         xupsBatteryAbmStatus batteryResting
    1.3.6.1.4.1.534.1.4.5.0|2|3         xupsOutputSource normal

gives "UPS on mains, battery resting, 100% charged, 287 min left".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.integrations.snmp import oids
from forewarn.integrations.snmp.report import SectionReport
from forewarn.integrations.snmp.varbinds import Oid, Problems, Varbind, by_oid, read_int, read_text
from forewarn.plugins.v1 import CheckStatus

OK, WARNING, CRITICAL = CheckStatus.OK, CheckStatus.WARNING, CheckStatus.CRITICAL
# upsBatteryStatus (UPS-MIB) → name, status
UPS_BATTERY_STATUS = {1: ("unknown", OK), 2: ("normal", OK), 3: ("low", CRITICAL), 4: ("depleted", CRITICAL)}
# xupsBatteryAbmStatus (XUPS-MIB) → name, status
XUPS_BATTERY_STATUS = {
    1: ("charging", OK), 2: ("discharging", OK), 3: ("floating", OK), 4: ("resting", OK), 5: ("unknown", OK),
    6: ("disconnected", CRITICAL), 7: ("under test", OK), 8: ("check battery", CRITICAL),
}
# upsOutputSource / xupsOutputSource (XUPS extends the UPS-MIB list) → name, status when not on battery
OUTPUT_SOURCE = {
    1: ("other", OK), 2: ("none (output off)", CRITICAL), 3: ("mains", OK), 4: ("bypass", WARNING),
    5: ("battery", OK), 6: ("mains (booster)", OK), 7: ("mains (reducer)", OK), 8: ("parallel capacity", OK),
    9: ("parallel redundant", OK), 10: ("mains (high efficiency)", OK), 11: ("maintenance bypass", WARNING),
    12: ("mains (ESS)", OK),
}
ON_BATTERY = 5


@dataclass(frozen=True, slots=True)
class UpsBattery:
    mib: str  # "UPS-MIB" or "XUPS-MIB"
    model: str | None = None
    battery_status: int | None = None  # in `mib`'s own enumeration
    output_source: int | None = None
    minutes_remaining: float | None = None
    charge_percent: int | None = None
    seconds_on_battery: int | None = None
    voltage: float | None = None
    temperature_celsius: int | None = None
    load_percent: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def on_battery(self) -> bool | None:
        return None if self.output_source is None else self.output_source == ON_BATTERY


def parse_ups(varbinds: Iterable[Varbind]) -> UpsBattery | None:
    """The UPS-MIB reading when it has battery data, else the XUPS-MIB one, else None."""
    found = by_oid(varbinds)
    standard = _parse_standard(found)
    if _has_battery(standard):
        return standard
    eaton = _parse_xups(found)
    return eaton if _has_battery(eaton) else None


def _has_battery(ups: UpsBattery) -> bool:
    return any(v is not None for v in (ups.battery_status, ups.charge_percent, ups.minutes_remaining,
                                       ups.output_source)) or bool(ups.problems)


def _parse_standard(found: dict[Oid, Varbind]) -> UpsBattery:
    p = Problems()
    volts = read_int(found.get(oids.UPS_BATTERY_VOLTAGE), "upsBatteryVoltage.0", p)
    return UpsBattery(
        mib="UPS-MIB",
        model=read_text(found.get(oids.UPS_MODEL), "upsIdentModel.0", p),
        battery_status=read_int(found.get(oids.UPS_BATTERY_STATUS), "upsBatteryStatus.0", p),
        output_source=read_int(found.get(oids.UPS_OUTPUT_SOURCE), "upsOutputSource.0", p),
        minutes_remaining=_float(read_int(found.get(oids.UPS_MINUTES_REMAINING), "upsEstimatedMinutesRemaining.0", p)),
        charge_percent=read_int(found.get(oids.UPS_CHARGE_REMAINING), "upsEstimatedChargeRemaining.0", p),
        seconds_on_battery=read_int(found.get(oids.UPS_SECONDS_ON_BATTERY), "upsSecondsOnBattery.0", p),
        voltage=None if volts is None else volts / 10.0,  # 0.1 V DC
        temperature_celsius=read_int(found.get(oids.UPS_BATTERY_TEMPERATURE), "upsBatteryTemperature.0", p),
        problems=tuple(p.items),
    )


def _parse_xups(found: dict[Oid, Varbind]) -> UpsBattery:
    p = Problems()
    seconds = read_int(found.get(oids.XUPS_BAT_TIME_REMAINING), "xupsBatTimeRemaining.0", p)
    return UpsBattery(
        mib="XUPS-MIB",
        model=read_text(found.get(oids.XUPS_MODEL), "xupsIdentModel.0", p),
        battery_status=read_int(found.get(oids.XUPS_BATTERY_ABM_STATUS), "xupsBatteryAbmStatus.0", p),
        output_source=read_int(found.get(oids.XUPS_OUTPUT_SOURCE), "xupsOutputSource.0", p),
        minutes_remaining=None if seconds is None else seconds / 60.0,
        charge_percent=read_int(found.get(oids.XUPS_BAT_CAPACITY), "xupsBatCapacity.0", p),
        voltage=_float(read_int(found.get(oids.XUPS_BAT_VOLTAGE), "xupsBatVoltage.0", p)),
        load_percent=read_int(found.get(oids.XUPS_OUTPUT_LOAD), "xupsOutputLoad.0", p),
        problems=tuple(p.items),
    )


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class UpsLimits:
    on_battery_status: CheckStatus
    min_runtime_minutes: float
    min_charge_percent: float


def ups_report(ups: UpsBattery | None, limits: UpsLimits) -> SectionReport:
    report = SectionReport()
    if ups is None:
        report.note("no UPS battery data (neither UPS-MIB nor Eaton XUPS-MIB)", CheckStatus.UNKNOWN)
        return report
    report.problems(ups.mib, list(ups.problems))
    _ups_metrics(report, ups)
    parts = [_source_phrase(report, ups, limits), *_battery_phrases(report, ups, limits)]
    if any(parts):
        report.note("UPS " + ", ".join(p for p in parts if p))
    return report


def _source_phrase(report: SectionReport, ups: UpsBattery, limits: UpsLimits) -> str:
    if ups.output_source is None:
        return ""
    if ups.on_battery:
        seconds = f" for {ups.seconds_on_battery} s" if ups.seconds_on_battery else ""
        report.note(f"UPS on battery{seconds}", limits.on_battery_status)
        return ""
    name, status = OUTPUT_SOURCE.get(ups.output_source, (f"source {ups.output_source}", OK))
    if status is not OK:
        report.note(f"UPS output on {name}", status)
        return ""
    return f"on {name}"


def _battery_phrases(report: SectionReport, ups: UpsBattery, limits: UpsLimits) -> list[str]:
    parts = []
    table = UPS_BATTERY_STATUS if ups.mib == "UPS-MIB" else XUPS_BATTERY_STATUS
    if ups.battery_status is not None:
        name, status = table.get(ups.battery_status, (f"status {ups.battery_status}", OK))
        if status is not OK:
            report.note(f"UPS battery {name}", status)
        else:
            parts.append(f"battery {name}")
    if ups.charge_percent is not None:
        if ups.charge_percent < limits.min_charge_percent:
            report.note(f"UPS battery {ups.charge_percent}% charged (< {limits.min_charge_percent:g}%)", WARNING)
        else:
            parts.append(f"{ups.charge_percent}% charged")
    if ups.minutes_remaining is not None:
        left = f"{ups.minutes_remaining:.0f} min left"
        if ups.minutes_remaining < limits.min_runtime_minutes:
            report.note(f"UPS {left} (< {limits.min_runtime_minutes:g} min)", WARNING)
        else:
            parts.append(left)
    return parts


def _ups_metrics(report: SectionReport, ups: UpsBattery) -> None:
    if ups.charge_percent is not None:
        report.metric("ups_battery_charge_percent", ups.charge_percent, "%")
    if ups.minutes_remaining is not None:
        report.metric("ups_minutes_remaining", ups.minutes_remaining, "min")
    if ups.on_battery is not None:
        report.metric("ups_on_battery", ups.on_battery)
    if ups.seconds_on_battery is not None:
        report.metric("ups_seconds_on_battery", ups.seconds_on_battery, "s")
    if ups.voltage is not None:
        report.metric("ups_battery_voltage_volts", ups.voltage, "V")
    if ups.temperature_celsius is not None:
        report.metric("ups_battery_temperature_celsius", ups.temperature_celsius, "°C")
    if ups.load_percent is not None:
        report.metric("ups_output_load_percent", ups.load_percent, "%")
