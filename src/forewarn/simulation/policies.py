"""The two ways of running IT: break-fix (users report failures) and managed (a desk works forewarn's incidents)."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from forewarn.simulation.faults import FaultModel, Truth
from forewarn.simulation.scenario import BreakFixRates, ManagedRates, Range
from forewarn.simulation.twin import Topology


@dataclass(slots=True)
class Handling:
    """How one fault was handled under a policy."""

    fault_id: int
    detected_at: float | None = None
    repaired_at: float | None = None
    via: str = ""  # "incident" (forewarn) or "user report"
    tech_minutes: float = 0.0
    billed_minutes: float = 0.0


@dataclass(frozen=True, slots=True)
class IncidentView:
    """What the managed desk reads of an incident: when, how bad, and the assets it names (root cause first)."""

    id: str
    opened_at: float
    severity: str
    proactive: bool
    assets: tuple[str, ...]
    signal_count: int = 1
    merged: bool = False  # folded into another incident by correlation: it left the desk's queue


def draw(rng: np.random.Generator, r: Range) -> float:
    return float(rng.uniform(r.low, max(r.low, r.high)))


def report_delays(truths: list[Truth], seed: int, r: Range) -> dict[int, float]:
    """Minutes from a failure to the user's call, one draw per fault shared by both policies (a fair race)."""
    rng = np.random.default_rng([seed, 7])
    return {t.id: draw(rng, r) for t in truths}


def noticed_by_users(truth: Truth, topology: Topology) -> bool:
    """Users notice a failure of a user-facing service, or a restore that finds no backup."""
    return bool(topology.affected_services(truth.fails)) or (truth.data_loss and truth.fails is None)


def break_fix(truths: list[Truth], topology: Topology, rates: BreakFixRates, delays: dict[int, float],
              end: float, seed: int) -> list[Handling]:
    """Nobody watches monitoring: a failure users notice is reported, a technician is dispatched, bills hourly.

    Takes only the ground truth of the faults: this policy never sees a check, signal or incident.
    """
    rng = np.random.default_rng([seed, 8])
    out: list[Handling] = []
    for truth in sorted(truths, key=lambda x: (x.failure_at, x.id)):
        h = Handling(truth.id)
        out.append(h)
        if truth.failure_at >= end or not noticed_by_users(truth, topology):
            continue
        h.detected_at, h.via = truth.failure_at + delays[truth.id] * 60.0, "user report"
        arrive = h.detected_at + draw(rng, rates.dispatch_delay_minutes) * 60.0
        work = draw(rng, rates.diagnosis_minutes) + truth.repair_minutes
        h.repaired_at = arrive + work * 60.0
        h.tech_minutes = rates.travel_minutes + work
        h.billed_minutes = max(rates.minimum_hours * 60.0, h.tech_minutes)
    return sorted(out, key=lambda x: x.fault_id)


@dataclass(order=True)
class _Job:
    at: float
    seq: int
    incident: IncidentView | None = field(compare=False, default=None)
    fault_id: int | None = field(compare=False, default=None)


