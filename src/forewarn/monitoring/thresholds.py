"""Pure rule: a check's metrics against its thresholds give a status and the reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from forewarn.core.enums import CheckStatus
from forewarn.core.records import MetricPoint
from forewarn.monitoring.schemas import Threshold


def _breaches(value: float, level: float | None, direction: str) -> bool:
    if level is None:
        return False
    return value > level if direction == "above" else value < level


def evaluate_thresholds(metrics: Iterable[MetricPoint], thresholds: Sequence[Threshold],
                        ) -> tuple[CheckStatus, list[str]]:
    """Worst status over all thresholds and one phrase per breach, e.g. "rtt_ms 250 > 200 (critical)"."""
    values = {m.name: m.value for m in metrics}
    status = CheckStatus.OK
    reasons: list[str] = []
    for t in thresholds:
        value = values.get(t.metric)
        if value is None:
            continue
        sign = ">" if t.direction == "above" else "<"
        if _breaches(value, t.critical, t.direction):
            status = CheckStatus.worst(status, CheckStatus.CRITICAL)
            reasons.append(f"{t.metric} {value:g} {sign} {t.critical:g} (critical)")
        elif _breaches(value, t.warning, t.direction):
            status = CheckStatus.worst(status, CheckStatus.WARNING)
            reasons.append(f"{t.metric} {value:g} {sign} {t.warning:g} (warning)")
    return status, reasons
