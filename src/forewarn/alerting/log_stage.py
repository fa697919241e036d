"""The log stage: lines are mined into templates per asset; new patterns and rate jumps become signals."""

from __future__ import annotations

from dataclasses import dataclass

from forewarn.analysis.logs import LogTemplateMiner, PatternEvent, PatternWatcher
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal

LEARN_SECONDS = 3600.0  # a source's patterns are all "new" at first: report new ones after this long
QUIET_SECONDS = 1800.0  # a log signal resolves after this long without the pattern misbehaving again


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log message attributed to an asset (by the syslog receiver or the push API)."""

    tenant_id: str
    asset_id: str
    ts: float
    message: str
    app: str = ""
    severity: int | None = None  # syslog severity 0 (emergency) … 7 (debug), when known


def log_fingerprint(source: str, template_id: int) -> str:
    return f"log:{source}:{template_id}"


class LogSignals:
    def __init__(self) -> None:
        self.miner = LogTemplateMiner()
        self.watcher = PatternWatcher()
        self._first_seen: dict[str, float] = {}
        self._firing: dict[str, tuple[float, Signal]] = {}  # fingerprint → (last bad ts, firing signal)

    def process(self, lines: list[LogLine]) -> list[Signal]:
        events: list[PatternEvent] = []
        owners: dict[str, tuple[str, str]] = {}
        for line in sorted(lines, key=lambda x: x.ts):
            source = f"{line.tenant_id}/{line.asset_id}"
            owners[source] = (line.tenant_id, line.asset_id)
            self._first_seen.setdefault(source, line.ts)
            match = self.miner.add(line.message)
            events += self.watcher.observe(source, match.template_id, match.template, line.ts, line.message[:500])
        signals = [s for e in events if (s := self._from_event(e, owners)) is not None]
        if lines:
            signals += self._quiet_ones(max(x.ts for x in lines))
        return signals

    def _from_event(self, event: PatternEvent, owners: dict[str, tuple[str, str]]) -> Signal | None:
        tenant_id, asset_id = owners.get(event.source) or event.source.split("/", 1)
        fingerprint = log_fingerprint(event.source, event.template_id)
        rising = event.kind == "new" or event.rate_per_min > event.baseline_per_min
        if event.kind == "new" and event.ts - self._first_seen.get(event.source, event.ts) < LEARN_SECONDS:
            return None  # still learning what this source normally says
        if not rising:
            return self._resolve(fingerprint, event.ts)
        summary = (f"new log pattern: `{event.template}`, {event.rate_per_min:.0f}/min" if event.kind == "new"
                   else f"log pattern `{event.template}` at {event.rate_per_min:.0f}/min "
                        f"(usually {event.baseline_per_min:.0f}/min)")
        signal = Signal(fingerprint=fingerprint, tenant_id=tenant_id, asset_id=asset_id, kind="log",
                        severity=Severity.WARNING, state=SignalState.FIRING, summary=summary, ts=event.ts,
                        evidence={"template": event.template, "example": event.example,
                                  "rate_per_min": event.rate_per_min, "baseline_per_min": event.baseline_per_min})
        self._firing[fingerprint] = (event.ts, signal)
        return signal

    def _resolve(self, fingerprint: str, ts: float) -> Signal | None:
        entry = self._firing.pop(fingerprint, None)
        if entry is None:
            return None
        firing = entry[1]
        return Signal(fingerprint=fingerprint, tenant_id=firing.tenant_id, asset_id=firing.asset_id, kind="log",
                      severity=Severity.INFO, state=SignalState.RESOLVED, summary="log pattern back to normal",
                      ts=ts, evidence=firing.evidence)

    def _quiet_ones(self, now: float) -> list[Signal]:
        done = [fp for fp, (last, _) in self._firing.items() if now - last > QUIET_SECONDS]
        return [s for fp in done if (s := self._resolve(fp, now)) is not None]
