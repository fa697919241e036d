"""Counter → rate: growth, 32- and 64-bit wraps, counter resets, and agent restarts."""

from __future__ import annotations

import pytest

from forewarn.integrations.snmp.rates import CounterRates, CounterReading, counter_delta

TARGET = "192.0.2.10:161/#abc"


def readings(**values: tuple[int, int]) -> dict[tuple[int, str], CounterReading]:
    return {(1, name): CounterReading(value, bits) for name, (value, bits) in values.items()}


def test_plain_growth_is_the_difference() -> None:
    assert counter_delta(1_000, 4_000, 32) == 3_000
    assert counter_delta(7, 7, 64) == 0


def test_counter32_wrap_counts_through_zero() -> None:
    assert counter_delta(2**32 - 100, 50, 32) == 150


def test_counter64_wrap_from_near_the_top_counts_through_zero() -> None:
    assert counter_delta(2**64 - 1_000, 1_000, 64) == 2_000


def test_counter64_going_down_from_the_lower_half_is_a_reset_not_a_wrap() -> None:
    assert counter_delta(5_000_000, 1_000, 64) is None


def test_first_poll_gives_no_rates_and_the_second_one_does() -> None:
    rates = CounterRates()

    first = rates.update(TARGET, 1000.0, 50_000, readings(in_octets=(10_000, 64)))
    second = rates.update(TARGET, 1010.0, 51_000, readings(in_octets=(35_000, 64)))

    assert first.rates == {} and first.skipped == "first poll, rates from the next one"
    assert second.skipped is None
    assert second.rates == {(1, "in_octets"): pytest.approx(2_500.0)}


def test_wrap32_between_polls_gives_the_true_rate() -> None:
    rates = CounterRates()
    rates.update(TARGET, 0.0, 100, readings(in_octets=(2**32 - 1_000, 32)))

    round_ = rates.update(TARGET, 10.0, 1_100, readings(in_octets=(9_000, 32)))

    assert round_.rates[(1, "in_octets")] == pytest.approx(1_000.0)  # 10,000 bytes in 10 s


def test_wrap64_between_polls_gives_the_true_rate() -> None:
    rates = CounterRates()
    rates.update(TARGET, 0.0, 100, readings(out_octets=(2**64 - 600, 64)))

    round_ = rates.update(TARGET, 4.0, 500, readings(out_octets=(1_400, 64)))

    assert round_.rates[(1, "out_octets")] == pytest.approx(500.0)


def test_reboot_seen_as_uptime_going_down_skips_the_round_then_rates_resume() -> None:
    rates = CounterRates()
    rates.update(TARGET, 0.0, 9_000_000, readings(in_octets=(4_000_000_000, 32)))

    # After a restart the counter is small again: without the uptime check this would look like
    # a wrap and give an absurd rate of ~29 MB/s.
    rebooted = rates.update(TARGET, 10.0, 500, readings(in_octets=(1_000, 32)))
    after = rates.update(TARGET, 20.0, 1_500, readings(in_octets=(6_000, 32)))

    assert rebooted.rates == {}
    assert rebooted.skipped == "agent restarted (sysUpTime went down), rates from the next poll"
    assert after.rates == {(1, "in_octets"): pytest.approx(500.0)}


def test_counter64_reset_drops_only_that_counter() -> None:
    rates = CounterRates()
    rates.update(TARGET, 0.0, 100, readings(in_octets=(9_000_000, 64), in_errors=(10, 32)))

    round_ = rates.update(TARGET, 10.0, 1_100, readings(in_octets=(2_000, 64), in_errors=(30, 32)))

    assert round_.rates == {(1, "in_errors"): pytest.approx(2.0)}


def test_switch_between_32_and_64_bit_counters_restarts_that_counter() -> None:
    rates = CounterRates()
    rates.update(TARGET, 0.0, 100, readings(in_octets=(1_000, 32)))

    switched = rates.update(TARGET, 10.0, 1_100, readings(in_octets=(5_000, 64)))
    then = rates.update(TARGET, 20.0, 2_100, readings(in_octets=(6_000, 64)))

    assert switched.rates == {}
    assert then.rates == {(1, "in_octets"): pytest.approx(100.0)}


def test_no_elapsed_time_gives_no_rates() -> None:
    rates = CounterRates()
    rates.update(TARGET, 5.0, 100, readings(in_octets=(1, 64)))

    assert rates.update(TARGET, 5.0, 100, readings(in_octets=(2, 64))).skipped == "no time passed since the last poll"


def test_targets_are_kept_apart() -> None:
    rates = CounterRates()
    rates.update("a", 0.0, 100, readings(in_octets=(0, 64)))
    rates.update("b", 0.0, 100, readings(in_octets=(1_000_000, 64)))

    assert rates.update("a", 10.0, 1_100, readings(in_octets=(100, 64))).rates == {(1, "in_octets"): 10.0}
