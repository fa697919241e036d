"""SLA warnings and breaches reach people: the SLA tick's timeline events become notifications, routed by each
channel's events and minimum severity, once per incident, change and channel — to a real loopback webhook
receiver and a real aiosmtpd server, on a frozen clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from forewarn.auth import Principal
from forewarn.incidents import get_incident, sla_tick
from forewarn.inventory import SlaPolicyIn, set_sla_policy
from forewarn.notify import enqueue_changes, enqueue_for_change
from forewarn.testing.server_base import free_port

T0 = 1_700_000_000.0
MIN = 60.0
SYSTEM = Principal.system()
POLICY = SlaPolicyIn(targets={p: {"response": 20, "resolution": 240, "clock": "24x7"}
                              for p in ("P1", "P2", "P3", "P4")})


@dataclass
class Mailbox:
    raw: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        self.raw.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def _tick_and_enqueue(ndb, now: float) -> tuple[list[str], list[str]]:
    """What the platform does every SLA round: the tick, then notify reads each touched incident."""
    with ndb.session() as s:
        touched = sla_tick(s, now)
    keys: list[str] = []
    for incident_id in touched:
        with ndb.session() as s:
            keys += enqueue_changes(s, incident_id, now)
    return touched, keys


def _events(receiver) -> list[dict]:
    return [e for got in receiver.processed for e in json.loads(got.body)["events"]]


async def test_warning_then_breach_arrive_once_by_webhook_and_email(ndb, make_incident, webhook, receiver,
                                                                    make_channel, mailbox, deliverer):
    box, port = mailbox
    webhook()
    make_channel("email", {"host": "127.0.0.1", "port": port, "security": "none", "from_addr": "f@msp.example",
                           "to": ["ops@acme.example"]}, name="mail")
    with ndb.session() as s:
        set_sla_policy(s, SYSTEM, "acme", POLICY, T0)
    incident = make_incident(title="db1: disk full", severity="critical")
    touched, _ = _tick_and_enqueue(ndb, T0)  # assigns the priority and starts the timers
    with ndb.session() as s:
        enqueue_changes(s, incident, T0)
        priority = get_incident(s, SYSTEM, incident, T0).sla.priority
    assert await deliverer.deliver_due(T0) == 2  # "opened" to both channels

    # 80% of the 20-minute response target is used at 16 min; the round at 17 min warns, with 3 min left.
    touched, keys = _tick_and_enqueue(ndb, T0 + 17 * MIN)
    assert touched == [incident] and len(keys) == 2
    assert _tick_and_enqueue(ndb, T0 + 17.5 * MIN) == ([], [])  # the next round: nothing new
    assert await deliverer.deliver_due(T0 + 17 * MIN) == 2
    warning = _events(receiver)[-1]
    assert warning["change"] == "sla_warning" and warning["incident_id"] == incident
    assert warning["sla"]["kind"] == "response" and warning["sla"]["target_minutes"] == 20
    assert json.loads(receiver.processed[-1].body)["text"].startswith(
        f"SLA warning: response due in 3 min for {priority}: db1: disk full")
    assert box.raw[-1]["Subject"].strip() == f"[forewarn] SLA warning: response due in 3 min for {priority}: db1: disk full"
    assert "SLA: target response within 20 min" in box.raw[-1].get_body(("plain",)).get_content()

    # Unacknowledged past 20 min: breached, told once more to each channel.
    touched, keys = _tick_and_enqueue(ndb, T0 + 21 * MIN)
    assert touched == [incident] and len(keys) == 2
    assert await deliverer.deliver_due(T0 + 21 * MIN) == 2
    assert _events(receiver)[-1]["change"] == "sla_breached"
    assert box.raw[-1]["Subject"].strip() == f"[forewarn] SLA breached: response target for {priority} missed: db1: disk full"
    with ndb.session() as s:  # asking again by name is idempotent: the key exists for both channels
        assert enqueue_for_change(s, incident, "sla_breached", T0 + 22 * MIN) == []
        assert enqueue_for_change(s, incident, "sla_warning", T0 + 22 * MIN) == []
    assert await deliverer.deliver_due(T0 + 30 * MIN) == 0
    assert [e["change"] for e in _events(receiver)] == ["opened", "sla_warning", "sla_breached"]
    assert len(box.raw) == 3 and receiver.duplicates == 0
    with ndb.session() as s:
        timeline = get_incident(s, SYSTEM, incident, T0 + 30 * MIN).timeline
    sent = [e.data.get("changes") for e in timeline if e.kind == "notification"]
    assert sent.count(["sla_warning"]) == 2 and sent.count(["sla_breached"]) == 2


async def test_routing_follows_the_channels_events_and_minimum_severity(ndb, make_incident, webhook, receiver,
                                                                         deliverer):
    webhook(events=["opened", "resolved"])  # chose no SLA changes
    webhook(events=["sla_breached"], min_severity="critical")  # only breaches of critical incidents
    breaches_only = webhook(events=["sla_breached"])
    with ndb.session() as s:
        set_sla_policy(s, SYSTEM, "acme", POLICY, T0)
    minor = make_incident(title="printer: toner low", severity="warning")
    _tick_and_enqueue(ndb, T0)
    with ndb.session() as s:
        [opened] = enqueue_changes(s, minor, T0)  # the first channel wants it
    assert await deliverer.deliver_due(T0) == 1
    _, warned = _tick_and_enqueue(ndb, T0 + 17 * MIN)
    assert warned == []  # nobody asked for warnings
    _, breached = _tick_and_enqueue(ndb, T0 + 21 * MIN)
    assert [k.split(":")[0] for k in breached] == [breaches_only]  # warning < critical: the second one skips
    assert await deliverer.deliver_due(T0 + 21 * MIN) == 1
    [first, event] = _events(receiver)
    assert first["change"] == "opened"
    assert (event["change"], event["incident_id"]) == ("sla_breached", minor)


def test_every_channel_kind_words_an_sla_change():
    from forewarn.notify.channels.base import Item, Message
    from forewarn.notify.channels.teams import payload as teams_payload
    from forewarn.notify.templates import render, subject

    sla = {"change": "sla_warning", "kind": "resolution", "priority": "P2", "due_at": T0 + 725, "at": T0,
           "target_minutes": 240}
    item = Item("sla_warning", {"id": "i1", "title": "pms <down>", "severity": "warning", "status": "new",
                                "sla": sla}, "https://forewarn.example/incidents/i1")
    message = Message("k", (item,))
    assert subject(message) == "[forewarn] SLA warning: resolution due in 13 min for P2: pms <down>"
    assert render("slack", message).startswith(
        "*SLA warning: resolution due in 13 min for P2:* <https://forewarn.example/incidents/i1|pms &lt;down&gt;>")
    assert "SLA: target resolution within 240 min for P2, due 2023-11-14 22:25 UTC" in render("text", message)
    assert "<h2 style=\"margin:0\">SLA warning: resolution due in 13 min for P2: pms &lt;down&gt;</h2>" in \
        render("html", message)
    card = teams_payload(message)["attachments"][0]["content"]["body"]
    assert card[1]["text"] == "SLA warning: resolution due in 13 min for P2: pms \\<down\\>"
    assert {"title": "SLA", "value": "target resolution within 240 min for P2, due 2023-11-14 22:25 UTC"} in \
        card[2]["facts"]
