"""Feeds the syslog receiver's messages, attributed to assets by sender, into the log-pattern stage."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from forewarn.alerting import LogLine
from forewarn.bus import LOGS, Bus
from forewarn.core.clock import Clock
from forewarn.db import Database
from forewarn.integrations.syslog import SyslogMessage, SyslogServer
from forewarn.inventory.matching import AssetMatcher, load_matcher

log = logging.getLogger(__name__)
MATCHER_TTL = 60.0  # seconds an asset index is reused; new assets are recognised within this long
UNMATCHED_REPORT_SECONDS = 300.0


class SyslogFeed:
    """Owns the receiver; each batch of messages becomes LogLines on the LOGS topic.

    A message is attributed by its HOSTNAME field, else by the sender's address, to the one asset
    (across all tenants) with that name or address. Unattributed messages are counted per sender and
    reported in the log every few minutes, so a missing asset shows up without flooding it.
    """

    def __init__(self, db: Database, bus: Bus, clock: Clock, host: str, port: int) -> None:
        self.db, self.bus, self.clock = db, bus, clock
        self.server = SyslogServer(host, port, port, self._deliver, clock=clock)
        self.unmatched: Counter[str] = Counter()
        self._matcher: AssetMatcher | None = None
        self._matcher_at = float("-inf")
        self._reported_at = float("-inf")

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    async def _deliver(self, messages: list[SyslogMessage]) -> None:
        lines = await asyncio.to_thread(self._attribute, messages)
        if lines:
            await self.bus.publish(LOGS, lines)

    def _attribute(self, messages: list[SyslogMessage]) -> list[LogLine]:
        matcher = self._current_matcher()
        lines = []
        for msg in messages:
            ref = matcher.match(msg.hostname) or matcher.match(msg.source)
            if ref is None:
                self.unmatched[msg.host] += 1
                continue
            lines.append(LogLine(ref.tenant_id, ref.asset_id, msg.ts, msg.message, msg.app, msg.severity))
        self._report_unmatched()
        return lines

    def _current_matcher(self) -> AssetMatcher:
        now = self.clock.now()
        if self._matcher is None or now - self._matcher_at > MATCHER_TTL:
            with self.db.session() as session:
                self._matcher = load_matcher(session)
            self._matcher_at = now
        return self._matcher

    def _report_unmatched(self) -> None:
        now = self.clock.now()
        if self.unmatched and now - self._reported_at >= UNMATCHED_REPORT_SECONDS:
            top = ", ".join(f"{host} ({n})" for host, n in self.unmatched.most_common(5))
            log.warning("syslog from senders matching no asset (add them to the inventory): %s", top)
            self._reported_at = now
