"""The anomaly stage's learned state survives a save and a load: same scores and signals, no relearning day."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import numpy as np
import pytest

from forewarn.alerting import AnomalySignals, AnomalyStateFile
from forewarn.analysis.anomaly import AnomalyDetector, DetectorConfig
from forewarn.bus import SAMPLES
from forewarn.core.clock import FakeClock
from forewarn.core.enums import SignalState
from forewarn.core.records import SampleBatch
from forewarn.monitoring import SeriesInfo
from forewarn.runtime import Platform
from forewarn.runtime import platform as platform_module
from forewarn.testing.platform import make_settings

T0 = 1_700_000_000.0
NAMES = ["cpu_percent", "rtt_ms", "uptime_seconds", "disk_used_percent"]  # uptime is never analysed
INFO = {100 + i: SeriesInfo(100 + i, "t1", f"a{i}", NAMES[i % 4], "", "", None) for i in range(6)}


def describe(ids):
    return {i: INFO[i] for i in ids if i in INFO}


def minutes(start: int, stop: int, spikes: dict[int, tuple[int, float]] | None = None,
            series: list[int] | None = None) -> list[SampleBatch]:
    """One batch per minute for every series (by default INFO's and one id the registry never heard of),
    with spikes {minute: (series index, added value)}."""
    ids = np.array(series or [*INFO, 999], dtype=np.int64)
    out = []
    for k in range(start, stop):
        t = T0 + 60.0 * k
        rng = np.random.default_rng(k)
        values = 20 + 3 * np.sin(t / 3600.0 + np.arange(len(ids))) + rng.normal(0, 0.5, len(ids))
        if spikes and k in spikes:
            values[spikes[k][0]] += spikes[k][1]
        out.append(SampleBatch(ids, np.full(len(ids), t), values))
    return out


def feed(stage: AnomalySignals, batches: list[SampleBatch]) -> list[tuple]:
    return [(s.fingerprint, s.state, s.ts, s.evidence["score"], s.evidence["value"])
            for b in batches for s in stage.process(b)]


def recorded_scores(stage: AnomalySignals) -> list[np.ndarray]:
    """Every score array the stage's detector returns from now on."""
    scores: list[np.ndarray] = []
    update = stage.detector.update

    def record(rows, values, ts):  # noqa: ANN001, ANN202
        out = update(rows, values, ts)
        scores.append(out.copy())
        return out

    stage.detector.update = record  # type: ignore[method-assign]
    return scores


TWO_DAYS = 2 * 1440
# A surprise shortly before the save (its signal is still firing then) and two right after the restart.
BEFORE = {TWO_DAYS - 5: (0, 40.0)}
AFTER = {TWO_DAYS + 3: (1, -30.0), TWO_DAYS + 30: (3, 45.0)}


@pytest.fixture(scope="module")
def learned() -> list[SampleBatch]:
    return minutes(0, TWO_DAYS, BEFORE)


def test_a_loaded_stage_scores_and_signals_exactly_as_the_uninterrupted_one(tmp_path: Path, learned):
    uninterrupted = AnomalySignals(describe)
    before = feed(uninterrupted, learned)
    assert ("anomaly:100", SignalState.FIRING) in [(f, s) for f, s, *_ in before]  # still firing at the save
    state_file = AnomalyStateFile(tmp_path / "anomaly-state.npz")
    assert state_file.save(uninterrupted) == 5  # uptime_seconds has no detector row
    restarted = AnomalySignals(describe)
    assert state_file.load(restarted)

    later = minutes(TWO_DAYS, TWO_DAYS + 120, AFTER)
    scores_a, scores_b = recorded_scores(uninterrupted), recorded_scores(restarted)
    signals_a, signals_b = feed(uninterrupted, later), feed(restarted, later)

    assert signals_b == signals_a
    assert len(scores_b) == len(scores_a) == 120
    assert all(np.array_equal(a, b) for a, b in zip(scores_a, scores_b, strict=True))  # bit for bit
    fired = {f for f, s, *_ in signals_a if s is SignalState.FIRING}
    resolved = {f for f, s, *_ in signals_a if s is SignalState.RESOLVED}
    assert fired == {"anomaly:101", "anomaly:103"}
    assert "anomaly:100" in resolved  # fired before the save: resolved after the load as it would have been
    for name, a in uninterrupted.export_state().items():
        assert np.array_equal(a, restarted.export_state()[name], equal_nan=True), name


def test_a_surprise_right_after_a_restart_pages_without_a_day_of_relearning(tmp_path: Path, learned):
    stage = AnomalySignals(describe)
    feed(stage, learned)
    state_file = AnomalyStateFile(tmp_path / "anomaly-state.npz")
    state_file.save(stage)
    # Down for 20 minutes (an upgrade); the fourth sample after the restart is a surprise.
    after = minutes(TWO_DAYS + 20, TWO_DAYS + 40, {TWO_DAYS + 23: (1, -30.0)})
    restarted, fresh = AnomalySignals(describe), AnomalySignals(describe)
    assert state_file.load(restarted)
    assert [(f, s, t) for f, s, t, *_ in feed(restarted, after) if s is SignalState.FIRING] == [
        ("anomaly:101", SignalState.FIRING, T0 + 60.0 * (TWO_DAYS + 23))]
    assert feed(fresh, after) == []  # what every restart did before: a new day of learning


def test_saving_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path, learned):
    stage = AnomalySignals(describe)
    state_file = AnomalyStateFile(tmp_path / "anomaly-state.npz")
    feed(stage, learned[:10])
    state_file.save(stage)
    feed(stage, learned[10:20])
    state_file.save(stage)
    assert [p.name for p in tmp_path.iterdir()] == ["anomaly-state.npz"]
    loaded = AnomalySignals(describe)
    assert state_file.load(loaded)
    assert loaded.detector.state.count[:5].tolist() == [20] * 5  # the second save's state


