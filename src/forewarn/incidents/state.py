"""The incident lifecycle as a transition table (new → acknowledged → resolved → closed)."""

from __future__ import annotations

from forewarn.core.enums import IncidentStatus as S
from forewarn.core.errors import ConflictError

# action → (allowed from, to). A dispatch table, not an if-chain: one place says what may happen.
TRANSITIONS: dict[str, tuple[frozenset[S], S]] = {
    "acknowledge": (frozenset({S.NEW}), S.ACKNOWLEDGED),
    "resolve": (frozenset({S.NEW, S.ACKNOWLEDGED}), S.RESOLVED),
    "reopen": (frozenset({S.RESOLVED}), S.NEW),
    "close": (frozenset({S.RESOLVED}), S.CLOSED),
    # A merged incident lives on in the one it was merged into, whatever its state was.
    "merge": (frozenset({S.NEW, S.ACKNOWLEDGED, S.RESOLVED}), S.CLOSED),
}

OPEN_STATUSES = frozenset({S.NEW, S.ACKNOWLEDGED})


def next_status(current: S, action: str) -> S:
    if action not in TRANSITIONS:
        raise ConflictError(f"unknown incident action {action!r}")
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise ConflictError(f"cannot {action} an incident that is {current.value}")
    return target