class ManagedDesk:
    """A service desk working the pipeline's incidents per the SLA (and users' calls for what it missed)."""

    def __init__(self, faults: list[FaultModel], topology: Topology, rates: ManagedRates,
                 delays: dict[int, float], seed: int) -> None:
        self.faults = {f.id: f for f in faults}
        self.topology = topology
        self.rates = rates
        self.delays = delays
        self.rng = np.random.default_rng([seed, 9])
        self.handled: dict[int, Handling] = {}
        self.incidents: dict[str, IncidentView] = {}
        self.false_alarms = 0
        self._jobs: list[_Job] = []
        self._reported: set[int] = set()
        self._pending: dict[str, float] = {}  # incident → when a technician's look is scheduled
        self._named: dict[str, set[float]] = {}  # asset → opening times of incidents naming it
        self._seq = 0

    def _push(self, at: float, incident: IncidentView | None = None, fault_id: int | None = None) -> None:
        self._seq += 1
        heapq.heappush(self._jobs, _Job(at, self._seq, incident, fault_id))

    def wants(self, incident_id: str, signal_count: int, merged: bool = False) -> bool:
        """Whether an incident change needs the desk: new, grown since a technician last saw it, or merged away."""
        seen = self.incidents.get(incident_id)
        return seen is None or signal_count > seen.signal_count or merged > seen.merged

    def incident_changed(self, view: IncidentView, now: float) -> None:
        """A new incident is worked per the SLA; one that grew (or got worse) is looked at again.

        One merged into another before its look is no job of its own: the incident it joined is
        worked, and a technician would not open a ticket closed as "merged into" that one.
        """
        first = view.id not in self.incidents
        self.incidents[view.id] = view
        if view.merged:
            self._pending.pop(view.id, None)  # its scheduled look is skipped (see tick)
            return
        for asset in view.assets:
            self._named.setdefault(asset, set()).add(now)
        wait = self.rates.response_minutes.get(view.severity, max(self.rates.response_minutes.values()))
        due = (view.opened_at if first else now) + wait * 60.0
        if due < self._pending.get(view.id, math.inf):  # an escalation brings the visit forward
            self._pending[view.id] = due
            self._push(due, incident=view)

    def tick(self, t: float) -> None:
        """Take users' calls about failures the desk has not in hand, then do every job due by t."""
        for f in self.faults.values():
            if f.id in self.handled or f.id in self._reported:
                continue
            called = f.failure_at + self.delays[f.id] * 60.0
            # The time test first: it is one addition, and it fails on nearly every tick.
            if called <= t and noticed_by_users(f.truth, self.topology):
                self._reported.add(f.id)
                self._push(called + self.rates.report_response_minutes * 60.0, fault_id=f.id)
        while self._jobs and self._jobs[0].at <= t:
            job = heapq.heappop(self._jobs)
            if job.incident is not None:
                if self._pending.get(job.incident.id) != job.at:
                    continue  # superseded by an earlier look
                del self._pending[job.incident.id]
                self._work_incident(job.at, self.incidents[job.incident.id])
            elif job.fault_id is not None and job.fault_id not in self.handled:
                called = self.faults[job.fault_id].failure_at + self.delays[job.fault_id] * 60.0
                self._repair(job.at, [self.faults[job.fault_id]], called, "user report", clear=False)

    def _work_incident(self, t: float, view: IncidentView) -> None:
        active = [f for f in self.faults.values() if f.onset <= t and f.id not in self.handled]
        # The technician looks where the incident points: its root cause first, then the other assets
        # it names; a fault elsewhere is for another incident (or a user's call) to find.
        named = set(view.assets)
        exact = [f for f in active if view.assets and view.assets[0] in (f.asset, f.fails)]
        near = [f for f in active if f.asset in named or f.fails in named]
        if exact or near:
            self._repair(t, exact or near[:1], view.opened_at, "incident", clear=bool(exact))
        elif not any(f.asset in named for f in self.faults.values() if f.id in self.handled):
            self.false_alarms += 1  # nothing wrong where the incident points: a look, then closed
            self._tech_only(self.rates.false_alarm_minutes)

    def _tech_only(self, minutes: float) -> None:
        self.handled.setdefault(-1, Handling(-1)).tech_minutes += minutes

    def _repair(self, t: float, faults: list[FaultModel], detected: float, via: str, clear: bool) -> None:
        diagnosis = draw(self.rng, self.rates.diagnosis_minutes if clear else self.rates.unclear_diagnosis_minutes)
        on_site = any(f.on_site for f in faults)
        work = diagnosis + sum(f.repair_minutes for f in faults) + (self.rates.travel_minutes if on_site else 0.0)
        done = t + work * 60.0
        for i, f in enumerate(faults):
            known = detected
            if via == "incident":  # known since an incident first pointed at its asset after it began
                seen = [ts for a in (f.asset, f.fails) for ts in self._named.get(a or "", ()) if f.onset <= ts <= t]
                known = min(seen) if seen else max(detected, f.onset)
            f.repaired_at = min(f.repaired_at, done)
            share = work if i == 0 else 0.0  # one visit: its time is booked on the first fault
            self.handled[f.id] = Handling(f.id, known, done, via, share, share if on_site else 0.0)

    def results(self) -> list[Handling]:
        return [self.handled.get(i, Handling(i)) for i in sorted(self.faults)]

    @property
    def overhead_minutes(self) -> float:
        return self.handled[-1].tech_minutes if -1 in self.handled else 0.0

