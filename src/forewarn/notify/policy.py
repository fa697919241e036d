"""Pure notification rules: which changes, routing, idempotency keys, grouping, rate limit, backoff, scrubbing."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.core.enums import Severity

CHANGES = ("opened", "escalated", "acknowledged", "resolved", "reopened", "closed", "sla_warning", "sla_breached")
# A missed (or nearly missed) SLA is what an MSP must hear about even when nobody chose it.
DEFAULT_EVENTS = ("opened", "escalated", "resolved", "sla_warning", "sla_breached")
SLA_CHANGES = ("sla_warning", "sla_breached")  # from the SLA tick's "sla" timeline events
GROUP_WINDOW = 30.0  # changes for one channel this close together go out as one message
GROUP_MAX = 50  # ...but never more than this many in one message
REDACTED = "********"

# Outbox row statuses: pending → sending → sent | pending (retry) | failed; cancelled when the channel goes.
PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"

# Timeline status transitions (incidents' "status" events) that are notifiable changes.
_STATUS_CHANGES = {("resolved", "new"): "reopened"}
_TO_CHANGES = {"acknowledged": "acknowledged", "resolved": "resolved", "closed": "closed"}


def status_change(from_status: str | None, to_status: str | None) -> str | None:
    """The change a timeline status event means (resolved→new is a reopen), or None."""
    return _STATUS_CHANGES.get((from_status or "", to_status or "")) or _TO_CHANGES.get(to_status or "")


def sla_change(data: object) -> tuple[str, str] | None:
    """The change an "sla" timeline event means and its ref: once per incident, change and timer kind."""
    if not isinstance(data, dict) or data.get("change") not in SLA_CHANGES:
        return None
    return data["change"], f"{data['change']}:{data.get('kind') or 'response'}"


def severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return 0


def wants(events: Iterable[str], min_severity: str, change: str, severity: str) -> bool:
    """Routing: the channel takes this change of an incident of this severity."""
    return change in set(events) and severity_rank(severity) >= severity_rank(min_severity)


def idempotency_key(channel_id: str, incident_id: str, ref: str) -> str:
    """One key per (channel, incident, change): `ref` names the change (e.g. "resolved:812")."""
    return f"{channel_id}:{incident_id}:{ref}"


def message_key(row_keys: Iterable[str]) -> str:
    """The key of a message carrying these outbox rows: the row's own key, or a digest of a group's."""
    keys = sorted(row_keys)
    if len(keys) == 1:
        return keys[0]
    return "group:" + hashlib.sha256("\n".join(keys).encode()).hexdigest()[:40]


def group_due(now: float, last_created: float | None, last_due: float | None, last_pending: bool,
              window: float = GROUP_WINDOW) -> float:
    """When a new change for a channel becomes due.

    A quiet channel sends at once; a change within `window` of the previous one joins it while it
    still waits (`last_pending`: not yet tried), else waits one window after it, so a storm becomes
    a message per window instead of a message per change.
    """
    if last_created is None or now - last_created >= window:
        return now
    if last_pending and last_due is not None and last_due >= now:
        return last_due
    return max(now, last_created + window)


@dataclass(frozen=True, slots=True)
class Bucket:
    """A token bucket holding up to `rate` tokens, refilled at `rate` per minute."""

    tokens: float
    at: float

    @classmethod
    def restore(cls, tokens: float | None, at: float | None, rate: int, now: float) -> Bucket:
        if tokens is None or at is None:
            return cls(float(rate), now)
        refilled = min(float(rate), tokens + max(0.0, now - at) * rate / 60.0)
        return cls(refilled, now)

    def take(self) -> Bucket | None:
        """The bucket after spending one token, or None when it is empty."""
        return Bucket(self.tokens - 1.0, self.at) if self.tokens >= 1.0 else None

    def next_token_at(self, rate: int) -> float:
        return self.at + max(0.0, 1.0 - self.tokens) * 60.0 / max(rate, 1)


def backoff(attempt: int, rng: random.Random, base: float = 10.0, cap: float = 3600.0) -> float:
    """Seconds before retry `attempt + 1`: exponential, capped, with equal jitter (half fixed, half random)."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + rng.random() * ceiling / 2


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str, limit: int = 200) -> str:
    """Header-safe text: line breaks and control characters folded into single spaces, then cut."""
    folded = " ".join(_CONTROL.sub(" ", text).split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Remove secret values from a message (errors may echo a URL with its token) and cut it."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text[:1000]
