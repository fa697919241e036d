"""Which series have a limit worth forecasting: check thresholds, and well-known capacity metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.monitoring.models import CheckRow, SeriesRow
from forewarn.monitoring.schemas import Threshold

# Capacity metrics whose limit is known without configuration (the agent's, SNMP's, TLS's).
DEFAULT_LIMITS: dict[str, tuple[float, Literal["above", "below"]]] = {
    "disk_used_percent": (100.0, "above"),
    "storage_used_percent": (100.0, "above"),
    "memory_used_percent": (100.0, "above"),
    "swap_used_percent": (100.0, "above"),
    "days_to_expiry": (0.0, "below"),
}


@dataclass(frozen=True, slots=True)
class SeriesLimit:
    series_id: int
    limit: float
    direction: Literal["above", "below"]
    source: str  # "threshold" (a check's critical, else warning, level) or "default"


def series_limits(session: Session) -> list[SeriesLimit]:
    """One limit per series; a configured threshold wins over the built-in default."""
    by_check: dict[tuple[str, str], tuple[float, str]] = {}
    for check_id, thresholds in session.execute(select(CheckRow.id, CheckRow.thresholds)
                                                .where(CheckRow.enabled.is_(True))):
        for raw in thresholds or []:
            t = Threshold.model_validate(raw)
            level = t.critical if t.critical is not None else t.warning
            by_check[(check_id, t.metric)] = (float(level), t.direction)
    out: list[SeriesLimit] = []
    for sid, name, check_id in session.execute(select(SeriesRow.id, SeriesRow.name, SeriesRow.check_id)):
        if check_id and (check_id, name) in by_check:
            level, direction = by_check[(check_id, name)]
            out.append(SeriesLimit(sid, level, direction, "threshold"))  # type: ignore[arg-type]
        elif name in DEFAULT_LIMITS:
            level, direction = DEFAULT_LIMITS[name]
            out.append(SeriesLimit(sid, level, direction, "default"))
    return out
