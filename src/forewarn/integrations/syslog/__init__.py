"""Syslog receiver: RFC 3164 and RFC 5424 over UDP and TCP (RFC 6587 framing), batched to a callback."""

from forewarn.integrations.syslog.framing import Frame, FrameDecoder
from forewarn.integrations.syslog.message import FACILITY_NAMES, SEVERITY_NAMES, SyslogMessage
from forewarn.integrations.syslog.parse import parse_syslog
from forewarn.integrations.syslog.rfc5424 import parse_structured_data
from forewarn.integrations.syslog.server import OnMessages, SyslogServer, SyslogStats

__all__ = [
    "FACILITY_NAMES", "Frame", "FrameDecoder", "OnMessages", "SEVERITY_NAMES", "SyslogMessage", "SyslogServer",
    "SyslogStats", "parse_structured_data", "parse_syslog",
]
