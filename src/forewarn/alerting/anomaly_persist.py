"""The anomaly stage's learned state on disk: one .npz in the data directory, replaced crash-safe, read on start."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from forewarn.alerting.anomaly_stage import SKIPPED, AnomalySignals
from forewarn.core.durable import fsync_path

log = logging.getLogger(__name__)
FILE_NAME = "anomaly-state.npz"
# Bump when the meaning of a stored array changes without its name, type or shape changing.
FORMAT_VERSION = 1
_META = "__meta__"


class AnomalyStateFile:
    """Saves a stage's state to `path` and loads it back; saves never interleave (a periodic one and
    the one at stop may overlap in time: the later snapshot must be the one left on disk)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def save(self, stage: AnomalySignals) -> int:
        """Write the stage's state (temp file, fsync, rename, fsync the directory); returns its series count."""
        with self._lock:
            state = stage.export_state()
            meta = json.dumps({"version": FORMAT_VERSION, "config": asdict(stage.detector.config)})
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, **{_META: np.array(meta)}, **state)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            fsync_path(self.path.parent)
            return len(state["since"])

    def load(self, stage: AnomalySignals) -> bool:
        """Carry on from the saved state if the file is there and fits this stage; otherwise say why and start fresh."""
        if not self.path.exists():
            return False
        try:
            with np.load(self.path, allow_pickle=False) as data:
                state = {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            return self._ignored(f"it cannot be read ({type(exc).__name__}: {exc})")
        problem = mismatch(state, stage)
        if problem:
            return self._ignored(problem)
        del state[_META]
        stage.import_state(state)
        log.info("anomaly state loaded from %s: %d series keep what they learned, %d series ids known",
                 self.path, len(state["since"]), len(state["known_ids"]))
        return True

    def _ignored(self, why: str) -> bool:
        log.warning("anomaly state file %s ignored: %s. Starting fresh: every series is learned again and pages "
                    "only after a day of samples; the file is replaced at the next save.", self.path, why)
        return False


def mismatch(state: dict[str, np.ndarray], stage: AnomalySignals) -> str | None:
    """Why a loaded state does not fit `stage` (a fresh one: its own export names the expected arrays), or None."""
    try:
        meta = json.loads(str(state.get(_META, np.array("{}"))))
    except ValueError:
        return "its header is not JSON"
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        return f"format version {meta.get('version') if isinstance(meta, dict) else None!r}, expected {FORMAT_VERSION}"
    if meta.get("config") != asdict(stage.detector.config):
        return "it was learned with another detector configuration"
    expected = stage.export_state()
    names, wanted = set(state) - {_META}, set(expected)
    if names != wanted:
        return f"arrays differ: missing {sorted(wanted - names)}, unexpected {sorted(names - wanted)}"
    for name, like in expected.items():
        got = state[name]
        if got.dtype != like.dtype or got.shape[1:] != like.shape[1:]:
            return f"{name} is {got.dtype}{list(got.shape)}, expected {like.dtype}[n, {', '.join(map(str, like.shape[1:]))}]"
    return _inconsistency(state)


def _inconsistency(state: dict[str, np.ndarray]) -> str | None:
    """Row counts and the id -> row mapping agree with one another (what the stage's lookups rely on)."""
    n = len(state["since"])
    short = [name for name in state if name.startswith("detector.") and len(state[name]) != n]
    if short:
        return f"{short[0]} has {len(state[short[0]])} rows, since has {n}"
    ids, rows = state["known_ids"], state["known_rows"]
    if len(ids) != len(rows) or len(state["last_high_ids"]) != len(state["last_high_ts"]):
        return "ids and their rows/times differ in length"
    if np.any(ids[1:] <= ids[:-1]):
        return "known series ids are not strictly increasing"
    analysed = rows[rows != SKIPPED]
    if not np.array_equal(np.sort(analysed), np.arange(n)):
        return f"series rows do not map one to one onto the {n} detector rows"
    return None
