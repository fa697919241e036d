"""Escalation on a frozen clock, with pages delivered through the outbox to a real aiosmtpd server on loopback."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from forewarn.auth import Principal, Role, set_email
from forewarn.auth.models import UserRow
from forewarn.auth.passwords import hash_password
from forewarn.core.errors import ValidationFailed
from forewarn.db import Database
from forewarn.incidents import IncidentAction, act
from forewarn.incidents.models import IncidentEventRow
from forewarn.notify import (
    Deliverer,
    OverrideIn,
    PolicyIn,
    PolicyPatch,
    RotaIn,
    create_policy,
    create_rota,
    escalation_for_incident,
    tick,
    update_policy,
)
from forewarn.notify.escalation_schemas import StepIn
from forewarn.notify.models import NotificationChannelRow
from forewarn.notify.oncall_service import add_override
from forewarn.testing.server_base import free_port

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
MIN = 60.0
SYSTEM = Principal.system()


@dataclass
class Mailbox:
    mails: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        mail["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
        self.mails.append(mail)
        return "250 OK"

    def recipients(self) -> list[str]:
        return [m["X-Rcpt"] for m in self.mails]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password("password-123")  # argon2 is slow on purpose: hash once, not per user per test


@pytest.fixture
def people(ndb: Database, tenants: dict[str, str], password_hash: str) -> dict[str, Principal]:
    """alice, bob and carol (technicians with email), dave (no email), eve (a globex client)."""
    out = {}
    with ndb.session() as s:
        for name in ("alice", "bob", "carol", "dave", "eve"):
            role = Role.CLIENT if name == "eve" else Role.TECHNICIAN
            user = UserRow(username=name, password_hash=password_hash, role=role.value,
                           tenant_id=tenants["globex"] if name == "eve" else None)
            s.add(user)
            s.flush()
            if name != "dave":
                set_email(s, SYSTEM, name, f"{name}@msp.example")
            out[name] = Principal(user_id=user.id, username=name, role=role)
    return out


@pytest.fixture
def mail_relay(make_channel: Callable[..., str], smtp: tuple[Mailbox, int]) -> str:
    """The tenant's email channel; its own recipients (ops@) get only the routine notifications."""
    return make_channel("email", {"host": "127.0.0.1", "port": smtp[1], "security": "none",
                                  "from_addr": "forewarn@msp.example", "to": ["ops@acme.example"]},
                        name="ops-mail", events=["resolved"])


@pytest.fixture
def primary(ndb: Database, people: dict[str, Principal]) -> str:
    """Daily 09:00 UTC handoff since 2023-11-01 between alice and bob: bob is on call at T0 (day 13)."""
    with ndb.session() as s:
        return create_rota(s, SYSTEM, "acme", RotaIn(name="primary", timezone="UTC", rotation="daily",
                                                     handoff="09:00", start_date=date(2023, 11, 1),
                                                     members=["alice", "bob"]), T0).id


def make_policy(ndb: Database, steps: list[StepIn], name: str = "default", **options) -> str:
    with ndb.session() as s:
        return create_policy(s, SYSTEM, "acme", PolicyIn(name=name, steps=steps, **options), T0).id


async def run(ndb: Database, deliverer: Deliverer, now: float) -> None:
    with ndb.session() as s:
        tick(s, now)
    await deliverer.deliver_due(now)


def escalation_events(ndb: Database, incident: str) -> list[str]:
    with ndb.session() as s:
        return list(s.scalars(select(IncidentEventRow.message).where(
            IncidentEventRow.incident_id == incident, IncidentEventRow.kind == "escalation")
            .order_by(IncidentEventRow.id)))


async def test_steps_page_the_rota_then_the_next_person_at_the_right_minutes(
        ndb, make_incident, mail_relay, primary, smtp, deliverer):
    box, _ = smtp
    make_policy(ndb, [StepIn(rota="primary", wait_minutes=10), StepIn(user="carol", wait_minutes=5)])
    incident = make_incident(severity="critical", title="db1: disk full")
    await run(ndb, deliverer, T0)
    assert box.recipients() == ["bob@msp.example"]
    assert box.mails[0]["Subject"] == "[forewarn] CRITICAL escalated to you: db1: disk full"
    assert "step 1 of 2 of policy 'default'" in box.mails[0].get_body(("plain",)).get_content()
    await run(ndb, deliverer, T0 + 9 * MIN + 59)
    assert box.recipients() == ["bob@msp.example"]  # still waiting for an acknowledgement
    await run(ndb, deliverer, T0 + 10 * MIN)
    assert box.recipients() == ["bob@msp.example", "carol@msp.example"]
    await run(ndb, deliverer, T0 + 15 * MIN)
    events = escalation_events(ndb, incident)
    assert events[0].startswith("escalation started: policy 'default' v1, 2 steps")
    assert "step 1/2, round 1/1: paged bob <bob@msp.example> (on call on rota 'primary', rotation)" in events[1]
    assert "paged carol <carol@msp.example> by email via 'ops-mail'" in events[2]
    assert events[3] == "escalation exhausted: nobody acknowledged after 1 round(s) of policy 'default'"
    assert len(box.mails) == 2


