"""Vocabularies of the remediation area: run statuses, step kinds and step outcomes."""

from enum import StrEnum


class RunStatus(StrEnum):
    PENDING = "pending"  # created, ready to execute once claimed
    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    VERIFYING = "verifying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"  # a technician said no
    SKIPPED = "skipped"  # a guard stopped it (kill switch, rate limit, cooldown, disabled)

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.REJECTED, RunStatus.SKIPPED})


class StepKind(StrEnum):
    LOCAL = "local"
    SSH = "ssh"
    HTTP = "http"
    ACTION = "action"


class StepStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    PLANNED = "planned"  # dry run: rendered, not executed
