"""Runbook parameters: taken from the signal or the asset, then validated by type and pattern.

A value that fails validation stops the run before anything executes; a value that passes is
still only ever one argv item (or one quoted word over SSH), never shell text.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from forewarn.core.errors import ValidationFailed
from forewarn.core.records import Signal
from forewarn.remediation.document import ParamDoc, RunbookDoc


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """The asset a run works on, as plain data (never an ORM object)."""

    id: str
    name: str
    kind: str
    address: str | None = None
    tags: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)


def summary_groups(doc: RunbookDoc, signal: Signal) -> dict[str, str]:
    """Named groups of the runbook's summary regex in the signal summary (empty when no regex)."""
    if doc.match.summary is None:
        return {}
    m = re.search(doc.match.summary, signal.summary)
    return {k: v for k, v in (m.groupdict() if m else {}).items() if v is not None}


def resolve_params(doc: RunbookDoc, signal: Signal, asset: AssetInfo | None) -> dict[str, str | int]:
    """Every parameter's validated value; ValidationFailed (where = params.NAME) on the first bad one."""
    groups = summary_groups(doc, signal)
    values: dict[str, str | int] = {}
    for name, spec in doc.params.items():
        raw = spec.value if spec.value is not None else _lookup(spec.source or "", signal, asset, groups)
        if raw is None:
            raw = spec.default
        if raw is None:
            raise ValidationFailed(f"parameter {name!r} has no value ({spec.source} is missing)",
                                   where=f"params.{name}")
        values[name] = validate_value(name, spec, raw)
    return values


def _lookup(source: str, signal: Signal, asset: AssetInfo | None, groups: dict[str, str]) -> Any:
    head, _, rest = source.partition(".")
    if head == "match":
        return groups.get(rest)
    if head == "signal":
        root, _, path = rest.partition(".")
        return _dig(signal.evidence, path) if root == "evidence" else getattr(signal, root, None)
    if asset is None:
        return None
    root, _, path = rest.partition(".")
    return _dig(asset.attributes, path) if root == "attributes" else getattr(asset, root, None)


def _dig(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def validate_value(name: str, spec: ParamDoc, raw: Any) -> str | int:
    where = f"params.{name}"
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValidationFailed(f"parameter {name!r} must be a plain value, not {type(raw).__name__}", where=where)
    if spec.type == "int":
        return _int(name, spec, raw, where)
    value = str(raw)
    shown = repr(value[:80]) + ("…" if len(value) > 80 else "")
    if "\x00" in value:
        raise ValidationFailed(f"parameter {name!r} contains a NUL byte", where=where)
    if len(value) > spec.max_length:
        raise ValidationFailed(f"parameter {name!r} is longer than {spec.max_length} characters", where=where)
    if value.startswith("-") and not spec.allow_leading_dash:
        raise ValidationFailed(f"parameter {name!r} = {shown} starts with '-' and could be read as an option",
                               where=where)
    if spec.type == "choice" and value not in spec.choices:
        raise ValidationFailed(f"parameter {name!r} = {shown} is not one of {', '.join(spec.choices)}",
                               where=where)
    if spec.type == "path":
        _path(name, spec, value, shown, where)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise ValidationFailed(f"parameter {name!r} = {shown} does not match {spec.pattern!r}", where=where)
    return value


def _int(name: str, spec: ParamDoc, raw: str | int | float, where: str) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        raise ValidationFailed(f"parameter {name!r} must be a whole number", where=where)
    value = int(text)
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise ValidationFailed(f"parameter {name!r} = {value} is outside {spec.min}..{spec.max}", where=where)
    return value


def _path(name: str, spec: ParamDoc, value: str, shown: str, where: str) -> None:
    if not value.startswith("/"):
        raise ValidationFailed(f"parameter {name!r} = {shown} must be an absolute path", where=where)
    if "\n" in value or "\r" in value:
        raise ValidationFailed(f"parameter {name!r} contains a line break", where=where)
    # Normalised form only: no "..", "." or doubled slashes that could walk out of the root.
    if posixpath.normpath(value) != value.rstrip("/") or "//" in value:
        raise ValidationFailed(f"parameter {name!r} = {shown} must be a normalised path (no '..', '.' or '//')",
                               where=where)
    root = posixpath.normpath(spec.root or "/")
    if not (value.rstrip("/") == root or value.startswith(root.rstrip("/") + "/")):
        raise ValidationFailed(f"parameter {name!r} = {shown} is not under {root}", where=where)
