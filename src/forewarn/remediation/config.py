"""What the remediation executor needs from outside: the secret key, the clock and every seam."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import httpx

from forewarn.core.clock import Clock, SystemClock
from forewarn.core.records import CheckResult
from forewarn.monitoring import CheckDefinition, run_check
from forewarn.remediation.secrets import SecretBox
from forewarn.remediation.steps.process import LocalProcessRunner, ProcessRunner
from forewarn.remediation.steps.ssh import AsyncSshRunner, SshRunner

CheckRunner = Callable[[CheckDefinition, Clock], Awaitable[CheckResult]]

# The only environment a local command gets besides its step's own `env`: nothing of the platform's
# environment (database URLs, keys) leaks into a remediation command.
DEFAULT_ENV = MappingProxyType({"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                "LANG": "C.UTF-8"})


@dataclass(frozen=True)
class RemediationConfig:
    """Built once by the composition root from Settings; tests swap the seams and the clock."""

    secret_key: str | bytes = field(repr=False)
    clock: Clock = field(default_factory=SystemClock)
    processes: ProcessRunner = field(default_factory=LocalProcessRunner)
    ssh: SshRunner = field(default_factory=AsyncSshRunner)
    http_transport: httpx.AsyncBaseTransport | None = None
    run_check: CheckRunner = run_check
    base_env: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENV))
    max_output_bytes: int = 64 * 1024
    systemctl: str = "systemctl"
    certificate_command: tuple[str, ...] = ("certbot", "renew", "--cert-name")

    @cached_property
    def box(self) -> SecretBox:
        return SecretBox(self.secret_key)
