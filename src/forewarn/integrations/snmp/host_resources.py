"""HOST-RESOURCES-MIB: storage use (hrStorageTable) and processor load (hrProcessorTable).

Raw input, hrStorageTable row 31 of a Linux host::

    1.3.6.1.2.1.25.2.3.1.2.31|6|1.3.6.1.2.1.25.2.1.4     hrStorageType fixedDisk
    1.3.6.1.2.1.25.2.3.1.3.31|4|/                        hrStorageDescr
    1.3.6.1.2.1.25.2.3.1.4.31|2|4096                     hrStorageAllocationUnits (bytes)
    1.3.6.1.2.1.25.2.3.1.5.31|2|2164327                  hrStorageSize (units)
    1.3.6.1.2.1.25.2.3.1.6.31|2|1667935                  hrStorageUsed (units)

gives Storage(label='/', kind='fixedDisk', size_bytes=8865083392, used_bytes=6831861760), 77.1 % used.
hrProcessorLoad rows (1.3.6.1.2.1.25.3.3.1.2.768|2|13, ….769|2|9) give CPU loads 13 and 9, average 11.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.integrations.snmp import oids
from forewarn.integrations.snmp.report import SectionReport
from forewarn.integrations.snmp.varbinds import (
    Oid,
    Problems,
    Varbind,
    columns,
    dotted,
    is_under,
    read_int,
    read_oid,
    read_text,
    row_indexes,
)
from forewarn.plugins.v1 import CheckStatus

#: Storage kinds whose fill level is worth an alert; memory is always "full" of caches.
DISK_KINDS = frozenset({"fixedDisk", "removableDisk", "networkDisk", "flashMemory"})
STORAGE_COLUMNS: tuple[Oid, ...] = tuple(
    oids.HR_STORAGE_ENTRY + (c,) for c in (oids.HR_STORAGE_TYPE, oids.HR_STORAGE_DESCR, oids.HR_STORAGE_UNITS,
                                           oids.HR_STORAGE_SIZE, oids.HR_STORAGE_USED)
)
PROCESSOR_COLUMNS: tuple[Oid, ...] = tuple(
    oids.HR_PROCESSOR_ENTRY + (c,) for c in (oids.HR_PROCESSOR_FRW_ID, oids.HR_PROCESSOR_LOAD)
)
_WINDOWS_VOLUME = re.compile(r"^([A-Za-z]:\\)\s+Label:.*$")


@dataclass(frozen=True, slots=True)
class Storage:
    index: int
    label: str
    kind: str  # hrStorageTypes name: fixedDisk, ram, virtualMemory, …
    size_bytes: int
    used_bytes: int

    @property
    def used_percent(self) -> float | None:
        return None if self.size_bytes <= 0 else 100.0 * self.used_bytes / self.size_bytes


@dataclass(frozen=True, slots=True)
class StorageTable:
    entries: list[Storage]
    problems: tuple[str, ...] = ()
    truncated: bool = False


def parse_storage(varbinds: Iterable[Varbind], truncated: bool = False) -> StorageTable:
    table = columns(varbinds, oids.HR_STORAGE_ENTRY)
    problems = Problems()
    entries = []
    for row in row_indexes(table):
        index = row[0]

        def cell(column: int, _row: Oid = row) -> Varbind | None:
            return table.get(column, {}).get(_row)

        descr = read_text(cell(oids.HR_STORAGE_DESCR), f"hrStorageDescr.{index}", problems)
        kind = _kind(read_oid(cell(oids.HR_STORAGE_TYPE), f"hrStorageType.{index}", problems))
        units = read_int(cell(oids.HR_STORAGE_UNITS), f"hrStorageAllocationUnits.{index}", problems)
        size = read_int(cell(oids.HR_STORAGE_SIZE), f"hrStorageSize.{index}", problems)
        used = read_int(cell(oids.HR_STORAGE_USED), f"hrStorageUsed.{index}", problems)
        if units is None or size is None or used is None:
            continue
        entries.append(Storage(index, _label(descr, index), kind, units * _unsigned(size), units * _unsigned(used)))
    return StorageTable(entries, tuple(problems.items), truncated)


def _kind(type_oid: Oid | None) -> str:
    if type_oid is not None and is_under(type_oid, oids.HR_STORAGE_TYPES) and len(type_oid) == 10:
        return oids.STORAGE_TYPE_NAMES.get(type_oid[-1], "other")
    return "other" if type_oid is None else dotted(type_oid)


def _label(descr: str | None, index: int) -> str:
    """Windows says 'C:\\ Label:  Serial Number 1848504c'; the drive is the stable part."""
    if not descr:
        return f"storage{index}"
    match = _WINDOWS_VOLUME.match(descr)
    return match.group(1) if match else descr


def _unsigned(value: int) -> int:
    # Some agents overflow Integer32 on large volumes and send the size as a negative number.
    return value + (1 << 32) if value < 0 else value


def storage_report(table: StorageTable, warn: float, crit: float) -> SectionReport:
    report = SectionReport()
    report.problems("storage table", list(table.problems))
    if not table.entries:
        if not table.problems:
            report.note("no storage in HOST-RESOURCES-MIB hrStorageTable", CheckStatus.UNKNOWN)
        return report
    for s in table.entries:
        labels = {"storage": s.label, "type": s.kind}
        report.metric("storage_size_bytes", s.size_bytes, "B", **labels)
        report.metric("storage_used_bytes", s.used_bytes, "B", **labels)
        if s.used_percent is not None:
            report.metric("storage_used_percent", s.used_percent, "%", **labels)
    disks = [s for s in table.entries if s.kind in DISK_KINDS and s.used_percent is not None]
    for s in disks:
        pct = s.used_percent or 0.0
        if pct >= crit:
            report.note(f"disk {s.label} {pct:.0f}% used (≥ {crit:g}%)", CheckStatus.CRITICAL)
        elif pct >= warn:
            report.note(f"disk {s.label} {pct:.0f}% used (≥ {warn:g}%)", CheckStatus.WARNING)
    if disks and report.status is CheckStatus.OK:
        fullest = max(disks, key=lambda s: s.used_percent or 0.0)
        report.note(f"fullest disk {fullest.label} {fullest.used_percent:.0f}% used")
    return report


@dataclass(frozen=True, slots=True)
class Processor:
    index: int
    load: int | None  # percent over the last minute; None while the agent has not measured it yet


@dataclass(frozen=True, slots=True)
class ProcessorTable:
    processors: list[Processor]
    problems: tuple[str, ...] = ()

    @property
    def average(self) -> float | None:
        loads = [p.load for p in self.processors if p.load is not None]
        return sum(loads) / len(loads) if loads else None


def parse_processors(varbinds: Iterable[Varbind]) -> ProcessorTable:
    table = columns(varbinds, oids.HR_PROCESSOR_ENTRY)
    problems = Problems()
    loads = table.get(oids.HR_PROCESSOR_LOAD, {})
    processors = []
    for row in row_indexes(table):
        load = read_int(loads.get(row), f"hrProcessorLoad.{dotted(row)}", problems)
        if load is not None and not 0 <= load <= 100:
            problems.items.append(f"hrProcessorLoad.{dotted(row)} is {load}, not a percentage")
            load = None
        processors.append(Processor(row[0], load))
    return ProcessorTable(processors, tuple(problems.items))


def processor_report(table: ProcessorTable) -> SectionReport:
    """Per-CPU load labelled by position ('0', '1', …) and the average as cpu_load_percent."""
    report = SectionReport()
    report.problems("processor table", list(table.problems))
    count = len(table.processors)
    if not count:
        if not table.problems:
            report.note("no processors in HOST-RESOURCES-MIB hrProcessorTable", CheckStatus.UNKNOWN)
        return report
    for position, p in enumerate(table.processors):
        if p.load is not None:
            report.metric("processor_load_percent", p.load, "%", cpu=str(position))
    average = table.average
    plural = "s" if count != 1 else ""
    if average is None:
        # net-snmp, for one, answers hrProcessorLoad only once it has a minute of samples.
        report.note(f"processor load not measured yet by the agent ({count} processor{plural})")
        return report
    report.metric("cpu_load_percent", average, "%")
    report.note(f"CPU {average:.0f}% ({count} processor{plural})")
    return report
