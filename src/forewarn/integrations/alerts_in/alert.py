"""The inbound alert every source is converted into, and the rules the converters share.

An `InboundAlert` is not yet a `Signal`: it names its asset only by a hint (a host name or
address from the alert), which the platform resolves to one of the tenant's assets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from forewarn.core import Severity, Signal, SignalState, ValidationFailed
from forewarn.core.hosts import host_part

SUMMARY_MAX = 1000  # characters kept of a summary; the full text stays in the evidence
MAX_BODY = 1_048_576  # bytes of JSON accepted in one request


@dataclass(frozen=True, slots=True)
class InboundAlert:
    fingerprint: str  # the same for every repeat of one alert, so repeats update rather than add
    source: str  # "alertmanager", or the generic alert's `source`
    name: str
    asset_hint: str | None
    severity: Severity
    state: SignalState
    summary: str
    ts: float  # when it started firing, or when it resolved
    labels: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_signal(self, tenant_id: str, asset_id: str) -> Signal:
        """The signal for this alert once the platform has matched `asset_hint` to an asset."""
        return Signal(fingerprint=f"{tenant_id}:{self.fingerprint}", tenant_id=tenant_id, asset_id=asset_id,
                      kind="external", severity=self.severity, state=self.state, summary=self.summary,
                      ts=self.ts, evidence={"source": self.source, "name": self.name, **self.evidence})


def decode_json(body: bytes, max_bytes: int = MAX_BODY) -> Any:
    """A request body as JSON; too large or not JSON is a `ValidationFailed` at "body"."""
    if len(body) > max_bytes:
        raise ValidationFailed(f"the body is {len(body):,} bytes; at most {max_bytes:,} are accepted", "body")
    try:
        return json.loads(body)
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the body is not UTF-8 text", "body") from exc
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                               "body") from exc


def fingerprint_of(source: str, *parts: object) -> str:
    """`source:` and a short hash of `parts` (JSON with sorted keys, so label order does not matter)."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{source}:{hashlib.sha256(canonical.encode()).hexdigest()[:20]}"


def asset_hint(labels: Mapping[str, str]) -> str | None:
    """The asset the alert is about: label `asset`, else `host`, else the host part of `instance`.

    An explicit `asset` or `host` label is what someone wrote on purpose; `instance` is only the
    scrape target (an address with a port, or a probed URL), so it comes last.
    """
    for key in ("asset", "host"):
        if labels.get(key, "").strip():
            return labels[key].strip()
    instance = labels.get("instance", "").strip()
    return host_part(instance) or None


def parse_time(text: str, where: str) -> float | None:
    """RFC 3339 text as unix seconds; Go's zero time (Alertmanager's "not set") is None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(f"{text[:40]!r} is not an RFC 3339 time", where) from exc
    if moment.tzinfo is None:
        raise ValidationFailed(f"{text[:40]!r} has no time zone (add Z or an offset like +01:00)", where)
    return None if moment.year <= 1 else moment.timestamp()


def shorten(text: str) -> str:
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…"


def first_error(exc: ValidationError, hint: str = "") -> ValidationFailed:
    """The first pydantic error as a sentence whose `where` is the field path, e.g. alerts.3.labels."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "body"
    message = f"unknown field{hint}" if err["type"] == "extra_forbidden" else err["msg"]
    return ValidationFailed(message, where)
