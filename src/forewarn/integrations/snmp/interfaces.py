"""IF-MIB interfaces: names, admin/oper status, speed and traffic/error counters, turned into rates.

Raw input (ifTable and ifXTable columns; Windows agents have no ifXTable and end ifDescr with NUL)::

    1.3.6.1.2.1.2.2.1.2.2|4|eth0              ifDescr
    1.3.6.1.2.1.2.2.1.7.2|2|1                 ifAdminStatus up
    1.3.6.1.2.1.2.2.1.8.2|2|1                 ifOperStatus up
    1.3.6.1.2.1.2.2.1.10.2|65|2692239107      ifInOctets (Counter32)
    1.3.6.1.2.1.31.1.1.1.1.2|4|eth0           ifName
    1.3.6.1.2.1.31.1.1.1.6.2|70|24167091249   ifHCInOctets (Counter64, preferred)

gives Interface(index=2, name='eth0', counters={'in_octets': CounterReading(24167091249, 64), …}).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from forewarn.integrations.snmp import oids
from forewarn.integrations.snmp.rates import CounterKey, CounterReading, RateRound
from forewarn.integrations.snmp.report import SectionReport, listing
from forewarn.integrations.snmp.varbinds import (
    COUNTERS,
    Oid,
    Problems,
    Varbind,
    columns,
    read_int,
    read_text,
    row_indexes,
)
from forewarn.plugins.v1 import CheckStatus

# ifOperStatus down(2), notPresent(6), lowerLayerDown(7); testing, unknown and dormant are not faults.
DOWN = frozenset({2, 6, 7})
ADMIN_UP = 1

# counter name → ifTable 32-bit column, ifXTable 64-bit column or None, metric name, unit
COUNTER_COLUMNS: dict[str, tuple[int, int | None, str, str]] = {
    "in_octets": (oids.IF_IN_OCTETS, oids.IFX_HC_IN_OCTETS, "if_in_bytes_per_second", "B/s"),
    "out_octets": (oids.IF_OUT_OCTETS, oids.IFX_HC_OUT_OCTETS, "if_out_bytes_per_second", "B/s"),
    "in_errors": (oids.IF_IN_ERRORS, None, "if_in_errors_per_second", "1/s"),
    "out_errors": (oids.IF_OUT_ERRORS, None, "if_out_errors_per_second", "1/s"),
    "in_discards": (oids.IF_IN_DISCARDS, None, "if_in_discards_per_second", "1/s"),
    "out_discards": (oids.IF_OUT_DISCARDS, None, "if_out_discards_per_second", "1/s"),
}
COLUMN_NAMES = {
    oids.IF_IN_OCTETS: "ifInOctets", oids.IF_OUT_OCTETS: "ifOutOctets", oids.IF_IN_ERRORS: "ifInErrors",
    oids.IF_OUT_ERRORS: "ifOutErrors", oids.IF_IN_DISCARDS: "ifInDiscards", oids.IF_OUT_DISCARDS: "ifOutDiscards",
}
HC_COLUMN_NAMES = {oids.IFX_HC_IN_OCTETS: "ifHCInOctets", oids.IFX_HC_OUT_OCTETS: "ifHCOutOctets"}
_IF_COLUMNS = (oids.IF_DESCR, oids.IF_SPEED, oids.IF_ADMIN_STATUS, oids.IF_OPER_STATUS,
               *(c[0] for c in COUNTER_COLUMNS.values()))
_IFX_COLUMNS = (oids.IFX_NAME, oids.IFX_HIGH_SPEED, oids.IFX_HC_IN_OCTETS, oids.IFX_HC_OUT_OCTETS)
#: The columns to walk, ifTable first.
WALK_COLUMNS: tuple[Oid, ...] = (
    *(oids.IF_ENTRY + (c,) for c in _IF_COLUMNS), *(oids.IFX_ENTRY + (c,) for c in _IFX_COLUMNS),
)


@dataclass(frozen=True, slots=True)
class Interface:
    index: int
    name: str  # ifName, else ifDescr, else "if<index>"
    descr: str | None = None
    admin_status: int | None = None
    oper_status: int | None = None
    speed_bps: int | None = None
    counters: dict[str, CounterReading] = field(default_factory=dict)

    @property
    def down_while_enabled(self) -> bool:
        return self.admin_status == ADMIN_UP and self.oper_status in DOWN


@dataclass(frozen=True, slots=True)
class InterfaceTable:
    interfaces: list[Interface]
    problems: tuple[str, ...] = ()
    truncated: bool = False


def parse_interfaces(varbinds: Iterable[Varbind], truncated: bool = False) -> InterfaceTable:
    """Rows of ifTable joined with ifXTable by ifIndex; wrong-typed cells are skipped and listed."""
    vbs = list(varbinds)
    if_table, ifx_table = columns(vbs, oids.IF_ENTRY), columns(vbs, oids.IFX_ENTRY)
    problems = Problems()
    rows = sorted(set(row_indexes(if_table)) | set(row_indexes(ifx_table)))
    interfaces = [_interface(row, if_table, ifx_table, problems) for row in rows if len(row) == 1]
    return InterfaceTable(_unique_names(interfaces), tuple(problems.items), truncated)


def _interface(row: Oid, if_table: Mapping[int, Mapping[Oid, Varbind]],
               ifx_table: Mapping[int, Mapping[Oid, Varbind]], problems: Problems) -> Interface:
    def cell(table: Mapping[int, Mapping[Oid, Varbind]], column: int) -> Varbind | None:
        return table.get(column, {}).get(row)

    index = row[0]
    descr = read_text(cell(if_table, oids.IF_DESCR), f"ifDescr.{index}", problems)
    name = read_text(cell(ifx_table, oids.IFX_NAME), f"ifName.{index}", problems) or descr or f"if{index}"
    high_speed = read_int(cell(ifx_table, oids.IFX_HIGH_SPEED), f"ifHighSpeed.{index}", problems)
    speed = read_int(cell(if_table, oids.IF_SPEED), f"ifSpeed.{index}", problems)
    counters: dict[str, CounterReading] = {}
    for counter, (low, high, _, _) in COUNTER_COLUMNS.items():
        reading = _counter(cell(ifx_table, high), 64, f"{HC_COLUMN_NAMES[high]}.{index}", problems) if high else None
        reading = reading or _counter(cell(if_table, low), 32, f"{COLUMN_NAMES[low]}.{index}", problems)
        if reading is not None:
            counters[counter] = reading
    return Interface(
        index=index, name=name, descr=descr,
        admin_status=read_int(cell(if_table, oids.IF_ADMIN_STATUS), f"ifAdminStatus.{index}", problems),
        oper_status=read_int(cell(if_table, oids.IF_OPER_STATUS), f"ifOperStatus.{index}", problems),
        # ifSpeed tops out at 4.29 Gbit/s; past that agents report ifHighSpeed in Mbit/s.
        speed_bps=high_speed * 1_000_000 if high_speed else speed,
        counters=counters,
    )


def _counter(vb: Varbind | None, bits: int, label: str, problems: Problems) -> CounterReading | None:
    value = read_int(vb, label, problems, COUNTERS[bits])
    return None if value is None else CounterReading(value, bits)


def _unique_names(interfaces: list[Interface]) -> list[Interface]:
    """Interfaces whose names repeat get '#ifIndex' appended, so metric labels stay distinct."""
    seen: dict[str, int] = {}
    for i in interfaces:
        seen[i.name] = seen.get(i.name, 0) + 1
    return [i if seen[i.name] == 1 else _renamed(i, f"{i.name}#{i.index}") for i in interfaces]


def _renamed(i: Interface, name: str) -> Interface:
    return Interface(i.index, name, i.descr, i.admin_status, i.oper_status, i.speed_bps, i.counters)


def select(table: InterfaceTable, wanted: Sequence[str]) -> list[Interface]:
    """The interfaces named in `wanted` (by ifName or ifDescr); all of them when `wanted` is empty."""
    if not wanted:
        return list(table.interfaces)
    names = set(wanted)
    return [i for i in table.interfaces if i.name in names or i.descr in names]


def counter_readings(interfaces: Iterable[Interface]) -> dict[CounterKey, CounterReading]:
    """The counters keyed (ifIndex, counter name), as CounterRates wants them."""
    return {(i.index, name): reading for i in interfaces for name, reading in i.counters.items()}


def interface_report(table: InterfaceTable, chosen: list[Interface], rates: RateRound,
                     wanted: Sequence[str], down_status: CheckStatus) -> SectionReport:
    report = SectionReport()
    report.problems("interface table", list(table.problems))
    missing = sorted(set(wanted) - {i.name for i in chosen} - {i.descr for i in chosen if i.descr})
    if missing:
        report.note(f"interface not found: {listing(missing)}", CheckStatus.UNKNOWN)
    if not chosen:
        if not wanted:
            report.note("no interfaces in IF-MIB ifTable", CheckStatus.UNKNOWN)
        return report
    for i in chosen:
        _interface_metrics(report, i, rates)
    down = [i.name for i in chosen if i.down_while_enabled]
    if down:
        what = "is" if len(down) == 1 else "are"
        report.note(f"{listing(down)} {what} down (admin up)", down_status)
    if rates.skipped:
        report.note(rates.skipped)
    up = sum(1 for i in chosen if i.oper_status == 1)
    text = f"{up} of {len(chosen)} interfaces up"
    if table.truncated:
        text += " (interface table cut at max_rows)"
    report.note(text)
    return report


def _interface_metrics(report: SectionReport, i: Interface, rates: RateRound) -> None:
    labels = {"ifName": i.name}
    if i.oper_status is not None:
        report.metric("if_oper_up", i.oper_status == 1, **labels)
    if i.admin_status is not None:
        report.metric("if_admin_up", i.admin_status == ADMIN_UP, **labels)
    if i.speed_bps:
        report.metric("if_speed_bits_per_second", i.speed_bps, "bit/s", **labels)
    for counter, (_, _, metric, unit) in COUNTER_COLUMNS.items():
        rate = rates.rates.get((i.index, counter))
        if rate is not None:
            report.metric(metric, rate, unit, **labels)
