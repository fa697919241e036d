"""The check plugin contract: a typed config in, one outcome (status, summary, metrics) out."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from forewarn.core.clock import Clock, SystemClock
from forewarn.core.enums import CheckStatus
from forewarn.core.records import MetricPoint


class PluginConfig(BaseModel):
    """Base for every plugin's parameters. Unknown fields are errors, so typos never pass silently.

    Field metadata drives forms and redaction: mark secrets with `secret()`, describe fields with
    `Field(description=...)`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def redacted(self) -> dict[str, Any]:
        """The parameters with every secret field replaced, safe for logs, UI and export."""
        data = self.model_dump(mode="json")
        for name, info in type(self).model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("secret") and data.get(name) is not None:
                data[name] = "********"
        return data


def secret(default: Any = None, description: str = "") -> Any:
    """A config field holding a secret (password, community, token): never shown or logged."""
    return Field(default=default, description=description, json_schema_extra={"secret": True})


@dataclass(slots=True)
class CheckContext:
    """What a check may use while it runs: its deadline, the asset's address, a logger, a clock."""

    timeout: float = 10.0
    asset_address: str | None = None
    privileged: bool = False
    clock: Clock = field(default_factory=SystemClock)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("forewarn.check"))


@dataclass(slots=True)
class CheckOutcome:
    status: CheckStatus
    summary: str
    metrics: list[MetricPoint] = field(default_factory=list)


class CheckPlugin(ABC):
    """One kind of check. Subclasses set the class metadata and implement `run`.

    `run` must never raise for a target problem (refused, timeout, bad answer): that is a
    CRITICAL or UNKNOWN outcome with a one-line summary. It may raise only for programming errors.
    """

    kind: ClassVar[str]
    title: ClassVar[str]
    Config: ClassVar[type[PluginConfig]]

    @abstractmethod
    async def run(self, config: PluginConfig, ctx: CheckContext) -> CheckOutcome:
        """Observe the target once and report."""

    def parse_config(self, params: dict[str, Any]) -> PluginConfig:
        return self.Config.model_validate(params)
