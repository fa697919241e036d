"""The platform's own background loops drive incident response: on a FakeClock that the test moves (and the
deliverer's idle sleeps move too), the SLA loop writes the warning and the breach and the escalation loop
pages the on-call technician, whose email arrives at a real aiosmtpd server — nobody calls a tick here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from forewarn.auth import Principal, set_email
from forewarn.core.clock import FakeClock
from forewarn.incidents.models import IncidentEventRow, IncidentRow
from forewarn.inventory import SlaPolicyIn, set_sla_policy
from forewarn.monitoring import MemorySeriesStore
from forewarn.notify import ChannelIn, PolicyIn, RotaIn, create_channel, create_policy, create_rota
from forewarn.notify.escalation_schemas import StepIn
from forewarn.runtime import Platform
from forewarn.testing.platform import make_settings, seed_accounts
from forewarn.testing.server_base import free_port

T0 = 1_700_000_000.0  # 2023-11-14 22:13 UTC
SYSTEM = Principal.system()


class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        self.envelopes.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
async def platform(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):
    # The loops' periods in real seconds, shortened so the test's fake minutes pass in real milliseconds.
    monkeypatch.setattr("forewarn.runtime.platform.SLA_TICK_SECONDS", 0.05)
    monkeypatch.setattr("forewarn.runtime.platform.ESCALATION_SECONDS", 0.05)
    p = Platform(make_settings(tmp_path, database_url, admin_user="admin"), clock=FakeClock(T0),
                 store=MemorySeriesStore())
    yield p
    await p.stop()


def _setup(p: Platform, port: int) -> str:
    tenants = seed_accounts(p).tenants
    with p.db.session() as s:
        set_email(s, SYSTEM, "tech", "tech@msp.example")
        create_channel(s, SYSTEM, "acme", ChannelIn(name="mail", kind="email", events=["resolved"], config={
            "host": "127.0.0.1", "port": port, "security": "none", "from_addr": "forewarn@msp.example",
            "to": ["ops@acme.example"]}), T0)
        create_rota(s, SYSTEM, "acme", RotaIn(name="primary", start_date=date(2023, 1, 1), members=["tech"]), T0)
        create_policy(s, SYSTEM, "acme", PolicyIn(name="default", steps=[StepIn(rota="primary", wait_minutes=30)]),
                      T0)
        set_sla_policy(s, SYSTEM, "acme", SlaPolicyIn(
            targets={p: {"response": 60, "resolution": 480, "clock": "24x7"} for p in ("P1", "P2", "P3", "P4")}), T0)
    with p.db.session() as s:
        row = IncidentRow(tenant_id=tenants["acme"], title="fw1: WAN link down", status="new", severity="critical",
                          proactive=False, flapping=False, signal_count=1, opened_at=T0, analysis={})
        s.add(row)
        s.flush()
        s.add(IncidentEventRow(incident_id=row.id, ts=T0, kind="opened", actor="system", message="x", data={}))
        return row.id


def _events(p: Platform, incident_id: str) -> list[IncidentEventRow]:
    with p.db.session() as s:
        return list(s.scalars(select(IncidentEventRow).where(IncidentEventRow.incident_id == incident_id)
                              .order_by(IncidentEventRow.id)))


async def _until(p: Platform, predicate, step: float = 20.0, timeout: float = 120.0):  # noqa: ANN001, ANN202
    """Move the fake clock `step` seconds at a time until predicate() holds; the bound only stops a hang."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        p.clock.advance(step)  # type: ignore[attr-defined]
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_the_loops_warn_breach_and_page_on_the_platform_clock(platform, mailbox):
    box, port = mailbox
    incident = await asyncio.to_thread(_setup, platform, port)
    await platform.start(checks=False, agent=False)

    def paged():
        return [e for e in _events(platform, incident) if e.kind == "escalation" and e.data.get("event") == "step"]

    [step] = await _until(platform, paged, step=0.0)  # the first escalation round pages at once
    assert step.data["acted"] and step.data["user"] == "tech" and step.data["rota"] == "primary"
    assert T0 <= step.ts < T0 + 600

    def mailed():
        return [e for e in box.envelopes if e[0] == ["tech@msp.example"]]

    [(_, mail)] = await _until(platform, mailed, step=0.0)  # the deliverer loop sends it
    assert b"escalated to you: fw1: WAN link down" in mail

    def sla(change: str):
        return lambda: [e for e in _events(platform, incident) if e.kind == "sla" and e.data["change"] == change]

    [warning] = await _until(platform, sla("sla_warning"))
    # 80% of the 60-minute response target: due at T0 + 3600, so warned between T0 + 2880 and the due instant
    # (the window is wide because the deliverer's idle sleeps move the fake clock too).
    assert warning.data["kind"] == "response" and warning.data["due_at"] == T0 + 3600
    assert T0 + 2880 <= warning.ts < T0 + 3600
    [breach] = await _until(platform, sla("sla_breached"))
    assert breach.data["kind"] == "response" and breach.ts >= T0 + 3600
    rounds = {e.data.get("round") for e in paged()}
    assert rounds == {0}  # one step, repeat 0: after 30 minutes the escalation is exhausted, never re-paged
