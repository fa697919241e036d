"""Generic webhook channel: a JSON body signed with HMAC-SHA256 over "timestamp.body", with an Idempotency-Key.

Receivers verify with `verify_signature` (or the same three lines in any language): recompute
`hex(hmac_sha256(secret, f"{X-Forewarn-Timestamp}.{body}"))`, compare in constant time with the
`sha256=` value of `X-Forewarn-Signature`, and reject timestamps older than a few minutes (replay).
Delivery is at least once: a retry after an unacknowledged send carries the same `Idempotency-Key`,
so the receiver must treat a key it has already processed as a success and do nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar

from pydantic import Field, SecretStr, field_validator

from forewarn.notify.channels.base import Channel, Message, UrlConfig, post_json
from forewarn.notify.templates import render

SIGNATURE_HEADER = "X-Forewarn-Signature"
TIMESTAMP_HEADER = "X-Forewarn-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_RESERVED = {h.lower() for h in (SIGNATURE_HEADER, TIMESTAMP_HEADER, IDEMPOTENCY_HEADER, "content-type",
                                 "content-length", "host")}


class WebhookConfig(UrlConfig):
    secret: SecretStr = Field(description="shared secret for the HMAC-SHA256 signature (at least 16 characters)")
    headers: dict[str, str] = Field(default_factory=dict, description="extra request headers (not secret)")

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("headers")
    @classmethod
    def _plain_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not name.replace("-", "").isalnum() or name.lower() in _RESERVED:
                raise ValueError(f"{name!r} cannot be set as an extra header")
            if any(c in text for c in "\r\n\x00"):
                raise ValueError(f"the value of {name!r} contains a line break")
        return value


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a body sent at `timestamp` (seconds since the epoch, as text)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, body: bytes, timestamp: str, signature: str, now: float,
                     tolerance: float = 300.0) -> bool:
    """True when the signature matches and the timestamp is within `tolerance` seconds of `now`."""
    try:
        fresh = abs(now - float(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(message: Message) -> dict[str, Any]:
    """The JSON document: one entry per change, a text summary, and the idempotency key."""
    return {
        "idempotency_key": message.idempotency_key,
        "text": render("text", message),
        "events": [{
            "change": i.change, "incident_id": i.incident.get("id"), "title": i.incident.get("title"),
            "severity": i.incident.get("severity"), "status": i.incident.get("status"),
            "proactive": bool(i.incident.get("proactive")), "root_cause": i.incident.get("root_cause") or None,
            "latest": i.incident.get("latest") or None, "link": i.link, "sla": i.incident.get("sla") or None,
        } for i in message.items],
    }


class WebhookChannel(Channel):
    kind: ClassVar[str] = "webhook"
    config_model: ClassVar[type[UrlConfig]] = WebhookConfig
    config: WebhookConfig

    async def send(self, message: Message) -> None:
        body = json.dumps(payload(message), separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = str(int(self.seams.clock.now()))
        headers = {**self.config.headers, IDEMPOTENCY_HEADER: message.idempotency_key,
                   TIMESTAMP_HEADER: timestamp,
                   SIGNATURE_HEADER: sign(self.config.secret.get_secret_value(), timestamp, body)}
        await post_json(self.seams, self.config.url.get_secret_value(), body, headers, self.config.timeout)