def _saved(tmp_path: Path, learned) -> tuple[AnomalyStateFile, dict[str, np.ndarray]]:
    stage = AnomalySignals(describe)
    feed(stage, learned[:100])
    state_file = AnomalyStateFile(tmp_path / "anomaly-state.npz")
    state_file.save(stage)
    with np.load(state_file.path) as data:
        return state_file, {k: data[k] for k in data.files}


def _rewrite(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with path.open("wb") as f:
        np.savez(f, **arrays)


def _cut_in_half(path: Path, arrays: dict) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path, arrays: dict) -> None:
    path.write_bytes(b"not an npz file at all\n" * 50)


def _old_version(path: Path, arrays: dict) -> None:
    _rewrite(path, {**arrays, "__meta__": np.array('{"version": 0}')})


def _array_missing(path: Path, arrays: dict) -> None:
    _rewrite(path, {k: v for k, v in arrays.items() if k != "detector.peak"})


def _other_profile_width(path: Path, arrays: dict) -> None:
    _rewrite(path, {**arrays, "detector.day.profile": arrays["detector.day.profile"][:, :12]})


def _rows_disagree(path: Path, arrays: dict) -> None:
    _rewrite(path, {**arrays, "since": arrays["since"][:-1]})


def _mapping_broken(path: Path, arrays: dict) -> None:
    rows = arrays["known_rows"].copy()
    rows[rows >= 0] = 0
    _rewrite(path, {**arrays, "known_rows": rows})


