"""The parsed syslog message: what every receiver path (UDP, TCP, either RFC) produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FACILITY_NAMES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7",
)
SEVERITY_NAMES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

#: RFC 3164 §4.3.3: a message without a valid PRI is user.notice.
DEFAULT_FACILITY, DEFAULT_SEVERITY = 1, 5

StructuredData = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class SyslogMessage:
    """One syslog message; absent header fields (RFC 5424 NILVALUE, or not in the format) are None.

    `ts` is unix seconds: the message's own timestamp when it has a usable one, else `received`.
    `problems` lists what was wrong with the message, in words, without rejecting it: a receiver
    keeps what it can of a bad message rather than dropping it.
    """

    facility: int
    severity: int  # 0 emergency … 7 debug
    ts: float
    hostname: str | None
    app_name: str | None
    procid: str | None
    msgid: str | None
    structured_data: StructuredData
    message: str
    source: str  # the sender's address as the receiver saw it ("" when parsed offline)
    raw_length: int  # bytes of the message as sent (before truncation)
    received: float
    protocol: Literal["rfc3164", "rfc5424"]
    truncated: bool = False
    problems: tuple[str, ...] = field(default=())

    @property
    def host(self) -> str:
        """Who sent it: the HOSTNAME field, else the source address."""
        return self.hostname or self.source

    @property
    def app(self) -> str:
        return self.app_name or ""

    @property
    def facility_name(self) -> str:
        return FACILITY_NAMES[self.facility] if 0 <= self.facility < len(FACILITY_NAMES) else str(self.facility)

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES[self.severity]


@dataclass(slots=True)
class Fields:
    """What a format parser found after the PRI; the dispatcher adds PRI, source and timing."""

    ts: float | None = None
    hostname: str | None = None
    app_name: str | None = None
    procid: str | None = None
    msgid: str | None = None
    structured_data: StructuredData = field(default_factory=dict)
    message: str = ""
    problems: list[str] = field(default_factory=list)
