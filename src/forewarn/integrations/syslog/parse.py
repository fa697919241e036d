"""One syslog message from bytes: the PRI, then RFC 5424 or RFC 3164 by what follows it.

Nothing is rejected: a message with a bad PRI, a bad timestamp or invalid UTF-8 is kept with
defaults and its `problems` say what was wrong (RFC 3164 §4.3.3 treats a message without a valid
PRI as user.notice whose whole text is the content; so does this).
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Literal

from forewarn.integrations.syslog.message import DEFAULT_FACILITY, DEFAULT_SEVERITY, Fields, SyslogMessage
from forewarn.integrations.syslog.rfc3164 import parse_rfc3164
from forewarn.integrations.syslog.rfc5424 import parse_rfc5424

_PRI = re.compile(r"<(\d{1,3})>")
_VERSION = re.compile(r"[1-9]\d? ")  # RFC 5424 VERSION then SP; a BSD timestamp never starts so
_TRAILER = b"\r\n\x00"  # line ends and NUL terminators some senders append


def parse_syslog(
    data: bytes,
    received: float,
    source: str = "",
    *,
    tz: tzinfo | None = None,
    raw_length: int | None = None,
    truncated: bool = False,
) -> SyslogMessage:
    """Parse one message (one datagram or one TCP frame) received at `received` (unix seconds) from `source`.

    `tz` dates BSD timestamps, which carry no zone (None: the receiver's local zone). `raw_length`
    and `truncated` come from framing when the message was cut to the receiver's maximum size.
    """
    problems: list[str] = []
    protocol: Literal["rfc3164", "rfc5424"] = "rfc3164"
    try:
        text = data.rstrip(_TRAILER).decode("utf-8")
    except UnicodeDecodeError:
        text = data.rstrip(_TRAILER).decode("utf-8", errors="replace")
        problems.append("not valid UTF-8; undecodable bytes replaced with U+FFFD")
    pri = _PRI.match(text)
    value = int(pri.group(1)) if pri else None
    if value is None or value > 191:
        fields = Fields(message=text)
        problems.append("no valid PRI; taken as user.notice")
        facility, severity = DEFAULT_FACILITY, DEFAULT_SEVERITY
    else:
        facility, severity = divmod(value, 8)
        body = text[pri.end():] if pri else text
        if _VERSION.match(body):
            fields, protocol = parse_rfc5424(body), "rfc5424"
        else:
            fields = parse_rfc3164(body, received, tz)
    return SyslogMessage(
        facility=facility, severity=severity,
        ts=fields.ts if fields.ts is not None else received,
        hostname=fields.hostname, app_name=fields.app_name, procid=fields.procid, msgid=fields.msgid,
        structured_data=fields.structured_data, message=fields.message, source=source,
        raw_length=len(data) if raw_length is None else raw_length, received=received,
        protocol=protocol, truncated=truncated, problems=tuple(problems + fields.problems),
    )
