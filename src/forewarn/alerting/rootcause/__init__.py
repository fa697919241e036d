"""Root-cause ranking: metric series → node evidence → candidates ranked over the dependency graph."""

from forewarn.alerting.rootcause.aggregate import node_evidence
from forewarn.alerting.rootcause.evidence import (
    EvidenceConfig,
    MetricFrame,
    NodeEvidence,
    SeriesScores,
    series_scores,
)
from forewarn.alerting.rootcause.families import Family, bad_direction, family_of
from forewarn.alerting.rootcause.graph import dependency_graph, impact_path, impacted_by
from forewarn.alerting.rootcause.ranking import Candidate, Components, RankConfig, rank_root_causes

__all__ = [
    "Candidate", "Components", "EvidenceConfig", "Family", "MetricFrame", "NodeEvidence", "RankConfig",
    "SeriesScores", "bad_direction", "dependency_graph", "family_of", "impact_path", "impacted_by",
    "node_evidence", "rank_root_causes", "series_scores",
]