async def test_acknowledgement_stops_the_escalation(ndb, make_incident, mail_relay, primary, people, smtp,
                                                    deliverer):
    box, _ = smtp
    make_policy(ndb, [StepIn(rota="primary", wait_minutes=10), StepIn(user="carol")])
    incident = make_incident(severity="critical")
    await run(ndb, deliverer, T0)
    with ndb.session() as s:
        act(s, people["bob"], incident, IncidentAction(action="acknowledge"))
    await run(ndb, deliverer, T0 + 30 * MIN)
    assert box.recipients() == ["bob@msp.example"]
    assert escalation_events(ndb, incident)[-1] == "escalation stopped: incident acknowledged by bob"
    with ndb.session() as s:
        state = escalation_for_incident(s, SYSTEM, incident)
    assert (state.state, state.step, state.end_reason) == ("stopped", 1, "incident acknowledged by bob")


async def test_the_frozen_snapshot_survives_a_policy_edit(ndb, make_incident, mail_relay, primary, smtp, deliverer):
    box, _ = smtp
    policy = make_policy(ndb, [StepIn(user="alice", wait_minutes=5), StepIn(user="carol")])
    running = make_incident(severity="critical")
    await run(ndb, deliverer, T0)
    with ndb.session() as s:
        update_policy(s, SYSTEM, policy, PolicyPatch(steps=[StepIn(user="bob", wait_minutes=5)]), T0 + MIN)
    later = make_incident(severity="critical", title="web1 down", ts=T0 + 2 * MIN)
    await run(ndb, deliverer, T0 + 2 * MIN)
    await run(ndb, deliverer, T0 + 5 * MIN)
    # The running incident goes on with v1 (alice, then carol); the new one starts with v2 (bob).
    assert box.recipients() == ["alice@msp.example", "bob@msp.example", "carol@msp.example"]
    with ndb.session() as s:
        first, second = (escalation_for_incident(s, SYSTEM, i) for i in (running, later))
    assert (first.version, [x.name for x in first.steps]) == (1, ["alice", "carol"])
    assert (second.version, [x.name for x in second.steps]) == (2, ["bob"])


async def test_an_empty_rota_is_recorded_with_the_reason_and_the_next_step_runs_at_once(
        ndb, make_incident, mail_relay, people, smtp, deliverer):
    box, _ = smtp
    with ndb.session() as s:
        create_rota(s, SYSTEM, "acme", RotaIn(name="weekend", timezone="Europe/Berlin", start_date=date(2023, 1, 2),
                                              members=[]), T0)
    make_policy(ndb, [StepIn(rota="weekend", wait_minutes=30), StepIn(user="carol", wait_minutes=30)])
    incident = make_incident(severity="critical")
    await run(ndb, deliverer, T0)
    assert box.recipients() == ["carol@msp.example"]
    events = escalation_events(ndb, incident)
    assert events[1] == ("step 1/2, round 1/1: could not page rota 'weekend': nobody is on call at "
                         "2023-11-14 23:13 CET (the rota has no members); moving on at once")
    assert events[2].startswith("step 2/2, round 1/1: paged carol")


async def test_an_override_takes_the_page(ndb, make_incident, mail_relay, primary, smtp, deliverer):
    box, _ = smtp
    with ndb.session() as s:
        add_override(s, SYSTEM, primary, OverrideIn(user="carol", starts_at="2023-11-14T20:00:00Z",
                                                    ends_at="2023-11-15T08:00:00Z"), T0 - 3600)
    make_policy(ndb, [StepIn(rota="primary")])
    incident = make_incident(severity="critical")
    await run(ndb, deliverer, T0)
    assert box.recipients() == ["carol@msp.example"]
    assert "(on call on rota 'primary', override)" in escalation_events(ndb, incident)[1]


