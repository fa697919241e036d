"""The run lifecycle as a transition table: which status may follow which, and nothing else."""

from __future__ import annotations

from forewarn.core.errors import ConflictError
from forewarn.remediation.enums import RunStatus as S

# from → allowed next statuses. One table says what may happen; every move writes a timeline row.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.PENDING: frozenset({S.AWAITING_APPROVAL, S.RUNNING, S.SKIPPED, S.FAILED}),
    S.AWAITING_APPROVAL: frozenset({S.PENDING, S.REJECTED, S.SKIPPED}),
    S.RUNNING: frozenset({S.VERIFYING, S.SUCCEEDED, S.FAILED}),
    S.VERIFYING: frozenset({S.SUCCEEDED, S.FAILED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    S.REJECTED: frozenset(),
    S.SKIPPED: frozenset(),
}


def check_transition(current: S, target: S) -> S:
    """`target` when the table allows it from `current`, else a ConflictError saying why not."""
    if target not in TRANSITIONS[current]:
        raise ConflictError(f"a runbook run that is {current.value} cannot become {target.value}")
    return target
