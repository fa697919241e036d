"""Loads YAML while remembering the line of every value, so errors can say file:line."""

from __future__ import annotations

from typing import Any

import yaml

from forewarn.core.errors import ValidationFailed

Path_ = tuple[str | int, ...]
MAX_YAML_BYTES = 5 * 1024 * 1024


class SourceMap:
    """Line numbers (1-based) of every mapping key and sequence item in a YAML document."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: dict[Path_, int] = {}

    def where(self, path: Path_) -> str:
        """The closest known location for a path: the value itself, else its nearest parent."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return f"{self.filename}:{line}"
        return self.filename


def load_yaml(text: str, filename: str) -> tuple[Any, SourceMap]:
    if len(text.encode()) > MAX_YAML_BYTES:
        raise ValidationFailed(f"file is larger than {MAX_YAML_BYTES // 1024 // 1024} MiB", where=filename)
    source = SourceMap(filename)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationFailed(f"invalid YAML: {problem}", where=where) from exc
    if node is None:
        raise ValidationFailed("the file is empty", where=filename)
    return _convert(node, (), source), source


def _convert(node: yaml.Node, path: Path_, source: SourceMap) -> Any:
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path, source)
            if not isinstance(key, str | int | float | bool):
                raise ValidationFailed("mapping keys must be plain values",
                                       where=f"{source.filename}:{key_node.start_mark.line + 1}")
            key = str(key)
            if key in out:
                raise ValidationFailed(f"duplicate key {key!r}",
                                       where=f"{source.filename}:{key_node.start_mark.line + 1}")
            source.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, (*path, key), source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), source) for i, item in enumerate(node.value)]
    return _scalar(node, path, source)


def _scalar(node: yaml.Node, path: Path_, source: SourceMap) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ValidationFailed("expected a plain value here",
                               where=f"{source.filename}:{node.start_mark.line + 1}")
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_scalar(node) if node.tag.endswith(":str") else \
            constructor.construct_object(node)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"invalid value: {exc}",
                               where=f"{source.filename}:{node.start_mark.line + 1}") from exc