async def test_unreachable_targets_name_the_reason(ndb, make_incident, mail_relay, people, make_channel, smtp,
                                                   deliverer):
    box, _ = smtp
    make_channel("webhook", {"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}, name="paused-hook",
                 enabled=False)
    make_policy(ndb, [StepIn(user="dave"), StepIn(channel="paused-hook"), StepIn(user="alice")], repeat=1)
    incident = make_incident(severity="warning")
    await run(ndb, deliverer, T0)
    events = escalation_events(ndb, incident)
    assert "could not page dave: the user has no email address; moving on at once" in events[1]
    assert "could not notify channel 'paused-hook': the channel is disabled; moving on at once" in events[2]
    assert "step 3/3, round 1/2: paged alice" in events[3]
    await run(ndb, deliverer, T0 + 15 * MIN)  # round 2 after alice's 15 minutes
    assert box.recipients() == ["alice@msp.example", "alice@msp.example"]
    assert "step 3/3, round 2/2: paged alice" in escalation_events(ndb, incident)[-1]


async def test_no_email_relay_is_a_reason_too(ndb, make_incident, mail_relay, people, smtp, deliverer):
    with ndb.session() as s:
        s.get(NotificationChannelRow, mail_relay).enabled = False
    make_policy(ndb, [StepIn(user="alice")])
    incident = make_incident(severity="critical")
    await run(ndb, deliverer, T0)
    assert ("could not page alice: the tenant has no enabled email channel to send pages through"
            in escalation_events(ndb, incident)[1])
    assert smtp[0].mails == []


async def test_a_repeated_tick_pages_once(ndb, make_incident, mail_relay, people, smtp, deliverer):
    box, _ = smtp
    make_policy(ndb, [StepIn(user="alice", wait_minutes=10)])
    make_incident(severity="critical")
    for _ in range(3):
        await run(ndb, deliverer, T0)
    assert box.recipients() == ["alice@msp.example"]


async def test_the_policy_is_chosen_by_severity(ndb, make_incident, mail_relay, people, smtp, deliverer):
    box, _ = smtp
    make_policy(ndb, [StepIn(user="alice")], name="critical-only", severities=["critical"], position=1)
    make_policy(ndb, [StepIn(user="carol")], name="catch-all", position=2)
    warn, crit = make_incident(severity="warning"), make_incident(severity="critical", title="core down")
    await run(ndb, deliverer, T0)
    assert sorted(box.recipients()) == ["alice@msp.example", "carol@msp.example"]
    with ndb.session() as s:
        assert escalation_for_incident(s, SYSTEM, warn).policy == "catch-all"
        assert escalation_for_incident(s, SYSTEM, crit).policy == "critical-only"


async def test_an_old_incident_does_not_start_paging(ndb, make_incident, mail_relay, people, smtp, deliverer):
    make_policy(ndb, [StepIn(user="alice")])
    make_incident(severity="critical", ts=T0 - 2 * 3600)
    await run(ndb, deliverer, T0)
    assert smtp[0].mails == []


async def test_a_reopened_incident_escalates_again(ndb, make_incident, mail_relay, people, smtp, deliverer):
    box, _ = smtp
    make_policy(ndb, [StepIn(user="alice", wait_minutes=10)])
    incident = make_incident(severity="critical")
    await run(ndb, deliverer, T0)
    with ndb.session() as s:
        act(s, people["alice"], incident, IncidentAction(action="resolve"))
    await run(ndb, deliverer, T0 + MIN)
    with ndb.session() as s:
        act(s, people["alice"], incident, IncidentAction(action="reopen"))
    await run(ndb, deliverer, T0 + 2 * MIN)
    assert [r for r in box.recipients() if r != "ops@acme.example"] == ["alice@msp.example"] * 2
    assert any(e.startswith("escalation restarted (incident reopened)") for e in escalation_events(ndb, incident))


def test_targets_must_belong_to_the_tenant(ndb, people, tenants):
    with ndb.session() as s, pytest.raises(ValidationFailed) as err:
        create_rota(s, SYSTEM, "acme", RotaIn(name="r", start_date=date(2024, 1, 1), members=["alice", "eve"]), T0)
    assert err.value.where == "members[1]"
    with ndb.session() as s, pytest.raises(ValidationFailed) as err:
        create_policy(s, SYSTEM, "acme", PolicyIn(name="p", steps=[StepIn(user="alice"), StepIn(rota="nope")]), T0)
    assert err.value.where == "steps[1].rota"
