"""The on-call page's forms as plain values: what a form shows for a rota or policy, and posted fields as API input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import zip_longest
from typing import Any

from pydantic import BaseModel, ValidationError

from forewarn.core.errors import ValidationFailed
from forewarn.notify import PolicyOut, RotaOut

TARGETS = {"user": "person", "rota": "rota", "channel": "channel"}
SEVERITIES = ("critical", "warning", "info")
PRIORITIES = ("P1", "P2", "P3", "P4")
BLANK_STEPS = 3  # empty step rows under a policy's steps, so steps can be added without JavaScript
MAX_STEPS = 20


def one(form: dict[str, list[str]], key: str) -> str:
    """A single form field, stripped ('' when absent)."""
    return (form.get(key) or [""])[0].strip()


def validated(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """The model, or a ValidationFailed naming the first bad field the way the API does (steps[1].rota)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"].removeprefix("Value error, ")
        raise ValidationFailed(msg, where=path or None) from None


def rota_values(rota: RotaOut | None, tenant_id: str, now: float) -> dict[str, str]:
    """What the rota form shows: the rota's fields, or a new weekly rota starting today."""
    if rota is None:
        today = datetime.fromtimestamp(now, UTC).date().isoformat()
        return {"tenant": tenant_id, "name": "", "members": "", "rotation": "weekly", "shift_hours": "24",
                "handoff": "09:00", "timezone": "UTC", "start_date": today}
    return {"tenant": rota.tenant_id, "name": rota.name, "members": ", ".join(rota.members),
            "rotation": rota.rotation, "shift_hours": str(rota.shift_hours), "handoff": rota.handoff,
            "timezone": rota.timezone, "start_date": rota.start_date}


def posted_rota(form: dict[str, list[str]]) -> dict[str, str]:
    """The rota form as posted, kept as text so a refused form shows exactly what was typed."""
    return {key: one(form, key) for key in ("tenant", "name", "members", "rotation", "shift_hours", "handoff",
                                             "timezone", "start_date")}


def rota_data(values: dict[str, str]) -> dict[str, Any]:
    """The rota as the API takes it: members split on commas or newlines, an empty shift length left out."""
    data: dict[str, Any] = {key: values[key] for key in ("name", "rotation", "handoff", "timezone", "start_date")}
    data["members"] = [m for m in re.split(r"[\s,]+", values["members"]) if m]  # the order is the turn order
    if values["shift_hours"]:
        data["shift_hours"] = values["shift_hours"]
    return data


def policy_values(policy: PolicyOut | None, tenant_id: str) -> dict[str, Any]:
    """What the policy form shows: the policy's fields and steps (plus empty rows), or an empty policy."""
    if policy is None:
        return {"tenant": tenant_id, "name": "", "enabled": True, "position": "100", "severities": [],
                "priorities": [], "repeat": "0", "email_channel": "", "steps": padded([])}
    return {"tenant": policy.tenant_id, "name": policy.name, "enabled": policy.enabled,
            "position": str(policy.position), "severities": policy.severities, "priorities": policy.priorities,
            "repeat": str(policy.repeat), "email_channel": policy.email_channel or "",
            "steps": padded([(s.target, s.name, str(s.wait_minutes)) for s in policy.steps])}


def padded(steps: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Steps as (target, name, wait) rows with empty rows after them, up to MAX_STEPS rows."""
    return (steps + [("rota", "", "15")] * BLANK_STEPS)[:max(MAX_STEPS, len(steps))]


def posted_policy(form: dict[str, list[str]]) -> dict[str, Any]:
    """The policy form as posted; the step rows stay aligned by position (empty ones too)."""
    rows = zip_longest(form.get("step_target", []), form.get("step_name", []), form.get("step_wait", []),
                       fillvalue="")
    steps = [(t.strip(), n.strip(), w.strip()) for t, n, w in rows]
    return {"tenant": one(form, "tenant"), "name": one(form, "name"), "enabled": bool(one(form, "enabled")),
            "position": one(form, "position"), "severities": form.get("severities", []),
            "priorities": form.get("priorities", []), "repeat": one(form, "repeat"),
            "email_channel": one(form, "email_channel"), "steps": steps}


def policy_data(values: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The policy as the API takes it, and each kept step's row on the form (rows without a name are skipped)."""
    data: dict[str, Any] = {k: values[k] for k in ("name", "enabled", "severities", "priorities", "email_channel")}
    for key in ("position", "repeat"):
        if values[key]:
            data[key] = values[key]
    steps, rows = [], []
    for row, (target, name, wait) in enumerate(values["steps"]):
        if not name:
            continue
        if target not in TARGETS:
            raise ValidationFailed("choose person, rota or channel", where=f"steps[{row}].target")
        steps.append({target: name, **({"wait_minutes": wait} if wait else {})})
        rows.append(row)
    data["steps"] = steps
    return data, rows


def on_rows(exc: ValidationFailed, rows: list[int]) -> ValidationFailed:
    """Renumber steps[i] (i among the kept steps) to the row the technician sees, so the error points at it."""
    where = exc.where or ""
    match = re.match(r"steps\[(\d+)\]", where)
    if match and int(match.group(1)) < len(rows):
        return ValidationFailed(exc.message, where=f"steps[{rows[int(match.group(1))]}]{where[match.end():]}")
    return exc
