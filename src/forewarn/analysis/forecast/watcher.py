"""Turns successive forecasts per series into raise/withdraw events, with hysteresis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from forewarn.analysis.forecast.text import forecast_text
from forewarn.analysis.forecast.types import DAY, Forecast

EventKind = Literal["raise", "withdraw"]


@dataclass(frozen=True, slots=True)
class ForecastEvent:
    """A forecast warning starting ("raise") or ending ("withdraw") for one series key."""

    key: str
    kind: EventKind
    forecast: Forecast
    text: str
    ts: float


@dataclass(slots=True)
class _KeyState:
    raised: bool = False
    streak: int = 0  # consecutive forecasts that agree with flipping the state


@dataclass(slots=True)
class ForecastWatcher:
    """Raises when a crossing is predicted within `horizon_s`; withdraws when it recedes.

    Withdrawal needs the crossing to recede beyond `horizon_s * withdraw_factor` (or vanish),
    and either flip needs `confirm` forecasts in a row, so a prediction hovering around the
    horizon does not flap. Already-crossed forecasts count as within the horizon.
    """

    horizon_s: float = 3 * DAY
    withdraw_factor: float = 1.5
    confirm: int = 1
    verb: str = "reaches its limit"
    _state: dict[str, _KeyState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.horizon_s <= 0 or self.withdraw_factor < 1.0 or self.confirm < 1:
            raise ValueError(
                "ForecastWatcher needs horizon_s > 0, withdraw_factor >= 1 and confirm >= 1; "
                f"got {self.horizon_s}, {self.withdraw_factor}, {self.confirm}"
            )

    def update(self, key: str, forecast: Forecast, label: str | None = None) -> ForecastEvent | None:
        """Feed the newest forecast for `key`; returns an event when the warning state flips."""
        state = self._state.setdefault(key, _KeyState())
        ahead = forecast.seconds_to_crossing()
        if state.raised:
            wants_flip = ahead is None or ahead > self.horizon_s * self.withdraw_factor
        else:
            wants_flip = ahead is not None and ahead <= self.horizon_s
        state.streak = state.streak + 1 if wants_flip else 0
        if state.streak < self.confirm:
            return None
        state.raised = not state.raised
        state.streak = 0
        kind: EventKind = "raise" if state.raised else "withdraw"
        text = forecast_text(forecast, label or key, verb=self.verb)
        return ForecastEvent(key=key, kind=kind, forecast=forecast, text=text, ts=forecast.now)

    def is_raised(self, key: str) -> bool:
        state = self._state.get(key)
        return state is not None and state.raised

    def forget(self, key: str) -> None:
        """Drop a series that no longer exists; no withdraw event is emitted for it."""
        self._state.pop(key, None)
