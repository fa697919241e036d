"""SNMP values as plain data: a varbind is an OID, an ASN.1 type tag and a Python value.

The transport turns pysnmp's objects into these, so the parsers (and their tests) never touch
pysnmp. Readers check the type tag and record a problem instead of raising on a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

Oid = tuple[int, ...]


class Tag(StrEnum):
    INTEGER = "Integer"
    OCTETS = "OctetString"
    OID = "ObjectIdentifier"
    IPADDRESS = "IpAddress"
    COUNTER32 = "Counter32"
    GAUGE32 = "Gauge32"
    TIMETICKS = "TimeTicks"
    OPAQUE = "Opaque"
    COUNTER64 = "Counter64"
    NULL = "Null"
    NO_SUCH_OBJECT = "noSuchObject"
    NO_SUCH_INSTANCE = "noSuchInstance"
    END_OF_MIB_VIEW = "endOfMibView"


#: Tags that say "there is no value here" rather than carry one (RFC 3416 §3).
ABSENT = frozenset({Tag.NULL, Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE, Tag.END_OF_MIB_VIEW})
INTEGERS = frozenset({Tag.INTEGER, Tag.GAUGE32})
COUNTERS = {32: frozenset({Tag.COUNTER32}), 64: frozenset({Tag.COUNTER64})}


@dataclass(frozen=True, slots=True)
class Varbind:
    oid: Oid
    tag: Tag
    value: int | bytes | Oid | None = None

    @property
    def absent(self) -> bool:
        return self.tag in ABSENT


def parse_oid(text: str) -> Oid:
    """'1.3.6.1.2.1.1.3.0' (a leading dot is allowed) → (1, 3, 6, 1, 2, 1, 1, 3, 0)."""
    return tuple(int(part) for part in text.strip().lstrip(".").split("."))


def dotted(oid: Oid) -> str:
    return ".".join(str(part) for part in oid)


def is_under(oid: Oid, prefix: Oid) -> bool:
    return len(oid) > len(prefix) and oid[: len(prefix)] == prefix


def decode_text(raw: bytes) -> str:
    """An OctetString as text: UTF-8 when it is, Latin-1 otherwise, without trailing NULs.

    Windows agents end ifDescr with a NUL byte ('MS TCP Loopback interface\\x00').
    """
    raw = raw.rstrip(b"\x00")
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.decode("latin-1").strip()


@dataclass(slots=True)
class Problems:
    """Malformed values met while parsing, as short phrases: 'ifHCInOctets.2 is OctetString, not Counter64'."""

    items: list[str] = field(default_factory=list)

    def wrong_type(self, label: str, vb: Varbind, wanted: Iterable[Tag]) -> None:
        names = " or ".join(sorted(t.value for t in wanted))
        self.items.append(f"{label} is {vb.tag.value}, not {names}")

    def __bool__(self) -> bool:
        return bool(self.items)


def read_int(vb: Varbind | None, label: str, problems: Problems,
             tags: frozenset[Tag] = INTEGERS) -> int | None:
    """The integer in `vb` when its tag is one of `tags`; None when absent or of the wrong type."""
    if vb is None or vb.absent:
        return None
    if vb.tag not in tags or not isinstance(vb.value, int):
        problems.wrong_type(label, vb, tags)
        return None
    return vb.value


def read_text(vb: Varbind | None, label: str, problems: Problems) -> str | None:
    if vb is None or vb.absent:
        return None
    if vb.tag is not Tag.OCTETS or not isinstance(vb.value, bytes):
        problems.wrong_type(label, vb, {Tag.OCTETS})
        return None
    return decode_text(vb.value)


def read_oid(vb: Varbind | None, label: str, problems: Problems) -> Oid | None:
    if vb is None or vb.absent:
        return None
    if vb.tag is not Tag.OID or not isinstance(vb.value, tuple):
        problems.wrong_type(label, vb, {Tag.OID})
        return None
    return vb.value


def by_oid(varbinds: Iterable[Varbind]) -> dict[Oid, Varbind]:
    return {vb.oid: vb for vb in varbinds}


def columns(varbinds: Iterable[Varbind], entry: Oid) -> dict[int, dict[Oid, Varbind]]:
    """Group a walk of a table by column number, then row index (the OID after the column).

    For entry 1.3.6.1.2.1.2.2.1, varbind 1.3.6.1.2.1.2.2.1.8.2 lands in column 8, row (2,).
    """
    table: dict[int, dict[Oid, Varbind]] = {}
    size = len(entry)
    for vb in varbinds:
        if is_under(vb.oid, entry) and len(vb.oid) > size + 1 and not vb.absent:
            table.setdefault(vb.oid[size], {})[vb.oid[size + 1:]] = vb
    return table


def row_indexes(table: Mapping[int, Mapping[Oid, Varbind]]) -> list[Oid]:
    """Every row index seen in any column, in OID order."""
    return sorted({index for column in table.values() for index in column})
