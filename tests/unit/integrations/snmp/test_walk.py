"""Bulk column walks against a fake agent: paging, row bounds, truncated and looping answers."""

from __future__ import annotations

import pytest

from forewarn.integrations.snmp.transport import SnmpError
from forewarn.integrations.snmp.varbinds import Tag, Varbind, parse_oid
from forewarn.integrations.snmp.walk import walk_columns

from .agent_fakes import FakeAgent, vb

DESCR, OPER = parse_oid("1.3.6.1.2.1.2.2.1.2"), parse_oid("1.3.6.1.2.1.2.2.1.8")


def agent_with(rows: int) -> FakeAgent:
    agent = FakeAgent([vb("1.3.6.1.2.1.1.5.0", "OctetString", "sw1")])
    for i in range(1, rows + 1):
        agent.set(vb(f"1.3.6.1.2.1.2.2.1.2.{i}", "OctetString", f"port{i}"),
                  vb(f"1.3.6.1.2.1.2.2.1.8.{i}", "Integer", 1))
    agent.set(vb("1.3.6.1.2.1.31.1.1.1.1.1", "OctetString", "Gi0/1"))  # what follows the table
    return agent


async def test_columns_are_walked_together_in_pages_of_max_repetitions() -> None:
    agent = agent_with(rows=7)

    walk = await walk_columns(agent, [DESCR, OPER], max_repetitions=3, max_rows=100)

    assert sorted(v.oid[-1] for v in walk.varbinds if v.oid[:-1] == DESCR) == list(range(1, 8))
    assert sorted(v.oid[-1] for v in walk.varbinds if v.oid[:-1] == OPER) == list(range(1, 8))
    assert walk.truncated is False
    assert walk.requests == 3  # 3 + 3 + 1 rows, the last page also shows both columns ending
    assert all(kind == "bulk" and len(oids) == 2 for kind, oids in agent.requests)


async def test_row_bound_stops_the_walk_and_says_so() -> None:
    walk = await walk_columns(agent_with(rows=50), [DESCR], max_repetitions=10, max_rows=20)

    assert len(walk.varbinds) == 20
    assert walk.truncated is True


async def test_a_table_exactly_max_rows_long_is_not_called_truncated() -> None:
    walk = await walk_columns(agent_with(rows=5), [DESCR], max_repetitions=10, max_rows=5)

    assert len(walk.varbinds) == 5 and walk.truncated is False


async def test_a_table_ending_exactly_at_a_page_and_the_row_bound_is_whole() -> None:
    walk = await walk_columns(agent_with(rows=5), [DESCR], max_repetitions=5, max_rows=5)

    assert len(walk.varbinds) == 5
    assert walk.truncated is False and walk.requests == 2  # the second request shows the end


async def test_answers_cut_short_by_the_agent_still_complete_the_walk() -> None:
    agent = agent_with(rows=6)
    agent.bulk_limit = 3  # fewer varbinds than columns × repetitions, as when a reply is too big

    walk = await walk_columns(agent, [DESCR, OPER], max_repetitions=5, max_rows=100)

    assert len(walk.varbinds) == 12


async def test_end_of_mib_view_ends_a_column() -> None:
    agent = FakeAgent([vb("1.3.6.1.2.1.2.2.1.2.1", "OctetString", "lo")])

    walk = await walk_columns(agent, [DESCR], max_repetitions=4, max_rows=100)

    assert [v.value for v in walk.varbinds] == [b"lo"]


async def test_an_absent_table_gives_no_rows() -> None:
    walk = await walk_columns(FakeAgent([vb("1.3.6.1.2.1.1.5.0", "OctetString", "x")]), [DESCR], 10, 100)

    assert walk.varbinds == [] and walk.requests == 1


class LoopingAgent(FakeAgent):
    """Answers every GETBULK with the same varbind: a broken agent that would loop forever."""

    async def get_bulk(self, oids, max_repetitions):  # noqa: ANN001, ANN201
        return [Varbind(parse_oid("1.3.6.1.2.1.2.2.1.2.1"), Tag.OCTETS, b"lo")]


async def test_oids_that_do_not_increase_are_a_malformed_answer_not_a_hang() -> None:
    with pytest.raises(SnmpError) as caught:
        await walk_columns(LoopingAgent(), [DESCR], max_repetitions=5, max_rows=1000)

    assert caught.value.kind == "malformed"
    assert str(caught.value) == "OIDs not increasing: 1.3.6.1.2.1.2.2.1.2.1 after 1.3.6.1.2.1.2.2.1.2.1"


class MuteAgent(FakeAgent):
    async def get_bulk(self, oids, max_repetitions):  # noqa: ANN001, ANN201
        return []


async def test_an_empty_getbulk_answer_is_malformed() -> None:
    with pytest.raises(SnmpError, match="empty GETBULK response after 1.3.6.1.2.1.2.2.1.2"):
        await walk_columns(MuteAgent(), [DESCR], max_repetitions=5, max_rows=10)
