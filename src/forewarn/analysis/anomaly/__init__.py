"""Online, causal, batch-shaped anomaly scoring of metric series (scores in [0, 1])."""

from forewarn.analysis.anomaly.baseline import RollingZBaseline
from forewarn.analysis.anomaly.config import DetectorConfig
from forewarn.analysis.anomaly.online import AnomalyDetector
from forewarn.analysis.anomaly.series import score_series

__all__ = ["AnomalyDetector", "DetectorConfig", "RollingZBaseline", "score_series"]
