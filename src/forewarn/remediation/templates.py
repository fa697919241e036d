"""Placeholders in runbook strings: `{param}` and `{secret.NAME}`, substituted inside one value only.

Substitution never splits or joins values: an argv item stays exactly one argv item whatever the
parameter contains, which is what keeps signal text inert (DESIGN.md §8). Only bare names are
allowed — no attribute access or format specs as `str.format` would offer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(secret\.)?([A-Za-z_][A-Za-z0-9_-]*)\}|[{}]")


class TemplateError(ValueError):
    """A template names something unknown or has a stray brace."""


def placeholders(template: str) -> tuple[set[str], set[str]]:
    """(parameter names, secret names) a template refers to; TemplateError on a stray brace."""
    params: set[str] = set()
    secrets: set[str] = set()
    for m in _PLACEHOLDER.finditer(template):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(2) is None:
            raise TemplateError(f"stray {token!r} in {template!r}; write {token * 2} for a literal brace")
        (secrets if m.group(1) else params).add(m.group(2))
    return params, secrets


def render(template: str, params: Mapping[str, object], secrets: Mapping[str, str] | None = None,
           quote: Callable[[str], str] = str) -> str:
    """The template with every placeholder replaced by its value (passed through `quote`)."""

    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if m.group(2) is None:
            raise TemplateError(f"stray {token!r} in template")
        name = m.group(2)
        if m.group(1):
            if secrets is None or name not in secrets:
                raise TemplateError(f"secret {name!r} is not available here")
            return secrets[name]
        if name not in params:
            raise TemplateError(f"unknown parameter {name!r}")
        return quote(str(params[name]))

    return _PLACEHOLDER.sub(one, template)
