"""Thresholds grade a check's metrics; levels must be in a sensible order."""

import pytest
from pydantic import ValidationError

from forewarn.core.enums import CheckStatus
from forewarn.core.records import MetricPoint
from forewarn.monitoring import Threshold, evaluate_thresholds


def test_above_thresholds_grade_by_worst_level():
    t = [Threshold(metric="rtt_ms", warning=50, critical=200)]
    assert evaluate_thresholds([MetricPoint("rtt_ms", 10)], t)[0] is CheckStatus.OK
    assert evaluate_thresholds([MetricPoint("rtt_ms", 60)], t)[0] is CheckStatus.WARNING
    status, reasons = evaluate_thresholds([MetricPoint("rtt_ms", 250)], t)
    assert status is CheckStatus.CRITICAL
    assert reasons == ["rtt_ms 250 > 200 (critical)"]


def test_below_direction_for_days_left():
    t = [Threshold(metric="days_to_expiry", warning=21, critical=7, direction="below")]
    assert evaluate_thresholds([MetricPoint("days_to_expiry", 30)], t)[0] is CheckStatus.OK
    assert evaluate_thresholds([MetricPoint("days_to_expiry", 10)], t)[0] is CheckStatus.WARNING
    assert evaluate_thresholds([MetricPoint("days_to_expiry", 3)], t)[0] is CheckStatus.CRITICAL


def test_missing_metric_is_not_a_breach():
    t = [Threshold(metric="other", critical=1)]
    assert evaluate_thresholds([MetricPoint("rtt_ms", 999)], t) == (CheckStatus.OK, [])


def test_levels_out_of_order_are_rejected():
    with pytest.raises(ValidationError, match="must be beyond warning"):
        Threshold(metric="x", warning=100, critical=50)
    with pytest.raises(ValidationError, match="needs a warning or a critical"):
        Threshold(metric="x")
