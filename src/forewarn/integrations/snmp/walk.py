"""Bulk walks of table columns: several columns per GETBULK, each followed until it ends.

One GETBULK carries the current position of every unfinished column and returns up to
max-repetitions successors of each, row-major (RFC 3416 §4.2.3). A column ends when a successor
leaves its subtree or the MIB view ends; a walk stops at `max_rows` rows per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from forewarn.integrations.snmp.transport import SnmpError, SnmpTransport
from forewarn.integrations.snmp.varbinds import Oid, Tag, Varbind, dotted, is_under


@dataclass(frozen=True, slots=True)
class Walk:
    varbinds: list[Varbind]
    truncated: bool  # some column had more than max_rows rows
    requests: int


async def walk_columns(
    transport: SnmpTransport, columns: Sequence[Oid], max_repetitions: int, max_rows: int
) -> Walk:
    """Every varbind under each of `columns`, in the order received.

    Raises SnmpError("malformed") when the agent answers nothing or OIDs do not increase
    (a loop that would otherwise never end), and passes on the transport's SnmpErrors.
    """
    position = {column: column for column in columns}
    rows = dict.fromkeys(columns, 0)
    active = list(dict.fromkeys(columns))
    found: list[Varbind] = []
    truncated = False
    requests = 0
    while active:
        reply = await transport.get_bulk([position[c] for c in active], max_repetitions)
        requests += 1
        if not reply:
            raise SnmpError("malformed", f"empty GETBULK response after {dotted(position[active[0]])}")
        finished: set[Oid] = set()
        for i, vb in enumerate(reply):
            column = active[i % len(active)]
            if column in finished:
                continue
            if vb.tag is Tag.END_OF_MIB_VIEW or not is_under(vb.oid, column):
                finished.add(column)
                continue
            if rows[column] >= max_rows:  # one row more than allowed exists: the table is cut
                truncated = True
                finished.add(column)
                continue
            if vb.oid <= position[column]:
                raise SnmpError(
                    "malformed", f"OIDs not increasing: {dotted(vb.oid)} after {dotted(position[column])}"
                )
            position[column] = vb.oid
            found.append(vb)
            rows[column] += 1
        active = [c for c in active if c not in finished]
    return Walk(found, truncated, requests)

