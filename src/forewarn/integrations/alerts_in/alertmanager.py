"""Prometheus Alertmanager webhook payloads (version 4) as inbound alerts.

Raw input, as Alertmanager POSTs it to a `webhook_configs` URL (abridged)::

    {"version": "4", "status": "firing", "receiver": "forewarn", "groupKey": "{}:{alertname=\\"DiskFull\\"}",
     "alerts": [{"status": "firing",
                 "labels": {"alertname": "DiskFull", "instance": "10.0.0.5:9100", "severity": "page"},
                 "annotations": {"summary": "/ is 97% full"},
                 "startsAt": "2026-11-28T14:03:09.123456789Z", "endsAt": "0001-01-01T00:00:00Z",
                 "generatorURL": "http://prometheus:9090/graph?g0.expr=...", "fingerprint": "5c2e1a0b9f3d7e41"}]}

gives one critical, firing alert "DiskFull" on asset hint "10.0.0.5" with summary "/ is 97% full".
Severity comes from the `severity` label: critical or page → critical, warning → warning, anything
else (or none) → warning.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forewarn.core import Severity, SignalState, ValidationFailed
from forewarn.integrations.alerts_in.alert import (
    InboundAlert,
    asset_hint,
    fingerprint_of,
    first_error,
    parse_time,
    shorten,
)

SOURCE = "alertmanager"
MAX_ALERTS = 10_000
_SEVERITY = {"critical": Severity.CRITICAL, "page": Severity.CRITICAL, "warning": Severity.WARNING}


class _Alert(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: str | None = Field(None, alias="startsAt")
    ends_at: str | None = Field(None, alias="endsAt")
    generator_url: str = Field("", alias="generatorURL")
    fingerprint: str = ""


class _Payload(BaseModel):
    # Alertmanager adds fields over time; the ones read here have been stable since version 4.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    version: str = "4"
    status: Literal["firing", "resolved"]
    receiver: str = ""
    group_key: str = Field("", alias="groupKey")
    external_url: str = Field("", alias="externalURL")
    alerts: list[_Alert] = Field(max_length=MAX_ALERTS)


def from_alertmanager(payload: Any, received: float) -> list[InboundAlert]:
    """The alerts of one webhook call; `received` dates an alert that carries no usable time."""
    if isinstance(payload, dict) and payload.get("version", "4") != "4":
        raise ValidationFailed(f"webhook version {payload['version']!r} is not supported; Alertmanager "
                               "sends version 4", "version")
    try:
        doc = _Payload.model_validate(payload)
    except ValidationError as exc:
        raise first_error(exc) from exc
    return [_convert(alert, doc, i, received) for i, alert in enumerate(doc.alerts)]


def _convert(alert: _Alert, doc: _Payload, index: int, received: float) -> InboundAlert:
    where = f"alerts.{index}"
    starts = parse_time(alert.starts_at, f"{where}.startsAt") if alert.starts_at else None
    ends = parse_time(alert.ends_at, f"{where}.endsAt") if alert.ends_at else None
    firing = alert.status == "firing"
    ts = (starts if firing else ends or starts) or received
    name = alert.labels.get("alertname") or "unnamed alert"
    summary = alert.annotations.get("summary") or alert.annotations.get("description") or name
    return InboundAlert(
        fingerprint=fingerprint_of(SOURCE, alert.labels),
        source=SOURCE,
        name=name,
        asset_hint=asset_hint(alert.labels),
        severity=_SEVERITY.get(alert.labels.get("severity", "").strip().lower(), Severity.WARNING),
        state=SignalState.FIRING if firing else SignalState.RESOLVED,
        summary=shorten(summary),
        ts=ts,
        labels=dict(alert.labels),
        evidence={
            "labels": dict(alert.labels), "annotations": dict(alert.annotations),
            "generator_url": alert.generator_url, "alertmanager_fingerprint": alert.fingerprint,
            "starts_at": alert.starts_at, "ends_at": alert.ends_at if ends is not None else None,
            "receiver": doc.receiver, "group_key": doc.group_key, "external_url": doc.external_url,
        },
    )
