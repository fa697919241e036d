"""The SMART check over every real smartctl fixture, broken output, and the smartctl seam."""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest

from forewarn.integrations.process import ProcessRun
from forewarn.integrations.smart import SmartCheck, SmartConfig
from forewarn.integrations.smart.health import MalformedSmart, parse_smartctl
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckStatus

# Expected status and summary for every fixture (see the fixtures README for their origin).
EXPECTED = {
    "HGST_HUS724020ALE640_28.json":
        (CheckStatus.OK, "HGST HUS724020ALE640 (/dev/sdb): SMART passed, 26 °C, 83425 power-on hours"),
    "SEAGATE_ST373453LC_26.json":
        (CheckStatus.WARNING, "SEAGATE ST373453LC (/dev/sdb): 260 grown defect(s); "
                              "uncorrected errors: 1 read, 535 write"),
    "ST3500418AS_11.json": (CheckStatus.WARNING, "ST3500418AS (/dev/sdb): 1 reallocated sector(s)"),
    "WDC_WD20EFRX-68EUZN0_17.json":
        (CheckStatus.OK, "WDC WD20EFRX-68EUZN0 (/dev/sdb): SMART passed, 34 °C, 47657 power-on hours"),
    "nvme-null-INTEL_SSDPE2KX020T8-nvme2.json":
        (CheckStatus.OK, "INTEL SSDPE2KX020T8 (/dev/nvme2): SMART passed, 29 °C, 36959 power-on hours"),
    "nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json":
        (CheckStatus.CRITICAL, "SAMSUNG MZWLL3T2HAJQ-00005 (/dev/nvme0): SMART overall health FAILED; "
                               "NVMe critical warning: volatile memory backup failed"),
    "nvme-null-Samsung_SSD_970_EVO_Plus_250GB-nvme0.json":
        (CheckStatus.OK, "Samsung SSD 970 EVO Plus 250GB (/dev/nvme0): SMART passed, 35 °C, 3149 power-on hours"),
    "sat-HGST_Ultrastar_7K6000-HGST_HUS726040ALA614-sda.json":
        (CheckStatus.OK, "HGST HUS726040ALA614 (/dev/sda): SMART passed, 31 °C, 54154 power-on hours"),
}
FAILING_NVME = "nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json"
HEALTHY_NVME = "nvme-null-INTEL_SSDPE2KX020T8-nvme2.json"
# What smartctl 7.3 prints for a device that does not exist (exit status 2: open failed).
OPEN_FAILED = {
    "json_format_version": [1, 0],
    "smartctl": {"version": [7, 3], "argv": ["smartctl", "--json", "-a", "/dev/sdz"], "exit_status": 2,
                 "messages": [{"string": "Smartctl open device: /dev/sdz failed: No such device",
                               "severity": "error"}]},
    "local_time": {"time_t": 1700000000, "asctime": "Tue Nov 14 22:13:20 2023 UTC"},
}


@pytest.fixture
def smart_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "smartctl"


async def check_file(path: Path, check: SmartCheck | None = None, **params: object) -> CheckOutcome:
    plugin = check or SmartCheck()
    return await plugin.run(plugin.parse_config({"json_file": str(path), **params}), CheckContext())


