"""The incident lifecycle allows exactly the transitions in its table."""

import pytest

from forewarn.core.enums import IncidentStatus as S
from forewarn.core.errors import ConflictError
from forewarn.incidents import TRANSITIONS, next_status


@pytest.mark.parametrize(("current", "action", "expected"), [
    (S.NEW, "acknowledge", S.ACKNOWLEDGED),
    (S.NEW, "resolve", S.RESOLVED),
    (S.ACKNOWLEDGED, "resolve", S.RESOLVED),
    (S.RESOLVED, "close", S.CLOSED),
    (S.RESOLVED, "reopen", S.NEW),
])
def test_allowed_transitions(current, action, expected):
    assert next_status(current, action) is expected


@pytest.mark.parametrize(("current", "action"), [
    (S.ACKNOWLEDGED, "acknowledge"),
    (S.NEW, "close"),
    (S.CLOSED, "reopen"),
    (S.CLOSED, "resolve"),
    (S.RESOLVED, "acknowledge"),
])
def test_forbidden_transitions_say_why(current, action):
    with pytest.raises(ConflictError, match=f"cannot {action}"):
        next_status(current, action)


def test_closed_is_terminal():
    assert all(S.CLOSED not in allowed for allowed, _ in TRANSITIONS.values())
