"""Reading the NAB corpus from disk: data files, label windows and published result files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from forewarn.core.errors import ForewarnError


class NabDataError(ForewarnError):
    """A NAB folder or file is missing or malformed; the message names the path."""


@dataclass(frozen=True)
class NabSeries:
    """One NAB data file: its key (`<category>/<file>.csv`), timestamps, values and label windows."""

    key: str
    timestamps: np.ndarray  # datetime64[s]
    values: np.ndarray  # float64
    windows: tuple[tuple[np.datetime64, np.datetime64], ...]

    @property
    def category(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split("/", 1)[1]


def _read_two_columns(path: Path, header: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse a `timestamp,<header>` csv into datetime64[s] and float64 arrays."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise NabDataError(f"{path}: cannot read ({exc})") from None
    if not lines or lines[0].strip().replace(" ", "") != f"timestamp,{header}":
        raise NabDataError(f"{path}:1: expected the header 'timestamp,{header}'")
    stamps: list[str] = []
    values: list[str] = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split(",")
        if len(parts) != 2:
            raise NabDataError(f"{path}:{lineno}: expected 2 comma-separated columns, got {len(parts)}")
        stamps.append(parts[0].strip())
        values.append(parts[1].strip())
    try:
        ts = np.array(stamps, dtype="datetime64[s]")
    except ValueError as exc:
        raise NabDataError(f"{path}: a timestamp is not 'YYYY-MM-DD HH:MM:SS' ({exc})") from None
    try:
        vals = np.array([float(v) if v else np.nan for v in values], dtype=np.float64)
    except ValueError as exc:
        raise NabDataError(f"{path}: a {header} is not a number ({exc})") from None
    return ts, vals


def load_windows(root: Path) -> dict[str, list[list[str]]]:
    path = root / "labels" / "combined_windows.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NabDataError(f"{path}: cannot read the label windows ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise NabDataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise NabDataError(f"{path}: expected an object mapping '<category>/<file>.csv' to windows")
    return raw


def load_corpus(root: Path) -> list[NabSeries]:
    """Every file named in the label file, in the label file's order (NAB's order)."""
    root = Path(root)
    if not root.is_dir():
        raise NabDataError(f"{root}: NAB folder not found (expected data/ and labels/ inside)")
    series = []
    for key, windows in load_windows(root).items():
        ts, vals = _read_two_columns(root / "data" / key, "value")
        try:
            bounds = tuple((np.datetime64(a, "s"), np.datetime64(b, "s")) for a, b in windows)
        except (ValueError, TypeError):
            raise NabDataError(f"{root / 'labels' / 'combined_windows.json'}: bad window for {key}") from None
        series.append(NabSeries(key, ts, vals, bounds))
    return series


def load_result_scores(results_dir: Path, detector: str, series: NabSeries) -> np.ndarray:
    """The `anomaly_score` column of `<results>/<category>/<detector>_<file>.csv`, checked row by row."""
    path = Path(results_dir) / series.category / f"{detector}_{series.name}"
    if not path.is_file():
        raise NabDataError(f"{path}: result file not found")
    ts, scores = _read_two_columns(path, "anomaly_score")
    if len(ts) != len(series.timestamps) or not np.array_equal(ts, series.timestamps):
        raise NabDataError(f"{path}: rows do not match the data file {series.key}")
    return scores


def write_result_scores(results_dir: Path, detector: str, series: NabSeries, scores: np.ndarray) -> Path:
    """Write scores in NAB's results layout so NAB's own tools (and `--results`) can read them."""
    path = Path(results_dir) / series.category / f"{detector}_{series.name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamps = np.datetime_as_string(series.timestamps, unit="s")
    lines = ["timestamp,anomaly_score"]
    lines += [f"{t.replace('T', ' ')},{s:.9g}" for t, s in zip(stamps, scores, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
