"""The system group: who the device is (sysName, sysDescr, sysObjectID) and how long it has been up.

Raw input, as a walk shows it::

    1.3.6.1.2.1.1.1.0|4|Linux cray 2.6.21.5-smp #2 SMP Tue Jun 19 14:58:11 CDT 2007 i686
    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10
    1.3.6.1.2.1.1.3.0|67|233425120
    1.3.6.1.2.1.1.5.0|4|tt

gives sysName 'tt', uptime 2334251.2 s, and the note "tt (Linux cray 2.6.21.5-smp …) up 27 d 0 h".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.integrations.snmp import oids
from forewarn.integrations.snmp.report import SectionReport, shorten
from forewarn.integrations.snmp.varbinds import (
    Problems,
    Tag,
    Varbind,
    by_oid,
    dotted,
    read_int,
    read_oid,
    read_text,
)
from forewarn.plugins.v1 import CheckStatus


@dataclass(frozen=True, slots=True)
class SystemInfo:
    descr: str | None
    object_id: str | None
    uptime_ticks: int | None  # hundredths of a second since the agent (re)started
    name: str | None
    problems: tuple[str, ...] = ()

    @property
    def uptime_seconds(self) -> float | None:
        return None if self.uptime_ticks is None else self.uptime_ticks / 100.0


def parse_system(varbinds: Iterable[Varbind]) -> SystemInfo:
    found = by_oid(varbinds)
    problems = Problems()
    object_id = read_oid(found.get(oids.SYS_OBJECT_ID), "sysObjectID.0", problems)
    return SystemInfo(
        descr=read_text(found.get(oids.SYS_DESCR), "sysDescr.0", problems),
        object_id=dotted(object_id) if object_id is not None else None,
        uptime_ticks=read_int(found.get(oids.SYS_UPTIME), "sysUpTime.0", problems, frozenset({Tag.TIMETICKS})),
        name=read_text(found.get(oids.SYS_NAME), "sysName.0", problems),
        problems=tuple(problems.items),
    )


def system_report(info: SystemInfo) -> SectionReport:
    report = SectionReport()
    report.problems("system group", list(info.problems))
    if all(v is None for v in (info.descr, info.object_id, info.uptime_ticks, info.name)):
        if not info.problems:
            report.note("the agent serves no system group (sysDescr, sysUpTime, sysName)", CheckStatus.UNKNOWN)
        return report
    who = info.name or (f"device {info.object_id}" if info.object_id else "unnamed device")
    if info.descr:
        who += f" ({shorten(info.descr)})"
    if info.uptime_seconds is not None:
        who += f" up {fmt_uptime(info.uptime_seconds)}"
        report.metric("uptime_seconds", info.uptime_seconds, "s")
    report.note(who)
    return report


def fmt_uptime(seconds: float) -> str:
    """2334251.2 → '27 d 0 h'; 18720 → '5 h 12 min'; 59 → '0 min'."""
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
