"""Scores a policy's handling of the fault timeline: outages, downtime, lead times, MTTD/MTTR, hours and cost."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from forewarn.simulation.faults import Truth
from forewarn.simulation.policies import Handling
from forewarn.simulation.scenario import Scenario
from forewarn.simulation.twin import Topology
from forewarn.simulation.workload import DAY

WEEK = 7 * DAY


@dataclass
class FaultOutcome:
    id: int
    kind: str
    asset: str
    onset: float
    failure_at: float
    detected_at: float | None
    repaired_at: float | None
    via: str
    outage: bool
    prevented: bool
    lead_minutes: float | None
    data_loss: bool
    services: list[str]


@dataclass
class PolicyResult:
    name: str
    outages: int
    downtime_minutes: float
    downtime_by_service: dict[str, float]
    proactive_incidents: int
    median_lead_time_minutes: float | None
    lead_times_minutes: list[float]
    mttd_minutes: float | None
    mttr_minutes: float | None
    technician_hours: float
    data_loss_events: int
    bill: float
    downtime_cost: float
    data_loss_cost: float
    cost: float
    downtime_per_week: list[float]
    cost_per_day: list[float]  # cumulative client cost at the end of each day
    faults: list[FaultOutcome] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        keys = ("outages", "downtime_minutes", "proactive_incidents", "median_lead_time_minutes", "mttd_minutes",
                "mttr_minutes", "technician_hours", "data_loss_events", "bill", "downtime_cost",
                "data_loss_cost", "cost")
        out = {k: _round(getattr(self, k)) for k in keys}
        out["downtime_by_service"] = {k: _round(v) for k, v in self.downtime_by_service.items()}
        out.update({k: _round(v) for k, v in self.extra.items()})
        return out


def _round(v: float | int | None) -> float | int | None:
    return round(v, 1) if isinstance(v, float) else v


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def fault_outcomes(truths: list[Truth], handlings: list[Handling], topology: Topology,
                   end: float) -> list[FaultOutcome]:
    out = []
    for truth, h in zip(truths, handlings, strict=True):
        repaired = h.repaired_at if h.repaired_at is not None else math.inf
        hit = truth.failure_at < min(end, repaired)
        services = topology.affected_services(truth.fails) if hit else []
        early = h.detected_at is not None and h.via == "incident" and h.detected_at < truth.failure_at
        out.append(FaultOutcome(
            truth.id, truth.kind, truth.asset, truth.onset, truth.failure_at, h.detected_at, h.repaired_at, h.via,
            outage=bool(services), prevented=early and not hit and repaired <= truth.failure_at,
            lead_minutes=(truth.failure_at - h.detected_at) / 60.0 if early and h.detected_at is not None else None,
            data_loss=truth.data_loss and hit, services=services))
    return out


def _downtime(outcomes: list[FaultOutcome], end: float) -> dict[str, list[tuple[float, float]]]:
    """Per service the union of the intervals in which a fault kept it failed."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for o in outcomes:
        stop = min(end, o.repaired_at if o.repaired_at is not None else math.inf)
        for s in o.services:
            spans.setdefault(s, []).append((o.failure_at, stop))
    merged: dict[str, list[tuple[float, float]]] = {}
    for s, items in spans.items():
        items.sort()
        acc: list[tuple[float, float]] = []
        for a, b in items:
            if acc and a <= acc[-1][1]:
                acc[-1] = (acc[-1][0], max(acc[-1][1], b))
            else:
                acc.append((a, b))
        merged[s] = acc
    return merged


def _per_bin(spans: dict[str, list[tuple[float, float]]], start: float, width: float, n: int) -> np.ndarray:
    """Minutes of service downtime falling into each of n bins of `width` seconds."""
    edges = start + width * np.arange(n + 1)
    out = np.zeros(n)
    for items in spans.values():
        for a, b in items:
            out += np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, None) / 60.0
    return out


def score(name: str, scenario: Scenario, truths: list[Truth], handlings: list[Handling], topology: Topology,
          end: float, fee: float, rate: float, extra_tech_minutes: float = 0.0) -> PolicyResult:
    start, days = scenario.start, max(1, math.ceil((end - scenario.start) / DAY))
    outcomes = fault_outcomes(truths, handlings, topology, end)
    spans = _downtime(outcomes, end)
    by_service = {s: sum(b - a for a, b in items) / 60.0 for s, items in sorted(spans.items())}
    detected = [(o, h) for o, h in zip(outcomes, handlings, strict=True)
                if h.detected_at is not None and h.detected_at < end]
    leads = sorted(o.lead_minutes for o in outcomes if o.lead_minutes is not None)
    tech = sum(h.tech_minutes for h in handlings) + extra_tech_minutes
    bill = fee + rate * sum(h.billed_minutes for h in handlings) / 60.0
    per_day_down = _per_bin(spans, start, DAY, days)
    downtime_cost = float(per_day_down.sum()) / 60.0 * scenario.costs.downtime_per_service_hour
    losses = [o for o in outcomes if o.data_loss]
    daily = _daily_cost(scenario, handlings, losses, per_day_down, fee, rate, days)
    return PolicyResult(
        name=name, outages=sum(o.outage for o in outcomes), downtime_minutes=float(sum(by_service.values())),
        downtime_by_service=by_service, proactive_incidents=len(leads),
        median_lead_time_minutes=float(np.median(leads)) if leads else None, lead_times_minutes=leads,
        mttd_minutes=_mean([(h.detected_at - o.onset) / 60.0 for o, h in detected]),
        mttr_minutes=_mean([(h.repaired_at - h.detected_at) / 60.0 for _, h in detected
                            if h.repaired_at is not None and h.detected_at is not None]),
        technician_hours=tech / 60.0, data_loss_events=len(losses), bill=bill, downtime_cost=downtime_cost,
        data_loss_cost=len(losses) * scenario.costs.data_loss_event, cost=float(daily[-1]) if days else bill,
        downtime_per_week=_per_bin(spans, start, WEEK, math.ceil(days / 7)).tolist(),
        cost_per_day=daily.tolist(), faults=outcomes)


def _daily_cost(scenario: Scenario, handlings: list[Handling], losses: list[FaultOutcome],
                per_day_down: np.ndarray, fee: float, rate: float, days: int) -> np.ndarray:
    """Cumulative client cost per day: the fee spread evenly, visits billed when done, downtime, lost data."""
    daily = np.full(days, fee / days) + per_day_down / 60.0 * scenario.costs.downtime_per_service_hour
    for h in handlings:
        if h.billed_minutes and h.repaired_at is not None:
            daily[min(days - 1, int((h.repaired_at - scenario.start) // DAY))] += rate * h.billed_minutes / 60.0
    for o in losses:
        daily[min(days - 1, int((o.failure_at - scenario.start) // DAY))] += scenario.costs.data_loss_event
    return np.cumsum(daily)
