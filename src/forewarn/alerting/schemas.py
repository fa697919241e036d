"""API output shapes for signals."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class SignalOut(BaseModel):
    id: str
    fingerprint: str
    tenant_id: str
    asset_id: str
    check_id: str | None
    kind: str
    severity: str
    state: str
    summary: str
    first_seen: float
    last_seen: float
    count: int
    flapping: bool
    evidence: dict[str, Any]
    suppressed: str | None = None
