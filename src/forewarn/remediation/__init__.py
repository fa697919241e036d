"""Runbooks: match signals, run guarded remediation steps, verify with the failing check, audit it all."""

from forewarn.remediation.catalog import (
    delete_runbook,
    get_runbook,
    list_runbooks,
    load_runbook_files,
    load_runbooks,
    runbook_yaml,
    save_runbook_text,
    set_runbook_enabled,
)
from forewarn.remediation.config import RemediationConfig
from forewarn.remediation.credentials import delete_secret, list_secrets, store_secret
from forewarn.remediation.document import RunbookDoc
from forewarn.remediation.enums import RunStatus, StepStatus
from forewarn.remediation.execution import execute
from forewarn.remediation.killswitch import get_kill_switch, kill_switch_engaged, set_kill_switch
from forewarn.remediation.loader import parse_runbooks
from forewarn.remediation.reads import get_run, list_runs, runs_for_incident
from forewarn.remediation.schemas import (
    KillSwitchOut,
    RunbookOut,
    RunDetail,
    RunEventOut,
    RunOut,
    RunStepOut,
    SecretOut,
)
from forewarn.remediation.secrets import REDACTED, SecretBox
from forewarn.remediation.service import (
    approve,
    fail_interrupted,
    match_signal,
    pending_run_ids,
    reject,
    start_run,
)
from forewarn.remediation.state import TRANSITIONS

__all__ = [
    "REDACTED", "TRANSITIONS", "KillSwitchOut", "RemediationConfig", "RunDetail", "RunEventOut", "RunOut",
    "RunStatus", "RunStepOut", "RunbookDoc", "RunbookOut", "SecretBox", "SecretOut", "StepStatus", "approve",
    "delete_runbook", "delete_secret", "execute", "fail_interrupted", "get_kill_switch", "get_run", "get_runbook",
    "kill_switch_engaged", "list_runbooks", "list_runs", "list_secrets", "load_runbook_files", "load_runbooks",
    "match_signal", "parse_runbooks", "pending_run_ids", "reject", "runbook_yaml", "runs_for_incident",
    "save_runbook_text", "set_kill_switch",
    "set_runbook_enabled", "start_run", "store_secret",
]
