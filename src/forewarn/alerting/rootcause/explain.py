"""One paragraph a technician can read: what went wrong where, when, and how it reached the symptom."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from forewarn.alerting.rootcause.evidence import NodeEvidence
from forewarn.alerting.rootcause.families import Family, family_of

if TYPE_CHECKING:  # ranking imports this module; the type is only needed for hints
    from forewarn.alerting.rootcause.ranking import Components

_STATE = {Family.AVAILABILITY: "failing", Family.ERRORS: "failing"}


def explain(path: tuple[str, ...], evidence: Mapping[str, NodeEvidence], parts: Components) -> str:
    """E.g. "db1 latency anomalous from 09:02 (z=8.1) → api latency_p99 → web. Its dependencies are healthy…"."""
    chain = " → ".join([_root_phrase(evidence[path[0]])] + [_hop(n, evidence.get(n)) for n in path[1:]])
    return f"{chain}. {_verdict(parts)}"


def _root_phrase(ev: NodeEvidence) -> str:
    if not ev.anomalous or ev.metric is None:
        return f"{ev.node} shows no clear anomaly"
    state = _STATE.get(family_of(ev.metric), "anomalous")
    when = f" from {datetime.fromtimestamp(ev.onset, UTC):%H:%M}" if ev.onset is not None else ""
    return f"{ev.node} {ev.metric} {state}{when} (z={ev.zscore:.1f})"


def _hop(node: str, ev: NodeEvidence | None) -> str:
    return f"{node} {ev.metric}" if ev is not None and ev.anomalous and ev.metric else node


def _verdict(parts: Components) -> str:
    health = ("Its own dependencies are healthy" if parts.healthy_dependencies >= 0.999
              else f"A dependency is also anomalous (healthy-dependencies factor {parts.healthy_dependencies:.2f})")
    return (f"{health}; it explains {parts.impact_explained:.0%} of the observed impact "
            f"(onset credit {parts.onset:.2f}, own anomaly {parts.own_anomaly:.2f}).")
