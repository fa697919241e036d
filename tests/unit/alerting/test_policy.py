"""Hysteresis and flap detection turn raw check statuses into believed changes."""

from forewarn.alerting import AlertState, step
from forewarn.core.enums import CheckStatus

OK, WARN, CRIT = CheckStatus.OK, CheckStatus.WARNING, CheckStatus.CRITICAL


def feed(statuses, confirm=2, state=None):
    state = state or AlertState()
    steps = []
    for s in statuses:
        out = step(state, s, confirm)
        steps.append(out)
        state = out.state
    return state, steps


def test_a_single_bad_result_is_not_believed():
    state, steps = feed([CRIT, OK, OK])
    assert state.confirmed is OK
    assert all(s.changed_from is None for s in steps)


def test_consecutive_results_confirm_a_change_once():
    state, steps = feed([CRIT, CRIT, CRIT])
    assert state.confirmed is CRIT
    assert [s.changed_from for s in steps] == [None, OK, None]


def test_recovery_also_needs_confirmation():
    state, _ = feed([CRIT, CRIT])
    state, steps = feed([OK, OK], state=state)
    assert state.confirmed is OK
    assert steps[1].changed_from is CRIT and steps[0].changed_from is None


def test_confirm_count_one_reacts_immediately():
    _, steps = feed([WARN], confirm=1)
    assert steps[0].changed_from is OK


def test_alternating_results_start_and_then_stop_flapping():
    state, steps = feed([OK, CRIT] * 8, confirm=1)
    assert state.flapping
    assert sum(s.flap_started for s in steps) == 1
    state, steps = feed([OK] * 21, confirm=1, state=state)
    assert not state.flapping
    assert sum(s.flap_stopped for s in steps) == 1


def test_flap_window_is_bounded():
    state, _ = feed([OK, CRIT] * 100, confirm=1)
    assert len(state.recent) == 21
