"""Status and severity vocabularies shared by every stage."""

from enum import IntEnum, StrEnum


class CheckStatus(IntEnum):
    """Nagios-compatible result codes; the integer order is also the badness order except UNKNOWN."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3

    @property
    def rank(self) -> int:
        """Badness for "worst of" decisions: OK < UNKNOWN < WARNING < CRITICAL."""
        return {0: 0, 3: 1, 1: 2, 2: 3}[int(self)]

    @classmethod
    def worst(cls, *statuses: "CheckStatus") -> "CheckStatus":
        return max(statuses, key=lambda s: s.rank) if statuses else cls.OK


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @classmethod
    def from_status(cls, status: CheckStatus) -> "Severity":
        return {
            CheckStatus.CRITICAL: cls.CRITICAL,
            CheckStatus.WARNING: cls.WARNING,
            CheckStatus.UNKNOWN: cls.WARNING,
        }.get(status, cls.INFO)

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "critical": 2}[self.value]


class SignalState(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class IncidentStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"
