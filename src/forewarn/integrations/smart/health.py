"""Pure reading of `smartctl --json -a` output into a typed drive-health section."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# smartctl's exit status is a bit mask; these bits mean it has no device data to offer.
EXIT_CMDLINE, EXIT_OPEN_FAILED, EXIT_SMART_FAILED = 1, 2, 4
_FIRST_INT = re.compile(r"^\s*(\d+)")


class MalformedSmart(ValueError):
    """The output is not smartctl JSON (truncated, empty, another program's text)."""


@dataclass(frozen=True, slots=True)
class AtaAttribute:
    """One row of the ATA SMART attribute table; `raw` is the human reading (26 for "26 (Min/Max 13/41)")."""

    id: int
    name: str
    value: int | None
    worst: int | None
    thresh: int | None
    raw: float | None
    when_failed: str = ""


@dataclass(frozen=True, slots=True)
class ScsiHealth:
    grown_defects: int | None = None
    uncorrected: Mapping[str, float] = field(default_factory=dict)  # "read"/"write"/"verify" → errors
    corrected: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DriveHealth:
    """What one drive reports about itself; fields it does not report are None or empty."""

    device: str
    model: str
    serial: str
    protocol: str
    passed: bool | None
    exit_status: int
    messages: tuple[str, ...] = ()
    temperature: float | None = None
    power_on_hours: float | None = None
    power_cycles: float | None = None
    ata: tuple[AtaAttribute, ...] = ()
    nvme: Mapping[str, float] = field(default_factory=dict)  # numeric fields of the NVMe health log
    nvme_sensors: tuple[float, ...] = ()
    scsi: ScsiHealth | None = None

    @property
    def has_data(self) -> bool:
        return self.passed is not None or bool(self.ata or self.nvme or self.scsi)

    def ata_raw(self, *ids: int) -> float | None:
        """The raw reading of the first of these attribute ids the drive has."""
        for wanted in ids:
            for attr in self.ata:
                if attr.id == wanted:
                    return attr.raw
        return None


def parse_smartctl(text: str | bytes) -> DriveHealth:
    """The health section of one `smartctl --json -a` run; MalformedSmart when it is not that.

        {"device": {"name": "/dev/nvme0", "protocol": "NVMe"}, "model_name": "SAMSUNG MZWLL3T2HAJQ-00005",
         "smartctl": {"exit_status": 8}, "smart_status": {"passed": false},
         "nvme_smart_health_information_log": {"critical_warning": 16, "media_errors": 0, ...}}

    gives DriveHealth(device "/dev/nvme0", protocol "NVMe", passed False, nvme {"critical_warning": 16, …}).
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedSmart(_json_problem(text, exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("smartctl"), dict):
        raise MalformedSmart("the JSON has no 'smartctl' section, so it is not smartctl --json output")
    device = _dict(data, "device")
    status = _dict(data, "smart_status")
    passed = status.get("passed")
    return DriveHealth(
        device=str(device.get("name", "")),
        model=str(data.get("model_name") or data.get("scsi_model_name") or ""),
        serial=str(data.get("serial_number", "")),
        protocol=str(device.get("protocol", "")),
        passed=passed if isinstance(passed, bool) else None,
        exit_status=int(_num(data["smartctl"], "exit_status") or 0),
        messages=_messages(data["smartctl"]),
        temperature=_num(_dict(data, "temperature"), "current"),
        power_on_hours=_num(_dict(data, "power_on_time"), "hours"),
        power_cycles=_num(data, "power_cycle_count"),
        ata=_ata_table(data),
        nvme=_numbers(_dict(data, "nvme_smart_health_information_log")),
        nvme_sensors=_sensors(_dict(data, "nvme_smart_health_information_log")),
        scsi=_scsi(data),
    )


def _json_problem(text: str | bytes, exc: ValueError) -> str:
    if not (text.strip() if isinstance(text, str) else text.strip()):
        return "the output is empty"
    if not isinstance(exc, json.JSONDecodeError):
        return "the output is not UTF-8 text"
    lines = exc.doc.count("\n") + 1
    ends_early = exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")
    hint = "; it ends early (truncated?)" if ends_early else ""
    return f"the output is not valid JSON ({exc.msg.removesuffix(' at')} at line {exc.lineno} of {lines}){hint}"


def _dict(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _num(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _numbers(data: Mapping[str, Any]) -> dict[str, float]:
    return {k: v for k in data if (v := _num(data, k)) is not None}


def _sensors(log: Mapping[str, Any]) -> tuple[float, ...]:
    values = log.get("temperature_sensors")
    if not isinstance(values, list):
        return ()
    return tuple(float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool))


def _messages(smartctl: Mapping[str, Any]) -> tuple[str, ...]:
    rows = smartctl.get("messages")
    if not isinstance(rows, list):
        return ()
    return tuple(str(r["string"]) for r in rows if isinstance(r, dict) and r.get("string"))


def _ata_table(data: Mapping[str, Any]) -> tuple[AtaAttribute, ...]:
    rows = _dict(data, "ata_smart_attributes").get("table")
    if not isinstance(rows, list):
        return ()
    out = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            continue
        out.append(AtaAttribute(
            id=row["id"], name=str(row.get("name", f"attribute_{row['id']}")),
            value=_int(row, "value"), worst=_int(row, "worst"), thresh=_int(row, "thresh"),
            raw=_raw_reading(_dict(row, "raw")), when_failed=str(row.get("when_failed") or ""),
        ))
    return tuple(out)


def _int(row: Mapping[str, Any], key: str) -> int | None:
    value = _num(row, key)
    return int(value) if value is not None else None


def _raw_reading(raw: Mapping[str, Any]) -> float | None:
    """The leading number of the raw string: vendors pack min/max into the high bytes of raw.value."""
    match = _FIRST_INT.match(str(raw.get("string", "")))
    return float(match.group(1)) if match else _num(raw, "value")


def _scsi(data: Mapping[str, Any]) -> ScsiHealth | None:
    log = _dict(data, "scsi_error_counter_log")
    defects = _num(data, "scsi_grown_defect_list")
    if not log and defects is None:
        return None
    uncorrected: dict[str, float] = {}
    corrected: dict[str, float] = {}
    for direction in ("read", "write", "verify"):
        counters = _dict(log, direction)
        if (bad := _num(counters, "total_uncorrected_errors")) is not None:
            uncorrected[direction] = bad
        if (fixed := _num(counters, "total_errors_corrected")) is not None:
            corrected[direction] = fixed
    return ScsiHealth(int(defects) if defects is not None else None, uncorrected, corrected)