@pytest.mark.parametrize(("spoil", "reason"), [
    (_cut_in_half, "cannot be read"), (_garbage, "cannot be read"), (_old_version, "format version 0"),
    (_array_missing, "missing ['detector.peak']"), (_other_profile_width, "detector.day.profile is float64[5, 12]"),
    (_rows_disagree, "rows, since has 4"), (_mapping_broken, "do not map one to one"),
])
def test_a_file_that_does_not_fit_is_ignored_with_a_log_line_and_the_stage_starts_fresh(
        tmp_path: Path, learned, caplog: pytest.LogCaptureFixture, spoil, reason: str):
    state_file, arrays = _saved(tmp_path, learned)
    spoil(state_file.path, arrays)
    stage = AnomalySignals(describe)
    with caplog.at_level(logging.WARNING, logger="forewarn.alerting.anomaly_persist"):
        assert not state_file.load(stage)
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert "anomaly-state.npz ignored" in message and reason in message and "Starting fresh" in message
    assert stage.export_state()["since"].size == 0  # nothing half-loaded
    assert feed(stage, learned[:3]) == []  # and it works
    assert stage.detector.state.count[:5].tolist() == [3] * 5


def test_a_file_learned_with_another_detector_configuration_is_ignored(tmp_path: Path, learned, caplog):
    state_file, _ = _saved(tmp_path, learned)
    stage = AnomalySignals(describe)
    stage.detector = AnomalyDetector(64, DetectorConfig(day_rate=0.1))
    with caplog.at_level(logging.WARNING, logger="forewarn.alerting.anomaly_persist"):
        assert not state_file.load(stage)
    assert "another detector configuration" in caplog.text


def test_no_file_is_a_fresh_start_without_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING):
        assert not AnomalyStateFile(tmp_path / "anomaly-state.npz").load(AnomalySignals(describe))
    assert not caplog.records


def _platform_series(platform: Platform) -> list[int]:
    names = [("cpu_percent", "", "%"), ("memory_percent", "", "%"), ("uptime_seconds", "", "s")]
    return platform.registry.resolve(platform.boot.internal_tenant_id, platform.boot.local_asset_id, names)


async def test_the_platform_saves_the_state_on_stop_and_the_next_one_carries_on(tmp_path: Path):
    settings = make_settings(tmp_path, notify_enabled=False)
    first = Platform(settings, clock=FakeClock(T0))
    await first.start(checks=False, agent=False)
    ids = _platform_series(first)
    for batch in minutes(0, TWO_DAYS, series=ids):
        first.anomalies.process(batch)
    # The last minute goes through the bus and is still on its way when the platform stops.
    await first.bus.publish(SAMPLES, minutes(TWO_DAYS, TWO_DAYS + 1, series=ids)[0])
    await first.stop()
    saved = tmp_path / "anomaly-state.npz"
    assert saved.exists()

    second = Platform(settings, clock=FakeClock(T0 + 60.0 * (TWO_DAYS + 10)))
    assert second.anomalies.detector.state.count.tolist() == [TWO_DAYS + 1] * 2  # uptime is skipped
    spike = minutes(TWO_DAYS + 10, TWO_DAYS + 11, {TWO_DAYS + 10: (1, 60.0)}, series=ids)[0]
    fired = [s.fingerprint for s in second.anomalies.process(spike) if s.state is SignalState.FIRING]
    assert fired == [f"anomaly:{ids[1]}"]
    before = saved.read_bytes()
    await second.stop()  # never started (as a simulation drives it): writes nothing
    assert saved.read_bytes() == before


async def test_a_running_platform_saves_the_state_periodically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(platform_module, "ANOMALY_SAVE_SECONDS", 0.05)
    platform = Platform(make_settings(tmp_path, notify_enabled=False), clock=FakeClock(T0))
    await platform.start(checks=False, agent=False)
    try:
        for batch in minutes(0, 50, series=_platform_series(platform)):
            platform.anomalies.process(batch)
        saved = platform.anomaly_state.path
        for _ in range(400):  # the saver runs every 0.05 s; give a loaded machine up to ~20 s
            if saved.exists():
                break
            await asyncio.sleep(0.05)
        with np.load(saved) as data:
            assert data["detector.count"].tolist() == [50, 50]
    finally:
        await platform.stop()
