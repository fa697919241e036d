"""Reads runbook YAML into validated documents; every error names file:line and the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from forewarn.core.errors import ValidationFailed
from forewarn.inventory import SourceMap

# yaml_source is the inventory area's line-tracking loader; not (yet) in its package exports.
from forewarn.inventory.yaml_source import load_yaml
from forewarn.remediation.document import STEP_KINDS, LocalStep, RunbookDoc
from forewarn.remediation.templates import TemplateError, placeholders

Loc = tuple[str | int, ...]


def parse_runbooks(text: str, filename: str) -> list[tuple[RunbookDoc, str]]:
    """Every runbook in one file (one mapping, or `runbooks:` with a list) with its file:line."""
    data, source = load_yaml(text, filename)
    if isinstance(data, dict) and set(data) == {"runbooks"}:
        items, prefix = data["runbooks"], ("runbooks",)
        if not isinstance(items, list):
            raise ValidationFailed("runbooks: expected a list of runbooks", where=source.where(prefix))
    elif isinstance(data, dict):
        items, prefix = [data], None
    else:
        raise ValidationFailed("the document must be a runbook mapping or 'runbooks:' with a list",
                               where=source.where(()))
    docs: list[tuple[RunbookDoc, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        base: Loc = (*prefix, i) if prefix else ()
        doc = _one(item, base, source)
        if doc.name in seen:
            raise ValidationFailed(f"name: runbook {doc.name!r} appears twice", where=source.where((*base, "name")))
        seen.add(doc.name)
        docs.append((doc, source.where(base)))
    return docs


def _one(item: Any, base: Loc, source: SourceMap) -> RunbookDoc:
    if not isinstance(item, dict):
        raise ValidationFailed("a runbook must be a mapping", where=source.where(base))
    try:
        doc = RunbookDoc.model_validate(item)
    except ValidationError as exc:
        raise _error(exc, base, source) from None
    _check_templates(doc, base, source)
    return doc


def _error(exc: ValidationError, base: Loc, source: SourceMap) -> ValidationFailed:
    err = exc.errors()[0]
    loc = list(err["loc"])
    # A tagged union puts the tag ("local", …) into the path; the YAML has no such level.
    if len(loc) >= 3 and loc[0] == "steps" and loc[2] in STEP_KINDS:
        del loc[2]
    msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
    if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
        msg = f"'kind' must be one of {', '.join(STEP_KINDS)}"
    field = ".".join(str(p) for p in loc)
    return ValidationFailed(f"{field}: {msg}" if field else msg, where=source.where((*base, *loc)))


def _check_templates(doc: RunbookDoc, base: Loc, source: SourceMap) -> None:
    for loc, template, secrets_ok in _templates(doc):
        where = source.where((*base, *loc))
        field = ".".join(str(p) for p in loc)
        try:
            params, secrets = placeholders(template)
        except TemplateError as exc:
            raise ValidationFailed(f"{field}: {exc}", where=where) from None
        unknown = sorted(params - set(doc.params))
        if unknown:
            raise ValidationFailed(f"{field}: {{{unknown[0]}}} is not a declared parameter", where=where)
        if secrets and not secrets_ok:
            # argv is visible in process lists and logs; secrets go in env, headers or SSH auth.
            raise ValidationFailed(f"{field}: secrets may not appear here (only in env, headers or a body)",
                                   where=where)


def _templates(doc: RunbookDoc) -> Iterator[tuple[Loc, str, bool]]:
    """(path, template, may it hold secrets) for every string the executor renders."""
    for i, step in enumerate(doc.steps):
        at: Loc = ("steps", i)
        for field in ("argv", "command"):
            for j, item in enumerate(getattr(step, field, None) or []):
                yield (*at, field, j), item, False
        for field in ("service", "directory", "file", "certificate", "cwd", "url"):
            value = getattr(step, field, None)
            if isinstance(value, str):
                yield (*at, field), value, False
        for field in ("env", "headers"):
            for key, value in (getattr(step, field, None) or {}).items():
                yield (*at, field, key), value, True
        if not isinstance(step, LocalStep):
            yield from _body_strings(getattr(step, "json_body", None), (*at, "json"))


def _body_strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str, bool]]:
    if isinstance(value, str):
        yield loc, value, True
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _body_strings(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _body_strings(item, (*loc, i))


def doc_from_definition(definition: dict[str, Any]) -> RunbookDoc:
    """A stored definition (row or run snapshot) back into a document."""
    return RunbookDoc.model_validate(definition)


def definition_of(doc: RunbookDoc) -> dict[str, Any]:
    return _dump(doc)


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=False)


def secret_names(doc: RunbookDoc) -> set[str]:
    """Every secret a runbook's steps use: SSH credentials and `{secret.NAME}` placeholders."""
    names = {c for step in doc.steps if (c := getattr(step, "credential", None))}
    for _, template, secrets_ok in _templates(doc):
        if secrets_ok:
            names |= placeholders(template)[1]
    return names
