"""RFC 5424 messages after the PRI: `VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`.

Raw input, as util-linux `logger --rfc5424 --sd-id ex@32473 --sd-param 'k="v\\"q"'` sends it::

    <155>1 2026-11-28T14:03:09.746982+00:00 vm myapp - ID47 [timeQuality tzKnown="1"][ex@32473 k="v\\"q"] hi

gives hostname "vm", app "myapp", no procid, msgid "ID47", structured data
{"timeQuality": {"tzKnown": "1"}, "ex@32473": {"k": 'v"q'}} and message "hi".
A NILVALUE ("-") is None; a message that starts with a UTF-8 BOM loses it.
"""

from __future__ import annotations

from forewarn.integrations.syslog.message import Fields, StructuredData
from forewarn.integrations.syslog.timestamps import RFC3339, rfc3339_seconds

NIL = "-"
BOM = "\ufeff"
_ESCAPABLE = '"\\]'
_NAME_STOP = ' ="]'


class _BadStructuredData(ValueError):
    pass


def parse_rfc5424(body: str) -> Fields:
    """`body` is everything after `<PRI>`; missing trailing header fields are noted, not fatal."""
    fields = Fields()
    parts = body.split(" ", 6)
    header = parts[:6] + [NIL] * (6 - len(parts[:6]))
    if len(parts) < 6:
        fields.problems.append(f"RFC 5424 header has {len(parts)} of 6 fields")
    _version, stamp, fields.hostname, fields.app_name, fields.procid, fields.msgid = (
        None if value in (NIL, "") else value for value in header
    )
    if stamp is not None:
        match = RFC3339.fullmatch(stamp)
        fields.ts = rfc3339_seconds(match) if match else None
        if fields.ts is None:
            fields.problems.append(f"unreadable TIMESTAMP {stamp[:40]!r}")
    if len(parts) == 7:
        _structured_data_and_message(parts[6], fields)
    elif len(parts) == 6:
        fields.problems.append("no STRUCTURED-DATA field")
    return fields


def _structured_data_and_message(rest: str, fields: Fields) -> None:
    after = rest
    if rest.startswith(NIL):
        after = rest[1:]
    elif rest.startswith("["):
        try:
            fields.structured_data, end = parse_structured_data(rest)
            after = rest[end:]
        except _BadStructuredData as exc:
            # Keep the text: a broken element is still worth reading as part of the message.
            fields.problems.append(f"malformed STRUCTURED-DATA: {exc}")
            fields.message = rest
            return
    else:
        fields.problems.append("no STRUCTURED-DATA field")
        fields.message = rest
        return
    if after.startswith(" "):
        after = after[1:]
    elif after:
        fields.problems.append("no space between STRUCTURED-DATA and MSG")
    fields.message = after.removeprefix(BOM)


def parse_structured_data(text: str) -> tuple[StructuredData, int]:
    """Elements `[ID name="value" …]` from the start of `text`, and the index after the last one.

    Inside values `\\"`, `\\\\` and `\\]` are escapes; any other backslash is literal (RFC 5424 §6.3.3).
    A repeated parameter name keeps its last value.
    """
    data: StructuredData = {}
    i = 0
    while i < len(text) and text[i] == "[":
        sd_id, i = _name(text, i + 1, "SD-ID")
        params = data.setdefault(sd_id, {})
        while i < len(text) and text[i] == " ":
            name, i = _name(text, i + 1, "PARAM-NAME")
            if not text.startswith('="', i):
                raise _BadStructuredData(f'expected =" after {name!r} at offset {i}')
            params[name], i = _value(text, i + 2)
        if i >= len(text) or text[i] != "]":
            raise _BadStructuredData(f"element {sd_id!r} is not closed with ']'")
        i += 1
    return data, i


def _name(text: str, start: int, what: str) -> tuple[str, int]:
    end = start
    while end < len(text) and text[end] not in _NAME_STOP:
        end += 1
    if end == start or end - start > 32:
        raise _BadStructuredData(f"{what} at offset {start} is empty or longer than 32 characters")
    return text[start:end], end


def _value(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            out.append(text[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    raise _BadStructuredData(f"PARAM-VALUE starting at offset {start} has no closing quote")
