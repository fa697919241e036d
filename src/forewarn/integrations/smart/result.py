"""Pure assembly of the SMART outcome: findings into a status and summary, the section into metrics."""

from __future__ import annotations

from forewarn.integrations.common import fmt_seconds
from forewarn.integrations.smart.collect import Collected
from forewarn.integrations.smart.health import (
    EXIT_CMDLINE,
    EXIT_OPEN_FAILED,
    EXIT_SMART_FAILED,
    DriveHealth,
)
from forewarn.integrations.smart.judge import Finding
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint

# Friendly names for the ATA attributes that matter most, beside the generic per-attribute series.
ATA_NAMED = {5: "reallocated_sectors", 197: "pending_sectors", 198: "offline_uncorrectable",
             199: "udma_crc_errors", 187: "reported_uncorrect"}
NVME_UNITS = {"temperature": "°C", "percentage_used": "%", "available_spare": "%",
              "available_spare_threshold": "%", "power_on_hours": "h", "controller_busy_time": "min"}


def evaluate(health: DriveHealth, findings: list[Finding]) -> CheckOutcome:
    """Worst finding's status; the summary names the drive and every finding, or its vital signs.

    For example the WDC WD20EFRX fixture gives OK
    "WDC WD20EFRX-68EUZN0 (/dev/sdb): SMART passed, 34 °C, 47657 power-on hours".
    """
    name = f"{health.model or 'drive'} ({health.device})" if health.device else health.model or "drive"
    if not health.has_data:
        why = "; ".join(health.messages) or f"smartctl exit status {health.exit_status}"
        return CheckOutcome(CheckStatus.UNKNOWN, f"{name}: no SMART data: {why}")
    metrics = drive_metrics(health)
    if findings:
        status = CheckStatus.worst(*(f.status for f in findings))
        return CheckOutcome(status, f"{name}: " + "; ".join(f.text for f in findings), metrics)
    vitals = ["SMART passed" if health.passed else "SMART status not reported"]
    if health.temperature is not None:
        vitals.append(f"{health.temperature:g} °C")
    if health.power_on_hours is not None:
        vitals.append(f"{health.power_on_hours:g} power-on hours")
    return CheckOutcome(CheckStatus.OK, f"{name}: " + ", ".join(vitals), metrics)


def unusable(collected: Collected, why: str, timeout: float) -> CheckOutcome:
    """UNKNOWN for output that cannot be read as smartctl JSON, with smartctl's own words if any."""
    if collected.timed_out:
        return CheckOutcome(CheckStatus.UNKNOWN, f"smartctl timed out after {fmt_seconds(timeout)}: "
                                                 f"{collected.source}")
    parts = [f"cannot read SMART data from {collected.source}: {why}"]
    if collected.truncated:
        parts.append(f"(output cut at {len(collected.output)} bytes: raise max_output_bytes)")
    if collected.exit_code is not None and collected.exit_code & (EXIT_CMDLINE | EXIT_OPEN_FAILED |
                                                                  EXIT_SMART_FAILED):
        parts.append(f"(smartctl exit status {collected.exit_code})")
    if collected.stderr:
        parts.append(f"stderr: {collected.stderr.splitlines()[0][:200]}")
    return CheckOutcome(CheckStatus.UNKNOWN, " ".join(parts))


def drive_metrics(health: DriveHealth) -> list[MetricPoint]:
    """Vital signs, then every ATA attribute, NVMe health-log field and SCSI error counter."""
    labels = {"device": health.device} if health.device else {}
    points = []
    if health.passed is not None:
        points.append(MetricPoint("smart_passed", 1.0 if health.passed else 0.0, "", labels))
    for name, value, unit in (("temperature", health.temperature, "°C"),
                              ("power_on_hours", health.power_on_hours, "h"),
                              ("power_cycles", health.power_cycles, "")):
        if value is not None:
            points.append(MetricPoint(name, value, unit, labels))
    return points + _ata_points(health, labels) + _nvme_points(health, labels) + _scsi_points(health, labels)


def _ata_points(health: DriveHealth, labels: dict[str, str]) -> list[MetricPoint]:
    points = []
    for attr in health.ata:
        attr_labels = {**labels, "id": str(attr.id), "attribute": attr.name}
        if attr.value is not None:
            points.append(MetricPoint("ata_attribute_value", float(attr.value), "", attr_labels))
        if attr.raw is not None:
            points.append(MetricPoint("ata_attribute_raw", attr.raw, "", attr_labels))
    for attr_id, name in ATA_NAMED.items():
        raw = health.ata_raw(attr_id)
        if raw is not None:
            points.append(MetricPoint(name, raw, "", labels))
    return points


def _nvme_points(health: DriveHealth, labels: dict[str, str]) -> list[MetricPoint]:
    points = [MetricPoint(f"nvme_{key}", value, NVME_UNITS.get(key, ""), labels)
              for key, value in health.nvme.items()]
    points += [MetricPoint("nvme_temperature_sensor", value, "°C", {**labels, "sensor": str(i)})
               for i, value in enumerate(health.nvme_sensors, start=1)]
    return points


def _scsi_points(health: DriveHealth, labels: dict[str, str]) -> list[MetricPoint]:
    scsi = health.scsi
    if scsi is None:
        return []
    points = []
    if scsi.grown_defects is not None:
        points.append(MetricPoint("scsi_grown_defects", float(scsi.grown_defects), "", labels))
    for name, counts in (("scsi_uncorrected_errors", scsi.uncorrected), ("scsi_corrected_errors", scsi.corrected)):
        points += [MetricPoint(name, n, "", {**labels, "direction": d}) for d, n in counts.items()]
    return points
