"""The comparison document: one run's numbers and chart series as plain JSON, and the table rows made from it.

The stored run, the tenant's comparison page and the HTML report all read this document, so the three can
never disagree and no number on them comes from anywhere but a run.
"""

from __future__ import annotations

from typing import Any

from forewarn.simulation.outcome import PolicyResult
from forewarn.simulation.runner import SimulationResult

POLICIES = ("break_fix", "managed")
# (key, label, format); the order of the comparison table.
ROWS = (("outages", "Outages (user-facing failures)", "{:.0f}"),
        ("downtime_minutes", "Downtime, service-minutes", "{:,.0f}"),
        ("proactive_incidents", "Faults caught before impact", "{:.0f}"),
        ("median_lead_time_minutes", "Median lead time, minutes", "{:,.0f}"),
        ("mttd_minutes", "MTTD, minutes", "{:,.0f}"), ("mttr_minutes", "MTTR, minutes", "{:,.0f}"),
        ("technician_hours", "Technician hours", "{:,.1f}"), ("data_loss_events", "Data-loss events", "{:.0f}"),
        ("bill", "IT bill", "{:,.0f}"), ("downtime_cost", "Cost of downtime", "{:,.0f}"),
        ("data_loss_cost", "Cost of lost data", "{:,.0f}"), ("cost", "Client cost, total", "{:,.0f}"))
LEAD_BINS = ((0, 1, "<1 h"), (1, 6, "1–6 h"), (6, 24, "6–24 h"), (24, 72, "1–3 d"), (72, float("inf"), ">3 d"))


def _hours(ts: float | None, start: float) -> float | None:
    return None if ts is None else round((ts - start) / 3600.0, 2)


def _series(p: PolicyResult) -> dict[str, list[float]]:
    return {"downtime_per_week": [round(v, 1) for v in p.downtime_per_week],
            "cost_per_day": [round(v, 1) for v in p.cost_per_day],
            "lead_times_minutes": [round(v, 1) for v in p.lead_times_minutes]}


def lead_histogram(lead_times_minutes: list[float]) -> tuple[list[str], list[int]]:
    """Faults caught before impact, counted by how long before: bins of hours."""
    hours = [m / 60.0 for m in lead_times_minutes]
    return [b[2] for b in LEAD_BINS], [sum(lo <= h < hi for h in hours) for lo, hi, _ in LEAD_BINS]


def document(result: SimulationResult, seconds: float | None = None) -> dict[str, Any]:
    """Everything the page and the report show of one run, JSON-ready."""
    doc = result.as_json()
    doc["start"], doc["seconds"] = result.start, None if seconds is None else round(seconds, 1)
    for name in POLICIES:
        policy: PolicyResult = getattr(result, name)
        doc[name]["series"] = _series(policy)
    doc["faults"] = [
        {"kind": b.kind, "asset": b.asset, "onset_h": _hours(b.onset, result.start),
         "failure_h": _hours(b.failure_at, result.start),
         "break_fix": {"detected_h": _hours(b.detected_at, result.start),
                       "repaired_h": _hours(b.repaired_at, result.start), "via": b.via},
         "managed": {"detected_h": _hours(m.detected_at, result.start),
                     "repaired_h": _hours(m.repaired_at, result.start), "via": m.via, "prevented": m.prevented}}
        for b, m in zip(result.break_fix.faults, result.managed.faults, strict=True)]
    return doc


def _fmt(pattern: str, value: float | int | None) -> str:
    return "—" if value is None else pattern.format(value)


def rows(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, break-fix, managed, difference) per line of the comparison table."""
    bf, mg = doc["break_fix"], doc["managed"]
    out = []
    for key, label, pattern in ROWS:
        a, b = bf.get(key), mg.get(key)
        diff = None if a is None or b is None else b - a
        out.append((label, _fmt(pattern, a), _fmt(pattern, b),
                    "—" if diff is None else ("+" if diff > 0 else "") + pattern.format(diff)))
    return out


def services(doc: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(service, break-fix minutes, managed minutes) for every service either policy lost."""
    bf, mg = doc["break_fix"]["downtime_by_service"], doc["managed"]["downtime_by_service"]
    return [(s, bf.get(s, 0.0), mg.get(s, 0.0)) for s in sorted(set(bf) | set(mg))]


def chart_data(doc: dict[str, Any]) -> dict[str, Any]:
    """The three charts' data as the uPlot script reads it (x values first, then one column per policy)."""
    bf, mg = doc["break_fix"]["series"], doc["managed"]["series"]
    weeks = max(len(bf["downtime_per_week"]), len(mg["downtime_per_week"]))
    labels, counts = lead_histogram(mg["lead_times_minutes"])
    days = max(len(bf["cost_per_day"]), len(mg["cost_per_day"]))
    return {
        "downtime": {"x": list(range(1, weeks + 1)), "break_fix": bf["downtime_per_week"],
                     "managed": mg["downtime_per_week"], "unit": "service-minutes"},
        "lead": {"x": list(range(len(labels))), "labels": labels, "managed": counts, "unit": "faults"},
        "cost": {"x": list(range(1, days + 1)), "break_fix": bf["cost_per_day"], "managed": mg["cost_per_day"],
                 "unit": "cost"},
    }
