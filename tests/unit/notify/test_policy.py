"""Pure rules: backoff, grouping windows, the token bucket, routing, keys, scrubbing."""

from __future__ import annotations

import random

from forewarn.notify.policy import (
    Bucket,
    backoff,
    group_due,
    message_key,
    one_line,
    scrub,
    status_change,
    wants,
)


def test_backoff_doubles_with_equal_jitter_up_to_the_cap():
    rng = random.Random(1)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (12, 3600)]:
        delays = [backoff(attempt, rng) for _ in range(200)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling
        assert max(delays) - min(delays) > ceiling / 4  # the jitter really spreads retries


def test_grouping_window():
    assert group_due(100.0, None, None, False) == 100.0  # first change: at once
    assert group_due(100.0, 50.0, 50.0, False) == 100.0  # quiet for longer than the window
    assert group_due(100.0, 90.0, 90.0, False) == 120.0  # previous one already sent: wait a window
    assert group_due(100.0, 95.0, 120.0, True) == 120.0  # join the group still waiting
    assert group_due(100.0, 99.0, 100.0, True) == 100.0  # ...even one due right now


def test_token_bucket_refills_at_the_rate():
    bucket = Bucket.restore(None, None, rate=2, now=0.0)
    bucket = bucket.take().take()
    assert bucket is not None and bucket.take() is None
    assert bucket.next_token_at(2) == 30.0
    assert Bucket.restore(bucket.tokens, bucket.at, 2, now=30.0).take() is not None
    assert Bucket.restore(0.0, 0.0, 2, now=3600.0).tokens == 2.0  # never above the burst size


def test_routing_and_change_names():
    assert wants(["opened"], "warning", "opened", "critical")
    assert not wants(["opened"], "critical", "opened", "warning")
    assert not wants(["resolved"], "info", "opened", "critical")
    assert status_change("resolved", "new") == "reopened" and status_change("new", "resolved") == "resolved"
    assert status_change("acknowledged", "new") is None


def test_message_keys_are_stable_and_order_free():
    assert message_key(["a"]) == "a"
    assert message_key(["b", "a"]) == message_key(["a", "b"]) != message_key(["a", "c"])


def test_scrub_and_one_line():
    assert scrub("GET https://h/services/T0/B0/tok3n failed", ["T0/B0/tok3n", ""]) == \
        "GET https://h/services/******** failed"
    assert one_line("a\r\n\tb", 10) == "a b"