def values(outcome: CheckOutcome, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {tuple(sorted(m.labels.items())): m.value for m in outcome.metrics if m.name == name}


def test_every_fixture_has_an_expectation(smart_dir: Path) -> None:
    assert {p.name for p in smart_dir.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_fixture_outcomes(smart_dir: Path, name: str) -> None:
    outcome = await check_file(smart_dir / name)
    assert (outcome.status, outcome.summary) == EXPECTED[name]
    assert outcome.metrics and all(m.labels["device"].startswith("/dev/") for m in outcome.metrics)


async def test_failing_nvme_metrics(smart_dir: Path) -> None:
    outcome = await check_file(smart_dir / FAILING_NVME)
    dev = (("device", "/dev/nvme0"),)
    assert values(outcome, "smart_passed") == {dev: 0.0}
    assert values(outcome, "nvme_critical_warning") == {dev: 16.0}
    assert values(outcome, "nvme_available_spare") == {dev: 100.0}
    assert values(outcome, "nvme_temperature_sensor") == {
        (("device", "/dev/nvme0"), ("sensor", "1")): 40.0, (("device", "/dev/nvme0"), ("sensor", "2")): 40.0,
        (("device", "/dev/nvme0"), ("sensor", "3")): 35.0}


async def test_ata_attributes_become_metrics(smart_dir: Path) -> None:
    outcome = await check_file(smart_dir / "HGST_HUS724020ALE640_28.json")
    dev = (("device", "/dev/sdb"),)
    assert values(outcome, "udma_crc_errors") == {dev: 12.0}
    assert values(outcome, "reallocated_sectors") == {dev: 0.0}
    assert values(outcome, "temperature") == {dev: 26.0}
    raw = values(outcome, "ata_attribute_raw")
    # 194's raw.value packs min/max into high bytes (176094511130); the reading is 26
    assert raw[(("attribute", "Temperature_Celsius"), ("device", "/dev/sdb"), ("id", "194"))] == 26.0
    assert values(outcome, "ata_attribute_value")[
        (("attribute", "Reallocated_Sector_Ct"), ("device", "/dev/sdb"), ("id", "5"))] == 100.0
    assert len(raw) == 17


async def test_scsi_counters(smart_dir: Path) -> None:
    outcome = await check_file(smart_dir / "SEAGATE_ST373453LC_26.json")
    assert values(outcome, "scsi_uncorrected_errors") == {
        (("device", "/dev/sdb"), ("direction", "read")): 1.0, (("device", "/dev/sdb"), ("direction", "write")): 535.0}
    assert values(outcome, "scsi_grown_defects") == {(("device", "/dev/sdb"),): 260.0}


def edited(source: Path, target: Path, **log: object) -> Path:
    data = json.loads(source.read_text())
    data["nvme_smart_health_information_log"].update(log)
    target.write_text(json.dumps(data))
    return target


async def test_growing_media_errors_turn_critical(smart_dir: Path, tmp_path: Path) -> None:
    check = SmartCheck()
    report = tmp_path / "nvme2.json"
    first = await check_file(edited(smart_dir / HEALTHY_NVME, report, media_errors=3), check)
    assert first.status == CheckStatus.WARNING and first.summary.endswith("3 media error(s)")
    same = await check_file(report, check)
    assert same.status == CheckStatus.WARNING
    grown = await check_file(edited(smart_dir / HEALTHY_NVME, report, media_errors=7), check)
    assert grown.status == CheckStatus.CRITICAL
    assert grown.summary == "INTEL SSDPE2KX020T8 (/dev/nvme2): media errors grew from 3 to 7"


async def test_low_spare_and_wear(smart_dir: Path, tmp_path: Path) -> None:
    low = await check_file(edited(smart_dir / HEALTHY_NVME, tmp_path / "a.json", available_spare=15), None)
    assert low.status == CheckStatus.WARNING
    assert low.summary.endswith("available spare 15% near its threshold 10%")
    worn = await check_file(edited(smart_dir / HEALTHY_NVME, tmp_path / "b.json", percentage_used=97))
    assert worn.summary.endswith("97% of rated endurance used")
    below = await check_file(edited(smart_dir / HEALTHY_NVME, tmp_path / "c.json",
                                    available_spare=5, critical_warning=1))
    assert below.status == CheckStatus.CRITICAL
    assert "NVMe critical warning: available spare below threshold" in below.summary


async def test_temperature_limits(smart_dir: Path) -> None:
    hot = await check_file(smart_dir / HEALTHY_NVME, temperature_warning=25, temperature_critical=40)
    assert (hot.status, hot.summary.split(": ", 1)[1]) == (CheckStatus.WARNING, "temperature 29 °C >= 25 °C")
    hotter = await check_file(smart_dir / HEALTHY_NVME, temperature_critical=29)
    assert hotter.status == CheckStatus.CRITICAL


@pytest.mark.parametrize("cut", [0.5, 0.99])
async def test_truncated_json_is_unknown(smart_dir: Path, tmp_path: Path, cut: float) -> None:
    text = (smart_dir / FAILING_NVME).read_text()
    broken = tmp_path / "cut.json"
    broken.write_text(text[: int(len(text) * cut)])
    outcome = await check_file(broken)
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary.startswith(f"cannot read SMART data from {broken}: the output is not valid JSON (")
    assert outcome.summary.endswith("; it ends early (truncated?)")


@pytest.mark.parametrize("content,why", [
    ("", "the output is empty"),
    ("smartctl 7.3 2022-02-28 r5338 [x86_64-linux] (local build)\n", "the output is not valid JSON"),
    ('{"device": {"name": "/dev/sda"}}', "no 'smartctl' section"),
    ("[1, 2]", "no 'smartctl' section"),
])
async def test_invalid_output_is_unknown(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "out.json"
    path.write_text(content)
    outcome = await check_file(path)
    assert outcome.status == CheckStatus.UNKNOWN and why in outcome.summary


async def test_oversized_file_is_cut_and_said(smart_dir: Path) -> None:
    outcome = await check_file(smart_dir / FAILING_NVME, max_output_bytes=1024)
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary.endswith("(output cut at 1024 bytes: raise max_output_bytes)")


async def test_missing_file_is_unknown(tmp_path: Path) -> None:
    outcome = await check_file(tmp_path / "nothing.json")
    assert (outcome.status, outcome.summary) == (
        CheckStatus.UNKNOWN, f"cannot read {tmp_path / 'nothing.json'}: No such file or directory")


def test_parser_rejects_non_json_bytes() -> None:
    with pytest.raises(MalformedSmart, match="not UTF-8"):
        parse_smartctl(b"\xff\xfe{")


async def test_smartctl_seam_gets_argv_and_open_failure_is_unknown() -> None:
    seen: list[list[str]] = []

    async def fake(argv: list[str], env: Mapping[str, str], timeout: float, max_output: int) -> ProcessRun:
        seen.append(argv)
        return ProcessRun(2, json.dumps(OPEN_FAILED).encode())

    check = SmartCheck(runner=fake)
    cfg = SmartConfig(device="/dev/sdz", device_type="sat", smartctl="/usr/sbin/smartctl")
    outcome = await check.run(cfg, CheckContext())
    assert seen == [["/usr/sbin/smartctl", "--json", "-a", "-d", "sat", "/dev/sdz"]]
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == "drive: no SMART data: Smartctl open device: /dev/sdz failed: No such device"


async def test_a_real_child_process_feeds_the_fixture(smart_dir: Path, tmp_path: Path) -> None:
    # A stand-in smartctl: a real executable that prints the failing drive's output, exit status 8
    fake = tmp_path / "smartctl"
    fake.write_text(f"#!/bin/sh\ncat '{smart_dir / FAILING_NVME}'\nexit 8\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    check = SmartCheck()
    outcome = await check.run(SmartConfig(device="/dev/nvme0", smartctl=str(fake)), CheckContext())
    assert (outcome.status, outcome.summary) == EXPECTED[FAILING_NVME]


async def test_smartctl_missing_or_hanging(tmp_path: Path) -> None:
    missing = await SmartCheck().run(SmartConfig(device="/dev/sda", smartctl=str(tmp_path / "no")), CheckContext())
    assert missing.status == CheckStatus.UNKNOWN and "No such file" in missing.summary
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    hung = await SmartCheck().run(SmartConfig(device="/dev/sda", smartctl=str(slow)), CheckContext(timeout=0.3))
    assert hung.status == CheckStatus.UNKNOWN
    assert hung.summary == f"smartctl timed out after 0.3 s: {slow} --json -a /dev/sda"


@pytest.mark.parametrize("params", [{}, {"device": "/dev/sda", "json_file": "x.json"}, {"device": "-d"},
                                    {"device": "/dev/sda", "device_type": "sat; rm"}])
def test_config_needs_exactly_one_safe_source(params: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        SmartConfig.model_validate(params)
