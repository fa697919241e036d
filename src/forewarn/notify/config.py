"""Channel config handling: validate by kind, redact secrets for display, keep stored secrets on update."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, ValidationError

from forewarn.core.errors import ValidationFailed
from forewarn.notify.channels import KINDS, Channel, ChannelConfig
from forewarn.notify.policy import REDACTED


def channel_class(kind: str) -> type[Channel]:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValidationFailed(f"unknown channel kind {kind!r}; choose one of {', '.join(sorted(KINDS))}",
                               where="kind") from None


def secret_fields(kind: str) -> set[str]:
    model = channel_class(kind).config_model
    return {name for name, f in model.model_fields.items() if SecretStr in _types(f.annotation)}


def _types(annotation: Any) -> set[Any]:
    args = getattr(annotation, "__args__", None)
    return {annotation} if not args else set(args)


def parse_config(kind: str, data: dict[str, Any]) -> ChannelConfig:
    """The typed config, or a sentence naming the field that is wrong (secret values never echoed)."""
    try:
        return channel_class(kind).config_model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "config." + ".".join(str(p) for p in first["loc"]) if first["loc"] else "config"
        raise ValidationFailed(f"{first['msg']} (a {kind} channel)", where=where) from None


def dump_config(config: ChannelConfig) -> dict[str, Any]:
    """The JSON stored in the row, secrets in clear (the database is the trust boundary)."""
    data = config.model_dump(mode="python")
    return {k: (v.get_secret_value() if isinstance(v, SecretStr) else v) for k, v in data.items()}


def redact(kind: str, stored: dict[str, Any]) -> dict[str, Any]:
    """The config safe to show or log: every secret field replaced by a fixed mask (set or not)."""
    secrets = secret_fields(kind)
    return {k: (REDACTED if k in secrets and v else v) for k, v in stored.items()}


def merge(kind: str, stored: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """An update: secrets left out or sent back masked keep their stored value."""
    secrets = secret_fields(kind)
    merged = dict(incoming)
    for name in secrets:
        if merged.get(name) in (None, REDACTED) and stored.get(name) is not None:
            merged[name] = stored[name]
    return merged


def secret_values(kind: str, stored: dict[str, Any]) -> list[str]:
    """The secret strings of a stored config, to scrub from error messages before they are kept."""
    return [str(stored[n]) for n in secret_fields(kind) if stored.get(n)]
