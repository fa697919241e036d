"""Pure rules that turn a stream of check statuses into believed state changes: hysteresis and flapping."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from forewarn.core.enums import CheckStatus

FLAP_WINDOW = 21  # results looked at, as Nagios does
FLAP_START = 0.5  # share of state changes in the window that starts flapping
FLAP_STOP = 0.25  # and the lower share that ends it (a gap, so it does not flap about flapping)
FLAP_MIN_RESULTS = 10  # too few results say nothing about flapping: two changes in three is noise


@dataclass(frozen=True, slots=True)
class AlertState:
    confirmed: CheckStatus = CheckStatus.OK
    pending: CheckStatus = CheckStatus.OK
    pending_count: int = 0
    recent: tuple[int, ...] = field(default_factory=tuple)
    flapping: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    state: AlertState
    changed_from: CheckStatus | None = None  # set when the confirmed status changed
    flap_started: bool = False
    flap_stopped: bool = False


def flap_ratio(recent: tuple[int, ...]) -> float:
    if len(recent) < 2:
        return 0.0
    changes = sum(1 for a, b in zip(recent, recent[1:], strict=False) if a != b)
    return changes / (len(recent) - 1)


def step(state: AlertState, status: CheckStatus, confirm_count: int) -> Step:
    """Feed one result. A new status is believed after `confirm_count` consecutive results."""
    recent = (*state.recent, int(status))[-FLAP_WINDOW:]
    ratio = flap_ratio(recent)
    if state.flapping:
        flapping = ratio > FLAP_STOP
    else:
        flapping = len(recent) >= FLAP_MIN_RESULTS and ratio >= FLAP_START
    if status == state.confirmed:
        pending, count = status, 0
    elif status == state.pending:
        pending, count = status, state.pending_count + 1
    else:
        pending, count = status, 1
    new = replace(state, pending=pending, pending_count=count, recent=recent, flapping=flapping)
    changed_from = None
    if status != state.confirmed and count >= confirm_count:
        changed_from = state.confirmed
        new = replace(new, confirmed=status, pending_count=0)
    return Step(new, changed_from, flapping and not state.flapping, state.flapping and not flapping)
