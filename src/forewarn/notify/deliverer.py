"""The deliverer: claims due outbox rows, sends each channel's due changes as one message, records the outcome.

Contract (at least once, de-duplicated by key): rows are claimed (status `sending`, claimed_at,
attempt + 1, a fixed message key) and committed *before* the send, and marked sent only *after*
the receiver acknowledged. A crash in between leaves the rows in `sending`; once `sending_timeout`
has passed any deliverer claims them again and resends the same message under the same key
(`Idempotency-Key` header, or the Message-ID for email). A receiver that ignores a key it has
already processed therefore sees every change exactly once; nothing is dropped either way: each
row ends `sent`, `failed` (after `max_attempts` or a permanent refusal) or `cancelled` (channel
removed or disabled), and every attempt is in the delivery log and on the incident's timeline.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import and_, false, or_, select, update
from sqlalchemy.orm import Session

from forewarn.core.clock import Clock, SystemClock
from forewarn.core.ids import new_id
from forewarn.db import Database
from forewarn.notify.channels import Channel, DeliveryError, Item, Message, Seams
from forewarn.notify.channels.base import SmtpSend
from forewarn.notify.config import channel_class, parse_config, secret_values
from forewarn.notify.models import DeliveryLogRow, NotificationChannelRow, OutboxRow
from forewarn.notify.policy import (
    CANCELLED,
    FAILED,
    GROUP_MAX,
    PENDING,
    SENDING,
    SENT,
    Bucket,
    backoff,
    message_key,
    scrub,
)
from forewarn.notify.timeline import add_notification_event

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    max_attempts: int = 8
    base_delay: float = 10.0  # first retry after 5-10 s, then doubling (with jitter) up to max_delay
    max_delay: float = 3600.0
    sending_timeout: float = 300.0  # a row `sending` this long belongs to a deliverer that died
    batch_size: int = 500
    concurrency: int = 16
    group_max: int = GROUP_MAX  # changes per message at most; 1 sends every change on its own


@dataclass(slots=True)
class Claim:
    """Rows claimed together: one message to one channel."""

    token: str
    message_key: str
    channel_id: str
    channel_name: str
    kind: str
    config: dict[str, Any]
    rows: list[tuple[str, str, str, dict[str, Any], int]]  # outbox id, incident id, change, payload, attempts
    recipients: tuple[str, ...] = ()  # an escalation page to a person: replaces the email channel's `to`


@dataclass(slots=True)
class Attempt:
    claim: Claim
    error: str = ""
    retryable: bool = True
    duration_ms: float = 0.0
    ok: bool = field(default=False)


def recipients(row: OutboxRow) -> tuple[str, ...]:
    return tuple((row.payload or {}).get("recipients") or ())


def _groups(rows: list[OutboxRow], group_max: int) -> list[list[OutboxRow]]:
    """Rows already tried stay in the message they were sent in; fresh rows group per channel and recipients."""
    keyed: dict[str, list[OutboxRow]] = {}
    fresh: dict[tuple[str, tuple[str, ...]], list[OutboxRow]] = {}
    for row in rows:
        if row.message_key:
            keyed.setdefault(row.message_key, []).append(row)
        else:
            fresh.setdefault((row.channel_id or "", recipients(row)), []).append(row)
    chunks = [group[i:i + group_max] for group in fresh.values() for i in range(0, len(group), group_max)]
    return list(keyed.values()) + chunks


class Deliverer:
    """Sends the outbox. One per process; several may share PostgreSQL (rows are claimed with SKIP LOCKED)."""

    def __init__(self, db: Database, base_url: str, *, clock: Clock | None = None, rng: random.Random | None = None,
                 http: httpx.AsyncClient | None = None, smtp_send: SmtpSend | None = None,
                 settings: DeliverySettings | None = None) -> None:
        self.db = db
        self.base_url = base_url.rstrip("/")
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.settings = settings or DeliverySettings()
        self._own_http = http is None
        self.seams = Seams(http=http or httpx.AsyncClient(follow_redirects=False), clock=self.clock,
                           smtp_send=smtp_send)

    async def aclose(self) -> None:
        if self._own_http:
            await self.seams.http.aclose()

    # --- the three steps -------------------------------------------------------------------

    def claim(self, now: float) -> list[Claim]:
        """Claim every due row (and rows stuck in `sending`) in one committed transaction."""
        with self.db.session() as session:
            # Write first: pysqlite runs a SELECT outside any transaction, so two deliverers (the platform's
            # loop and an API-triggered round) could both read a row as pending and both send it; taking
            # SQLite's write lock up front makes the second wait and then see the row claimed.
            session.execute(update(OutboxRow).where(false()).values(status=PENDING))
            stuck = now - self.settings.sending_timeout
            rows = list(session.scalars(select(OutboxRow).where(or_(
                and_(OutboxRow.status == PENDING, OutboxRow.due_at <= now),
                and_(OutboxRow.status == SENDING, OutboxRow.claimed_at <= stuck)))
                .order_by(OutboxRow.due_at, OutboxRow.created_at).limit(self.settings.batch_size)
                .with_for_update(skip_locked=True)))
            if not rows:
                return []
            ids = {r.channel_id for r in rows if r.channel_id}
            channels = {c.id: c for c in session.scalars(select(NotificationChannelRow).where(
                NotificationChannelRow.id.in_(ids)).order_by(NotificationChannelRow.id).with_for_update())}
            claims = []
            for group in _groups(rows, self.settings.group_max):
                claim = self._claim_group(session, group, channels.get(group[0].channel_id or ""), now)
                if claim is not None:
                    claims.append(claim)
            return claims

    def _claim_group(self, session: Session, group: list[OutboxRow], channel: NotificationChannelRow | None,
                     now: float) -> Claim | None:
        if channel is None or not channel.enabled:
            why = "the channel was deleted" if channel is None else f"channel {channel.name!r} is disabled"
            self._finish(session, group, channel, CANCELLED, why, now, attempt=0)
            return None
        bucket = Bucket.restore(channel.bucket_tokens, channel.bucket_at, channel.rate_per_minute, now)
        taken = bucket.take()
        if taken is None:  # over the rate limit: wait for the next token, keep the message together
            channel.bucket_tokens, channel.bucket_at = bucket.tokens, bucket.at
            for row in group:
                row.status, row.due_at = PENDING, bucket.next_token_at(channel.rate_per_minute)
            return None
        channel.bucket_tokens, channel.bucket_at = taken.tokens, taken.at
        token = new_id()
        key = group[0].message_key or message_key(r.idempotency_key for r in group)
        for row in group:
            row.status, row.claimed_at, row.claim_token, row.message_key = SENDING, now, token, key
            row.attempts += 1
        return Claim(token, key, channel.id, channel.name, channel.kind, dict(channel.config or {}),
                     [(r.id, r.incident_id, r.change, dict(r.payload or {}), r.attempts) for r in group],
                     recipients(group[0]))

    async def send(self, claim: Claim) -> Attempt:
        """One send of one claimed message; never raises for delivery problems."""
        attempt = Attempt(claim)
        items = tuple(Item(change, payload, f"{self.base_url}/incidents/{incident_id}")
                      for _, incident_id, change, payload, _ in claim.rows)
        message = Message(claim.message_key, items)
        started = time.perf_counter()
        config = {**claim.config, "to": list(claim.recipients)} if claim.recipients else claim.config
        try:
            channel: Channel = channel_class(claim.kind)(parse_config(claim.kind, config), self.seams)
            await channel.send(message)
            attempt.ok = True
        except DeliveryError as exc:
            attempt.error, attempt.retryable = str(exc), exc.retryable
        except Exception as exc:  # noqa: BLE001 - a bad config or a channel bug must fail the row, not the loop
            attempt.error, attempt.retryable = f"{type(exc).__name__}: {exc}", False
        attempt.duration_ms = (time.perf_counter() - started) * 1000.0
        attempt.error = scrub(attempt.error, secret_values(claim.kind, claim.config)) if attempt.error else ""
        log.info("notify send channel=%s key=%s rows=%d ok=%s error=%s", claim.channel_id, claim.message_key,
                 len(claim.rows), attempt.ok, attempt.error)
        return attempt

    def record(self, attempts: list[Attempt], now: float) -> int:
        """Mark each claimed row sent, due again (with backoff) or failed; returns the rows sent."""
        sent = 0
        with self.db.session() as session:
            for attempt in attempts:
                sent += self._record_one(session, attempt, now)
        return sent

    def _record_one(self, session: Session, attempt: Attempt, now: float) -> int:
        claim = attempt.claim
        rows = list(session.scalars(select(OutboxRow).where(OutboxRow.claim_token == claim.token,
                                                            OutboxRow.status == SENDING)))
        channel = session.get(NotificationChannelRow, claim.channel_id)
        if not rows:  # another deliverer took these rows over after a timeout: keep the attempt in the log
            for outbox_id, incident_id, _, _, n in claim.rows:
                session.add(self._log(outbox_id, incident_id, claim.channel_id, claim.channel_name, n,
                                      "sent" if attempt.ok else "error", attempt, now))
            return 0
        if attempt.ok:
            self._finish(session, rows, channel, SENT, "", now, attempt=None, duration=attempt.duration_ms)
            return len(rows)
        tries = max(r.attempts for r in rows)
        if not attempt.retryable or tries >= self.settings.max_attempts:
            self._finish(session, rows, channel, FAILED, attempt.error, now, attempt=None,
                         duration=attempt.duration_ms)
            return 0
        due = now + backoff(tries, self.rng, self.settings.base_delay, self.settings.max_delay)
        for row in rows:
            row.status, row.due_at, row.claim_token, row.last_error = PENDING, due, None, attempt.error
            session.add(self._log(row.id, row.incident_id, claim.channel_id, claim.channel_name, row.attempts,
                                  "error", attempt, now))
        return 0

    def _finish(self, session: Session, rows: list[OutboxRow], channel: NotificationChannelRow | None,
                status: str, error: str, now: float, attempt: int | None, duration: float = 0.0) -> None:
        """A final state for rows, with a log entry each and one timeline entry per incident."""
        name = channel.name if channel else "(deleted channel)"
        for row in rows:
            row.status, row.claim_token, row.last_error = status, None, error
            row.sent_at = now if status == SENT else row.sent_at
            session.add(DeliveryLogRow(outbox_id=row.id, incident_id=row.incident_id, channel_id=row.channel_id,
                                       channel_name=name, attempt=row.attempts if attempt is None else attempt,
                                       ts=now, status=status, error=error, duration_ms=duration,
                                       message_key=row.message_key or ""))
        kind = channel.kind if channel else "?"
        for incident_id in dict.fromkeys(r.incident_id for r in rows):
            changes = ", ".join(r.change for r in rows if r.incident_id == incident_id)
            text = {SENT: f"notified {kind} channel {name!r} ({changes})",
                    FAILED: f"notification to {kind} channel {name!r} failed ({changes}): {error}",
                    CANCELLED: f"notification to {name!r} cancelled ({changes}): {error}"}[status]
            add_notification_event(session, incident_id, now, text, {
                "channel_id": channel.id if channel else None, "channel": name, "status": status,
                "changes": changes.split(", "), "message_key": rows[0].message_key or ""})

    @staticmethod
    def _log(outbox_id: str, incident_id: str, channel_id: str, name: str, attempt_no: int, status: str,
             attempt: Attempt, now: float) -> DeliveryLogRow:
        return DeliveryLogRow(outbox_id=outbox_id, incident_id=incident_id, channel_id=channel_id,
                              channel_name=name, attempt=attempt_no, ts=now, status=status, error=attempt.error,
                              duration_ms=attempt.duration_ms, message_key=attempt.claim.message_key)

    # --- driving it ------------------------------------------------------------------------

    async def deliver_due(self, now: float | None = None) -> int:
        """Claim, send (concurrently, one message per channel group) and record; returns the rows sent."""
        frozen = now is not None  # tests and the simulator pass the time; otherwise read the clock
        now = self.clock.now() if now is None else now
        claims = await asyncio.to_thread(self.claim, now)
        if not claims:
            return 0
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def bounded(claim: Claim) -> Attempt:
            async with gate:
                return await self.send(claim)

        attempts = await asyncio.gather(*(bounded(c) for c in claims))
        return await asyncio.to_thread(self.record, list(attempts), now if frozen else self.clock.now())

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Deliver until `stop` is set: at once while there is work, then every `interval` seconds."""
        while not stop.is_set():
            try:
                busy = await self.deliver_due()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop; rows stay claimable
                log.exception("notify delivery round failed; retrying")
                busy = 0
            if not busy:
                await self.clock.sleep(interval)
