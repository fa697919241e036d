"""Generic JSON alerts: the schema any tool (a script, a NAS, a cloud monitor) can POST to forewarn.

A body is one alert object or a JSON array of them (at most 1,000). Fields:

    source       required  who raised it: "uptime-kuma", "backup-script" (1-100 characters)
    name         required  what is wrong, stable across repeats: "disk full" (1-200 characters)
    severity     optional  "info" | "warning" | "critical"; default "warning"
    status       optional  "firing" | "resolved"; default "firing"
    asset        optional  the forewarn asset name or address it is about
    host         optional  a host name or address; used when `asset` is absent
    summary      optional  one line for people (default: `name`); longer than 1,000 characters is cut
    labels       optional  {"string": "string"}, e.g. {"mount": "/var"}; part of the identity
    ts           optional  when it happened: unix seconds, or RFC 3339 text with a zone; default: receipt
    fingerprint  optional  the sender's own id for the alert; default: hash of source, name,
                           asset or host, and labels
    details      optional  any JSON object; kept as evidence, not interpreted

Example::

    {"source": "backup-script", "name": "nightly backup failed", "severity": "critical",
     "host": "nas1", "summary": "rsync exited 23 after 2 h", "labels": {"job": "nightly"},
     "ts": "2026-11-28T02:13:00Z"}

Unknown fields are refused (a misspelt "severty" would otherwise be silently ignored).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from forewarn.core import Severity, SignalState, ValidationFailed
from forewarn.integrations.alerts_in.alert import (
    SUMMARY_MAX,
    InboundAlert,
    fingerprint_of,
    first_error,
    parse_time,
    shorten,
)

MAX_ALERTS = 1000
_YEAR_3000 = 32_503_680_000.0
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\x00-\x1f]*$")]
FIELDS = "source, name, severity, status, asset, host, summary, labels, ts, fingerprint, details"


class GenericAlert(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Annotated[_Text, StringConstraints(max_length=100)]
    name: Annotated[_Text, StringConstraints(max_length=200)]
    severity: Literal["info", "warning", "critical"] = "warning"
    status: Literal["firing", "resolved"] = "firing"
    asset: Annotated[_Text, StringConstraints(max_length=255)] | None = None
    host: Annotated[_Text, StringConstraints(max_length=255)] | None = None
    summary: str | None = Field(None, max_length=100_000)
    labels: dict[str, str] = Field(default_factory=dict, max_length=100)
    ts: Any = None  # checked in _timestamp: a number or RFC 3339 text
    fingerprint: Annotated[_Text, StringConstraints(max_length=200)] | None = None
    details: dict[str, Any] = Field(default_factory=dict)


def from_generic(payload: Any, received: float) -> list[InboundAlert]:
    """One alert object or an array of them; `received` dates alerts without `ts`."""
    many = isinstance(payload, list)
    items = payload if many else [payload]
    if many and not 1 <= len(items) <= MAX_ALERTS:
        raise ValidationFailed(f"an array of alerts must hold 1 to {MAX_ALERTS:,} alerts, not {len(items):,}",
                               "body")
    alerts = []
    for i, item in enumerate(items):
        prefix = f"{i}." if many else ""
        try:
            alert = GenericAlert.model_validate(item)
        except ValidationError as exc:
            error = first_error(exc, f"; the generic alert fields are {FIELDS}")
            where = prefix + error.where if error.where != "body" else (prefix.rstrip(".") or "body")
            raise ValidationFailed(error.message, where) from exc
        alerts.append(_convert(alert, received, prefix))
    return alerts


def _timestamp(value: Any, received: float, where: str) -> float:
    if value is None:
        return received
    if isinstance(value, str):
        ts = parse_time(value, where)
        if ts is None:
            raise ValidationFailed(f"{value!r} is not a plausible time", where)
        return ts
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationFailed("must be unix seconds (a number) or RFC 3339 text", where)
    if not 0 < value < _YEAR_3000:
        hint = " (it looks like milliseconds; send seconds)" if _YEAR_3000 <= value < _YEAR_3000 * 1000 else ""
        raise ValidationFailed(f"{value} is not a unix time in seconds{hint}", where)
    return float(value)


def _convert(alert: GenericAlert, received: float, prefix: str) -> InboundAlert:
    ts = _timestamp(alert.ts, received, f"{prefix}ts")
    hint = alert.asset or alert.host
    fingerprint = (f"{alert.source}:{alert.fingerprint}" if alert.fingerprint
                   else fingerprint_of(alert.source, alert.name, hint, alert.labels))
    evidence: dict[str, Any] = {"labels": dict(alert.labels)}
    if alert.details:
        evidence["details"] = alert.details
    if alert.summary and len(alert.summary) > SUMMARY_MAX:
        evidence["full_summary"] = alert.summary
    return InboundAlert(
        fingerprint=fingerprint, source=alert.source, name=alert.name, asset_hint=hint,
        severity=Severity(alert.severity), state=SignalState(alert.status),
        summary=shorten(alert.summary or alert.name), ts=ts, labels=dict(alert.labels), evidence=evidence,
    )
