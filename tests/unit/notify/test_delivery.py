"""The deliverer against a real loopback receiver: signed webhooks, retries with backoff, failure after
max attempts, a restart mid-delivery, the rate limit and grouping — on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from forewarn.auth import Principal
from forewarn.incidents import get_incident
from forewarn.notify import Deliverer, DeliverySettings, delivery_log, enqueue_for_change, verify_signature
from forewarn.notify.models import OutboxRow

T0 = 1_700_000_000.0
SECRET = "s3cret-webhook-key-0123456789"


def _rows(ndb):
    with ndb.session() as s:
        return list(s.scalars(select(OutboxRow).order_by(OutboxRow.created_at, OutboxRow.id)))


def _enqueue(ndb, incident_id, change="opened", now=T0, **kw):
    with ndb.session() as s:
        return enqueue_for_change(s, incident_id, change, now, **kw)


async def test_a_signed_webhook_arrives_once_and_is_logged(ndb, make_incident, webhook, receiver, deliverer):
    incident = make_incident(title="db1: disk full", analysis={"explanation": "db1 filled its disk first"})
    webhook()
    [key] = _enqueue(ndb, incident)
    assert await deliverer.deliver_due(T0) == 1
    [got] = receiver.raw
    headers = got.headers
    assert headers["idempotency-key"] == key
    assert headers["x-forewarn-signature"].startswith("sha256=")
    assert verify_signature(SECRET, got.body, headers["x-forewarn-timestamp"], headers["x-forewarn-signature"],
                            now=T0)
    assert not verify_signature(SECRET, got.body + b" ", headers["x-forewarn-timestamp"],
                                headers["x-forewarn-signature"], now=T0)
    assert not verify_signature(SECRET, got.body, headers["x-forewarn-timestamp"],  # a replay, an hour later
                                headers["x-forewarn-signature"], now=T0 + 3600)
    body = json.loads(got.body)
    [event] = body["events"]
    assert (event["change"], event["incident_id"], event["severity"]) == ("opened", incident, "warning")
    assert event["root_cause"] == "db1 filled its disk first"
    assert event["link"] == f"https://forewarn.example/incidents/{incident}"
    [row] = _rows(ndb)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, T0)
    assert await deliverer.deliver_due(T0 + 3600) == 0  # nothing left: sent means done
    with ndb.session() as s:
        log = delivery_log(s, Principal.system(), incident)
        timeline = get_incident(s, Principal.system(), incident).timeline
    assert [(e.status, e.attempt, e.change) for e in log] == [("sent", 1, "opened")]
    assert [e.kind for e in timeline][-1] == "notification" and "notified webhook" in timeline[-1].message


async def test_a_failing_receiver_is_retried_with_growing_jittered_backoff(ndb, make_incident, webhook, receiver,
                                                                           deliverer):
    incident = make_incident()
    webhook()
    _enqueue(ndb, incident)
    receiver.script = [500]
    assert await deliverer.deliver_due(T0) == 0
    [row] = _rows(ndb)
    assert row.status == "pending" and row.attempts == 1 and "HTTP 500" in row.last_error
    assert T0 + 5 <= row.due_at <= T0 + 10  # base 10 s, equal jitter: between half and all of it
    assert await deliverer.deliver_due(T0 + 4.9) == 0 and len(receiver.raw) == 1  # not due yet
    assert await deliverer.deliver_due(row.due_at) == 1
    assert len(receiver.processed) == 1 and len(receiver.raw) == 2
    assert receiver.raw[0].headers["idempotency-key"] == receiver.raw[1].headers["idempotency-key"]
    with ndb.session() as s:
        log = delivery_log(s, Principal.system(), incident)
    assert [(e.status, e.attempt) for e in log] == [("error", 1), ("sent", 2)]
    assert "HTTP 500" in log[0].error and log[0].duration_ms >= 0


async def test_after_max_attempts_the_row_is_failed_never_dropped(ndb, make_incident, webhook, receiver, deliverer):
    incident = make_incident()
    webhook()
    _enqueue(ndb, incident)
    receiver.script = [503] * 10
    now, delays = T0, []
    for _ in range(4):
        assert await deliverer.deliver_due(now) == 0
        [row] = _rows(ndb)
        delays.append(row.due_at - now)
        now = row.due_at
    assert row.status == "failed" and row.attempts == 4 and "HTTP 503" in row.last_error
    assert delays[1] > delays[0] * 0.9 and delays[2] > delays[1] * 0.9  # grows (jitter keeps it near 2x)
    assert await deliverer.deliver_due(now + 10**6) == 0 and len(receiver.raw) == 4
    with ndb.session() as s:
        timeline = get_incident(s, Principal.system(), incident).timeline
        log = delivery_log(s, Principal.system(), incident)
    assert [e.status for e in log] == ["error", "error", "error", "failed"]
    assert "failed" in timeline[-1].message and "HTTP 503" in timeline[-1].message


async def test_a_permanent_refusal_fails_at_once(ndb, make_incident, webhook, receiver, deliverer):
    webhook()
    _enqueue(ndb, make_incident())
    receiver.script = [400]
    await deliverer.deliver_due(T0)
    [row] = _rows(ndb)
    assert (row.status, row.attempts) == ("failed", 1)


async def test_restart_after_an_unacknowledged_send_delivers_exactly_once(ndb, make_incident, webhook, receiver,
                                                                         clock):
    incident = make_incident()
    webhook()
    _enqueue(ndb, incident)
    first = Deliverer(ndb, "https://forewarn.example", clock=clock, settings=DeliverySettings(sending_timeout=60))
    [claim] = first.claim(T0)
    await first.send(claim)  # the receiver got it ... and the process dies before recording
    await first.aclose()
    [row] = _rows(ndb)
    assert (row.status, row.attempts) == ("sending", 1)

    second = Deliverer(ndb, "https://forewarn.example", clock=clock, settings=DeliverySettings(sending_timeout=60))
    assert await second.deliver_due(T0 + 30) == 0  # still within the first one's claim: hands off
    assert await second.deliver_due(T0 + 61) == 1
    await second.aclose()
    assert len(receiver.raw) == 2 and receiver.duplicates == 1
    assert len(receiver.processed) == 1  # the idempotency key made the resend a no-op
    [row] = _rows(ndb)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_restart_before_the_send_sends_once(ndb, make_incident, webhook, receiver, clock):
    webhook()
    _enqueue(ndb, make_incident())
    crashed = Deliverer(ndb, "https://forewarn.example", clock=clock, settings=DeliverySettings(sending_timeout=60))
    assert len(crashed.claim(T0)) == 1
    await crashed.aclose()
    fresh = Deliverer(ndb, "https://forewarn.example", clock=clock, settings=DeliverySettings(sending_timeout=60))
    assert await fresh.deliver_due(T0 + 61) == 1
    await fresh.aclose()
    assert len(receiver.raw) == 1 and _rows(ndb)[0].status == "sent"


async def test_over_the_rate_limit_a_row_waits_for_a_token(ndb, make_incident, webhook, receiver, deliverer):
    webhook(rate_per_minute=2)
    incidents = [make_incident(title=f"host{i}: down") for i in range(3)]
    for i, incident in enumerate(incidents):  # one change a second, grouping off: one message each
        _enqueue(ndb, incident, now=T0 + i, window=0)
        await deliverer.deliver_due(T0 + i)
    assert len(receiver.raw) == 2
    waiting = _rows(ndb)[2]
    assert waiting.status == "pending" and waiting.attempts == 0
    assert T0 + 29 < waiting.due_at <= T0 + 31  # the bucket refills one token per 30 s
    assert await deliverer.deliver_due(T0 + 29) == 0
    assert await deliverer.deliver_due(waiting.due_at) == 1
    assert len(receiver.raw) == 3 and all(r.status == "sent" for r in _rows(ndb))


async def test_changes_close_together_go_out_as_one_message(ndb, make_incident, webhook, receiver, deliverer):
    webhook()
    ids = [make_incident(title=f"host{i}: down") for i in range(3)]
    _enqueue(ndb, ids[0], now=T0)
    assert await deliverer.deliver_due(T0) == 1  # a quiet channel is told at once
    _enqueue(ndb, ids[1], now=T0 + 5)
    _enqueue(ndb, ids[2], now=T0 + 10)
    assert await deliverer.deliver_due(T0 + 10) == 0  # the storm waits for the window
    assert await deliverer.deliver_due(T0 + 35) == 2
    assert len(receiver.raw) == 2
    grouped = json.loads(receiver.raw[1].body)
    assert [e["incident_id"] for e in grouped["events"]] == ids[1:]
    assert grouped["idempotency_key"].startswith("group:")
    assert "host1: down" in grouped["text"] and "host2: down" in grouped["text"]


async def test_a_disabled_channel_cancels_its_rows_on_the_record(ndb, make_incident, webhook, receiver, deliverer):
    from forewarn.notify import ChannelPatch, update_channel

    channel = webhook()
    incident = make_incident()
    _enqueue(ndb, incident)
    with ndb.session() as s:
        update_channel(s, Principal.system(), channel, ChannelPatch(enabled=False))
    assert await deliverer.deliver_due(T0) == 0
    [row] = _rows(ndb)
    assert row.status == "cancelled" and "disabled" in row.last_error and not receiver.raw
    with ndb.session() as s:
        assert [e.status for e in delivery_log(s, Principal.system(), incident)] == ["cancelled"]


async def test_a_retried_group_keeps_its_key_and_newcomers_go_separately(ndb, make_incident, webhook, receiver,
                                                                        deliverer):
    webhook()
    first, second, late = (make_incident(title=f"host{i}: down") for i in range(3))
    _enqueue(ndb, first, now=T0, window=0)
    _enqueue(ndb, second, now=T0, window=0)
    receiver.script = [502]
    assert await deliverer.deliver_due(T0) == 0
    group_key = receiver.raw[0].headers["idempotency-key"]
    retry_at = _rows(ndb)[0].due_at
    _enqueue(ndb, late, now=retry_at, window=0)
    assert await deliverer.deliver_due(retry_at) == 3
    keys = sorted(r.headers["idempotency-key"] for r in receiver.raw[1:])
    assert group_key in keys and len(keys) == 2  # the old group as it was, the newcomer on its own
    resent = next(r for r in receiver.raw[1:] if r.headers["idempotency-key"] == group_key)
    assert resent.body.replace(b" ", b"").count(b'"change":"opened"') == 2


async def test_the_loop_delivers_and_retries_until_stopped(ndb, make_incident, webhook, receiver, deliverer, clock):
    import asyncio

    webhook()
    _enqueue(ndb, make_incident())
    receiver.script = [500, 500]
    stop = asyncio.Event()
    task = asyncio.create_task(deliverer.run(stop, interval=1.0))
    for _ in range(2000):
        if receiver.processed:
            break
        await asyncio.sleep(0.005)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert len(receiver.raw) == 3 and len(receiver.processed) == 1
    assert _rows(ndb)[0].status == "sent" and clock.now() > T0 + 15  # two backoffs passed on the fake clock
