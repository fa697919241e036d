"""The runbook document (match, params, steps, verify, guards) as strict typed models."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forewarn.core.enums import Severity

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,99}$"
SERVICE_PATTERN = r"^[a-zA-Z0-9@._-]+$"
# Where a parameter's value may come from; checked at load so a typo fails there, not at 3 a.m.
SOURCE_PATTERN = re.compile(
    r"^(signal\.(summary|kind|severity|fingerprint|check_id|asset_id)"
    r"|signal\.evidence(\.[A-Za-z0-9_-]+)+"
    r"|asset\.(id|name|address|kind)"
    r"|asset\.attributes(\.[A-Za-z0-9_-]+)+"
    r"|match\.[A-Za-z_][A-Za-z0-9_]*)$"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _compiles(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


class MatchDoc(_Strict):
    """Which firing signals the runbook answers; every given criterion must hold."""

    kind: list[str] = Field(default_factory=list, description="signal kinds (check, threshold, anomaly, …)")
    severity: list[Severity] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="the asset must carry all of these tags")
    tenant: str | None = Field(default=None, description="tenant slug or id; unset = every tenant")
    check_kind: list[str] = Field(default_factory=list, description="kind of the failing check (http, …)")
    summary: str | None = Field(default=None, description="regex searched in the signal summary")

    _lists = field_validator("kind", "severity", "tags", "check_kind", mode="before")(_as_list)
    _regex = field_validator("summary")(_compiles)


class ParamDoc(_Strict):
    """One parameter: where its value comes from and what it must look like."""

    source: str | None = Field(default=None, alias="from")
    value: str | int | None = Field(default=None, description="a fixed value written in the runbook")
    default: str | int | None = None
    type: Literal["string", "int", "path", "choice"] = "string"
    pattern: str | None = Field(default=None, description="regex the whole value must match")
    root: str | None = Field(default=None, description="a path must be this directory or below it")
    choices: list[str] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None
    max_length: int = Field(default=256, ge=1, le=4096)
    allow_leading_dash: bool = Field(default=False, description="values starting with '-' read as options")

    _regex = field_validator("pattern")(_compiles)

    @field_validator("source")
    @classmethod
    def _known_source(cls, source: str | None) -> str | None:
        if source is not None and not SOURCE_PATTERN.match(source):
            raise ValueError(f"unknown source {source!r}; use signal.summary, signal.evidence.KEY, "
                             "asset.address, asset.attributes.KEY, match.GROUP, …")
        return source

    @model_validator(mode="after")
    def _complete(self) -> ParamDoc:
        if (self.source is None) == (self.value is None):
            raise ValueError("give exactly one of 'from' (signal or asset field) and 'value'")
        if self.type == "string" and self.pattern is None:
            raise ValueError("a string parameter needs a 'pattern' (e.g. '^[a-zA-Z0-9@._-]+$')")
        if self.type == "path" and (self.root is None or not self.root.startswith("/")):
            raise ValueError("a path parameter needs an absolute 'root' it must stay under")
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice parameter needs 'choices'")
        return self


class _Step(_Strict):
    name: str = Field(default="", max_length=100)
    timeout: float = Field(default=60.0, gt=0, le=3600)
    continue_on_error: bool = False


class _Remote(_Step):
    run_on: Literal["local", "asset"] = "local"
    credential: str | None = Field(default=None, description="secret used to log in over SSH")
    host: str | None = Field(default=None, description="defaults to the asset's address")
    port: int = Field(default=22, ge=1, le=65535)

    @model_validator(mode="after")
    def _credential_for_ssh(self) -> _Remote:
        if self.run_on == "asset" and not self.credential:
            raise ValueError("a step on the asset needs a 'credential' (the name of an SSH secret)")
        return self


Argv = Annotated[list[str], Field(min_length=1, max_length=200)]


# Variables that change how a program is loaded or how a shell starts: a runbook may not set them.
_ENV_DENIED = re.compile(r"^(LD_.*|DYLD_.*|BASH_ENV|ENV|IFS|PATH|SHELLOPTS|PS4|PYTHON.*|PERL5.*|RUBYOPT|NODE_OPTIONS)$")


class LocalStep(_Step):
    kind: Literal["local"]
    argv: Argv
    env: dict[str, str] = Field(default_factory=dict, description="added to the fixed base environment")
    cwd: str | None = None

    @field_validator("env")
    @classmethod
    def _safe_env(cls, env: dict[str, str]) -> dict[str, str]:
        for name in env:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or _ENV_DENIED.match(name):
                raise ValueError(f"{name!r} may not be set by a runbook")
        return env


class SshStep(_Remote):
    kind: Literal["ssh"]
    argv: Argv
    run_on: Literal["asset"] = "asset"


class HttpStep(_Step):
    kind: Literal["http"]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    url: str = Field(pattern=r"^https?://")
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    expect_status: list[int] = Field(default_factory=list, description="accepted codes; empty = any 2xx")


class RestartServiceStep(_Remote):
    kind: Literal["restart_service"]
    service: str

    @field_validator("service")
    @classmethod
    def _service_name(cls, service: str) -> str:
        # The literal part is checked now so a typo fails at load; placeholders are checked when rendered.
        literal = re.sub(r"\{[^{}]*\}", "x", service)
        if not re.match(SERVICE_PATTERN, literal):
            raise ValueError(f"{service!r} is not a systemd unit name (letters, digits, @ . _ -)")
        return service


class DeleteOldFilesStep(_Step):
    kind: Literal["delete_old_files"]
    directory: str
    older_than_days: float = Field(gt=0)
    pattern: str = "*"
    recursive: bool = False
    max_files: int = Field(default=1000, ge=1, le=100_000)


class RotateLogsStep(_Step):
    kind: Literal["rotate_logs"]
    file: str
    keep: int = Field(default=5, ge=1, le=100)


class RenewCertificateStep(_Remote):
    kind: Literal["renew_certificate"]
    certificate: str
    command: list[str] | None = Field(default=None, description="argv; the certificate name is appended")


StepDoc = Annotated[
    LocalStep | SshStep | HttpStep | RestartServiceStep | DeleteOldFilesStep | RotateLogsStep
    | RenewCertificateStep,
    Field(discriminator="kind"),
]
STEP_KINDS = ("local", "ssh", "http", "restart_service", "delete_old_files", "rotate_logs", "renew_certificate")


class VerifyDoc(_Strict):
    check: str = Field(default="signal", description="'signal' (the failing check), a check name, or 'none'")
    attempts: int = Field(default=3, ge=1, le=20)
    interval: float = Field(default=10.0, ge=0, le=3600)


class GuardsDoc(_Strict):
    approval: bool = Field(default=False, description="wait for a technician to approve each run")
    max_runs_per_hour: int = Field(default=3, ge=1, le=1000, description="per asset")
    cooldown: float = Field(default=600.0, ge=0, description="seconds after a run on the same asset")
    dry_run: bool = Field(default=False, description="always a dry run: render, execute nothing")


class RunbookDoc(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=2000)
    enabled: bool = True
    match: MatchDoc = Field(default_factory=MatchDoc)
    params: dict[str, ParamDoc] = Field(default_factory=dict)
    steps: list[StepDoc] = Field(min_length=1, max_length=50)
    verify: VerifyDoc = Field(default_factory=VerifyDoc)
    guards: GuardsDoc = Field(default_factory=GuardsDoc)

    @field_validator("params")
    @classmethod
    def _param_names(cls, params: dict[str, ParamDoc]) -> dict[str, ParamDoc]:
        for name in params:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"parameter name {name!r} must be letters, digits and underscores")
        return params

    def step_name(self, index: int) -> str:
        step = self.steps[index]
        return step.name or f"{index + 1}. {step.kind}"
