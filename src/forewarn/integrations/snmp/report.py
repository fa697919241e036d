"""What each section contributes to the outcome, and how the sections become one outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint

STATUS_BY_NAME = {"ok": CheckStatus.OK, "warning": CheckStatus.WARNING, "critical": CheckStatus.CRITICAL}
MAX_SUMMARY = 400


@dataclass(slots=True)
class SectionReport:
    """A section's notes (each with the status it implies) and metrics."""

    notes: list[tuple[CheckStatus, str]] = field(default_factory=list)
    metrics: list[MetricPoint] = field(default_factory=list)

    def note(self, text: str, status: CheckStatus = CheckStatus.OK) -> None:
        self.notes.append((status, text))

    def metric(self, name: str, value: float, unit: str = "", **labels: str) -> None:
        self.metrics.append(MetricPoint(name, float(value), unit, labels))

    def problems(self, where: str, items: list[str]) -> None:
        """Malformed values make the section UNKNOWN: the data cannot be trusted."""
        if items:
            more = f" (+{len(items) - 2} more)" if len(items) > 2 else ""
            self.note(f"malformed {where}: {'; '.join(items[:2])}{more}", CheckStatus.UNKNOWN)

    @property
    def status(self) -> CheckStatus:
        return CheckStatus.worst(*(status for status, _ in self.notes))


def combine(reports: list[SectionReport]) -> CheckOutcome:
    """Worst status of all notes; the summary lists the worst notes first, then the rest in order.

    For example notes [(OK, "tt (Linux …) up 27 d"), (WARNING, "eth1 down (admin up)")] give
    WARNING "eth1 down (admin up); tt (Linux …) up 27 d".
    """
    notes = [n for report in reports for n in report.notes]
    ordered = sorted(notes, key=lambda n: -n[0].rank)  # sorted() is stable: OK notes keep their order
    summary = "; ".join(text for _, text in ordered) or "no data"
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 1] + "…"
    status = CheckStatus.worst(*(s for s, _ in notes))
    return CheckOutcome(status, summary, [m for report in reports for m in report.metrics])


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listing(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")
