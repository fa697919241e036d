"""Hand-made SNMP data for the pure tests: varbinds, .snmprec loading, and a fake agent.

`FakeAgent` answers GET and GETBULK from a table of varbinds with the RFC 3416 semantics, so the
walker and the check can be tested on broken answers a real agent would never give.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from pathlib import Path

from forewarn.integrations.snmp.transport import SnmpError
from forewarn.integrations.snmp.varbinds import Oid, Tag, Varbind, parse_oid

SNMPREC_TAGS = {
    "2": Tag.INTEGER, "4": Tag.OCTETS, "5": Tag.NULL, "6": Tag.OID, "64": Tag.IPADDRESS,
    "65": Tag.COUNTER32, "66": Tag.GAUGE32, "67": Tag.TIMETICKS, "68": Tag.OPAQUE, "70": Tag.COUNTER64,
}


def vb(oid: str, tag: Tag | str, value: int | bytes | str | Oid | None = None) -> Varbind:
    """vb("1.3.6.1.2.1.1.5.0", "OctetString", "tt"): text becomes bytes, dotted OIDs tuples."""
    tag = Tag(tag)
    if tag is Tag.OCTETS and isinstance(value, str):
        value = value.encode()
    if tag is Tag.OID and isinstance(value, str):
        value = parse_oid(value)
    return Varbind(parse_oid(oid), tag, value)


def snmprec_varbinds(lines: Iterable[str]) -> list[Varbind]:
    """Lines of snmpsim's `OID|tag|value` format ('x' after the tag: value in hex) as varbinds."""
    found = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        oid, tag, value = line.rstrip("\n").split("|", 2)
        hexed = tag.endswith("x")
        kind = SNMPREC_TAGS[tag.rstrip("x")]
        raw = bytes.fromhex(value) if hexed else value.encode()
        if kind in (Tag.OCTETS, Tag.OPAQUE):
            plain: int | bytes | Oid | None = raw
        elif kind is Tag.IPADDRESS:  # hex, dotted quad, or the four bytes as characters ('J}M}')
            dotted = not hexed and value.count(".") == 3
            plain = bytes(int(part) for part in value.split(".")) if dotted else raw
        elif kind is Tag.OID:
            plain = parse_oid(value)
        elif kind is Tag.NULL:
            plain = None
        else:
            plain = int(value)
        found.append(Varbind(parse_oid(oid), kind, plain))
    return found


def load_snmprec(path: Path) -> list[Varbind]:
    return snmprec_varbinds(path.read_text(encoding="utf-8").splitlines())


class FakeAgent:
    """An in-memory agent. `silent` makes every request time out; `bulk_limit` truncates answers."""

    def __init__(self, varbinds: Iterable[Varbind] = ()) -> None:
        self.objects = {v.oid: v for v in varbinds}
        self.silent = False
        self.bulk_limit: int | None = None
        self.requests: list[tuple[str, list[Oid]]] = []

    def set(self, *varbinds: Varbind) -> None:
        self.objects.update({v.oid: v for v in varbinds})

    async def get(self, oids: Sequence[Oid]) -> list[Varbind]:
        self._ask("get", oids)
        return [self.objects.get(oid, Varbind(oid, Tag.NO_SUCH_OBJECT)) for oid in oids]

    async def get_bulk(self, oids: Sequence[Oid], max_repetitions: int) -> list[Varbind]:
        self._ask("bulk", oids)
        ordered = sorted(self.objects)
        rows = [[self._next(ordered, oid, step) for oid in oids] for step in range(max_repetitions)]
        answer = [v for row in rows for v in row]
        return answer[: self.bulk_limit] if self.bulk_limit else answer

    def close(self) -> None:
        pass

    def _ask(self, kind: str, oids: Sequence[Oid]) -> None:
        self.requests.append((kind, list(oids)))
        if self.silent:
            raise SnmpError("timeout", "no SNMP response")

    def _next(self, ordered: list[Oid], oid: Oid, step: int) -> Varbind:
        at = bisect.bisect_right(ordered, oid) + step
        return self.objects[ordered[at]] if at < len(ordered) else Varbind(oid, Tag.END_OF_MIB_VIEW)


def transport_of(agent: FakeAgent):  # noqa: ANN201 - the check's TransportFactory shape
    async def open_transport(cfg: object, host: str, timeout: float) -> FakeAgent:
        return agent

    return open_transport
