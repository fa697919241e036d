"""BSD syslog (RFC 3164) after the PRI: `TIMESTAMP HOSTNAME TAG[PID]: MSG`, as real senders vary it.

Raw input, as util-linux `logger --rfc3164 -t myapp` sends it::

    <155>Nov 28 14:03:09 vm myapp[812]: disk /dev/sda1 at 91%

gives hostname "vm", app "myapp", procid "812" and message "disk /dev/sda1 at 91%".

Variants accepted: a year before the time (`Nov 28 2026 14:03:09`, Cisco) and fractional seconds;
an RFC 3339 timestamp instead of the BSD one (rsyslog's high-precision format); no HOSTNAME (the
word after the timestamp is already the tag); no TAG. Without any timestamp the whole text is the
content (RFC 3164 §4.3.2) and the receiver's clock dates it.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from forewarn.integrations.syslog.message import Fields
from forewarn.integrations.syslog.timestamps import BSD, RFC3339, bsd_seconds, rfc3339_seconds

# TAG: up to 48 characters of a program name, optionally [PID], then a colon.
_TAG = re.compile(r"([^\s:\[\]]{1,48})(?:\[([^\]\s]{0,128})\])?:(?: |$)")


def parse_rfc3164(body: str, now: float, tz: tzinfo | None) -> Fields:
    fields = Fields()
    rest = _timestamp(body, now, tz, fields)
    if rest is None:
        fields.problems.append("no TIMESTAMP; the receiver's clock dates the message")
        _tag_and_message(body, fields)
        return fields
    word, _, after = rest.partition(" ")
    if word and _TAG.match(rest) is None:  # a first word ending in ':' is the tag: no HOSTNAME sent
        fields.hostname = word
        rest = after
    _tag_and_message(rest, fields)
    return fields


def _timestamp(body: str, now: float, tz: tzinfo | None, fields: Fields) -> str | None:
    """The text after the timestamp and its one space, with `fields.ts` set; None when there is none."""
    for pattern, seconds in ((BSD, lambda m: bsd_seconds(m, now, tz)), (RFC3339, rfc3339_seconds)):
        match = pattern.match(body)
        if match and (len(body) == match.end() or body[match.end()] == " "):
            fields.ts = seconds(match)
            if fields.ts is None:
                fields.problems.append(f"impossible TIMESTAMP {match.group(0)!r}")
            return body[match.end() + 1:]
    return None


def _tag_and_message(content: str, fields: Fields) -> None:
    match = _TAG.match(content)
    if match is None:
        fields.message = content
        return
    fields.app_name = match.group(1)
    fields.procid = match.group(2) or None
    fields.message = content[match.end():]
