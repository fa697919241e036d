"""Pure rules: a drive's health section (and its previous media-error count) → findings with a status."""

from __future__ import annotations

from dataclasses import dataclass

from forewarn.integrations.smart.health import DriveHealth
from forewarn.plugins.v1 import CheckStatus

# NVMe critical_warning bits (NVMe base spec, SMART / Health Information log page).
NVME_WARNING_BITS = {
    0: "available spare below threshold",
    1: "temperature outside its thresholds",
    2: "reliability degraded by media or internal errors",
    3: "media placed in read-only mode",
    4: "volatile memory backup failed",
    5: "persistent memory region unreliable",
}
EXIT_SELFTEST_ERRORS = 128
# ATA attribute ids whose raw count above zero means sectors already lost or about to be.
ATA_SECTOR_COUNTS = {5: "reallocated sector(s)", 197: "pending sector(s)", 198: "offline uncorrectable sector(s)"}


@dataclass(frozen=True, slots=True)
class Limits:
    temperature_warning: float | None = None
    temperature_critical: float | None = None
    spare_margin: float = 10
    wear_warning: float = 90


@dataclass(frozen=True, slots=True)
class Finding:
    status: CheckStatus
    text: str


def judge(health: DriveHealth, limits: Limits, previous_media_errors: float | None = None) -> list[Finding]:
    """Every problem the drive shows, worst first.

    For example the failing Samsung NVMe fixture (smart_status.passed false, critical_warning 16)
    gives CRITICAL "SMART overall health FAILED" and CRITICAL "NVMe critical warning: volatile
    memory backup failed".
    """
    findings = [*_overall(health), *_ata(health), *_nvme(health, limits, previous_media_errors),
                *_scsi(health), *_temperature(health, limits)]
    return sorted(findings, key=lambda f: -f.status.rank)


def _overall(health: DriveHealth) -> list[Finding]:
    out = []
    if health.passed is False:
        out.append(Finding(CheckStatus.CRITICAL, "SMART overall health FAILED"))
    if health.exit_status & EXIT_SELFTEST_ERRORS:
        out.append(Finding(CheckStatus.WARNING, "the self-test log records a failed test"))
    return out


def _ata(health: DriveHealth) -> list[Finding]:
    out = []
    for attr in health.ata:
        if attr.when_failed == "now":
            out.append(Finding(CheckStatus.CRITICAL, f"attribute {attr.name} failing now "
                                                     f"(value {attr.value} <= threshold {attr.thresh})"))
    for attr_id, what in ATA_SECTOR_COUNTS.items():
        count = health.ata_raw(attr_id)
        if count:
            out.append(Finding(CheckStatus.WARNING, f"{count:g} {what}"))
    return out


def _nvme(health: DriveHealth, limits: Limits, previous_media_errors: float | None) -> list[Finding]:
    log = health.nvme
    out = []
    bits = int(log.get("critical_warning", 0))
    if bits:
        named = [text for bit, text in NVME_WARNING_BITS.items() if bits >> bit & 1] or [f"code {bits}"]
        out.append(Finding(CheckStatus.CRITICAL, "NVMe critical warning: " + ", ".join(named)))
    media = log.get("media_errors")
    if media and previous_media_errors is not None and media > previous_media_errors:
        out.append(Finding(CheckStatus.CRITICAL, f"media errors grew from {previous_media_errors:g} to {media:g}"))
    elif media:
        out.append(Finding(CheckStatus.WARNING, f"{media:g} media error(s)"))
    spare, floor = log.get("available_spare"), log.get("available_spare_threshold")
    if spare is not None and floor is not None and spare <= floor + limits.spare_margin:
        out.append(Finding(CheckStatus.WARNING, f"available spare {spare:g}% near its threshold {floor:g}%"))
    used = log.get("percentage_used")
    if used is not None and used >= limits.wear_warning:
        out.append(Finding(CheckStatus.WARNING, f"{used:g}% of rated endurance used"))
    return out


def _scsi(health: DriveHealth) -> list[Finding]:
    if health.scsi is None:
        return []
    out = []
    if health.scsi.grown_defects:
        out.append(Finding(CheckStatus.WARNING, f"{health.scsi.grown_defects} grown defect(s)"))
    bad = {d: n for d, n in health.scsi.uncorrected.items() if n}
    if bad:
        listed = ", ".join(f"{n:g} {d}" for d, n in bad.items())
        out.append(Finding(CheckStatus.WARNING, f"uncorrected errors: {listed}"))
    return out


def _temperature(health: DriveHealth, limits: Limits) -> list[Finding]:
    temp = health.temperature
    if temp is None:
        return []
    if limits.temperature_critical is not None and temp >= limits.temperature_critical:
        return [Finding(CheckStatus.CRITICAL, f"temperature {temp:g} °C >= {limits.temperature_critical:g} °C")]
    if limits.temperature_warning is not None and temp >= limits.temperature_warning:
        return [Finding(CheckStatus.WARNING, f"temperature {temp:g} °C >= {limits.temperature_warning:g} °C")]
    return []
