"""Pure parser for Nagios performance data: `'label'=value[UOM];[warn];[crit];[min];[max]` items."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The plugin guidelines' units; others seen in the wild (MiB, bps, °C) are kept as given.
STANDARD_UOMS = frozenset({"", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"})
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = re.compile(rf"^(?P<number>{_NUMBER})(?P<uom>(?:[^\W\d_]|[%°/])[^;\s]*)?$")
_SPACE = re.compile(r"\s")
_PLAIN = re.compile(rf"^{_NUMBER}$")


@dataclass(frozen=True, slots=True)
class PerfItem:
    """One performance data item; thresholds keep their range syntax ("10", "10:", "@5:9")."""

    label: str
    value: float
    uom: str = ""
    warn: str = ""
    crit: str = ""
    min: str = ""
    max: str = ""


@dataclass(frozen=True, slots=True)
class PerfData:
    """The items that parsed, the labels whose value was `U` (unknown), and the rejected tokens."""

    items: tuple[PerfItem, ...] = ()
    unknown: tuple[str, ...] = ()
    malformed: tuple[str, ...] = ()


def plain_number(field: str) -> float | None:
    """A threshold or bound that is a single number ("90", "1.5e3"); None for ranges and blanks."""
    return float(field) if _PLAIN.match(field) else None


def parse_perfdata(text: str) -> PerfData:
    """Every item of a perfdata string, in order; bad items are listed, never raised.

    `time=0.000136s;;;0.000000;10.000000 'free space'=12MB;;;0 ''quoted'''=1 load=U broken`
    gives items time and free space and 'quoted', unknown ("load",) and malformed ("broken",).
    """
    items: list[PerfItem] = []
    unknown: list[str] = []
    malformed: list[str] = []
    pos = 0
    while (token := _next_token(text, pos)) is not None:
        label, spec, raw, pos = token
        if label is None or spec is None:
            malformed.append(raw)
            continue
        fields = spec.split(";")
        if fields[0] == "U":
            unknown.append(label)
            continue
        item = _item(label, fields)
        if item is None:
            malformed.append(raw)
        else:
            items.append(item)
    return PerfData(tuple(items), tuple(unknown), tuple(malformed))


def _next_token(text: str, pos: int) -> tuple[str | None, str | None, str, int] | None:
    """(label, value spec, raw token, next position) of the item at or after `pos`; None at the end.

    Label or spec is None when the token is malformed (no `=`, unterminated quote, empty label).
    """
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    if pos >= n:
        return None
    start = pos
    if text[pos] == "'":
        label, pos = _quoted(text, pos + 1)
        if label is None or pos >= n or text[pos] != "=":
            end = _token_end(text, pos)
            return None, None, text[start:end], end
    else:
        eq = text.find("=", pos)
        space = _token_end(text, pos)
        if eq == -1 or eq > space:  # no "=" inside this whitespace-separated token
            return None, None, text[start:space], space
        label, pos = text[pos:eq], eq
    end = _token_end(text, pos + 1)
    raw = text[start:end]
    if not label:
        return None, None, raw, end
    return label, text[pos + 1:end], raw, end


def _quoted(text: str, pos: int) -> tuple[str | None, int]:
    """The label inside single quotes starting at `pos` (`''` is a literal quote) and where it ends."""
    out: list[str] = []
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == "'":
            if pos + 1 < n and text[pos + 1] == "'":
                out.append("'")
                pos += 2
                continue
            return "".join(out), pos + 1
        out.append(ch)
        pos += 1
    return None, pos


def _token_end(text: str, pos: int) -> int:
    match = _SPACE.search(text, pos)
    return match.start() if match else len(text)


def _item(label: str, fields: list[str]) -> PerfItem | None:
    """The item for `label` from value;warn;crit;min;max fields, or None when the value does not parse.

    Thresholds are kept as text: a range this parser does not know must not cost the value.
    """
    match = _VALUE.match(fields[0])
    if match is None or any(fields[5:]):
        return None
    extra = [f.strip() for f in fields[1:5]] + [""] * (5 - len(fields))
    return PerfItem(label, float(match["number"]), match["uom"] or "", *extra)
