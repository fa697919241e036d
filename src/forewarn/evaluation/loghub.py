"""Loghub-2k reader and scorer: grouping accuracy (GA) and parsing accuracy (PA) per BENCHMARKS.md §2.

A system folder `<S>/` holds `<S>_2k.log_structured_corrected.csv` with columns `LineId`, `Content`
(the message) and `EventTemplate` (the true template). GA counts a line as correct when the set of
lines the parser grouped with it equals the set of lines sharing its true template; PA counts a line
as correct when its produced template equals the true one once whitespace is normalised.
"""

from __future__ import annotations

import csv
import re
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from forewarn.analysis.logs import LogTemplateMiner, MinerConfig
from forewarn.core.errors import ValidationFailed

STRUCTURED_SUFFIX = "_2k.log_structured_corrected.csv"
REQUIRED_COLUMNS = ("LineId", "Content", "EventTemplate")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LoghubSystem:
    """One labelled system: messages and true templates in file order."""

    name: str
    line_ids: tuple[int, ...]
    contents: tuple[str, ...]
    templates: tuple[str, ...]


@dataclass(frozen=True)
class SystemScore:
    name: str
    lines: int
    ga: float
    pa: float


def normalise_template(template: str) -> str:
    """Collapse whitespace runs and trim, so templates compare the way §2 says."""
    return _SPACES.sub(" ", template).strip()


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[str]) -> float:
    """Share of lines whose predicted group holds exactly the lines of their true group."""
    _check_lengths(predicted, truth)
    if not truth:
        return 0.0
    true_keys = [normalise_template(t) for t in truth]
    true_sizes = Counter(true_keys)
    members: dict[Hashable, list[int]] = defaultdict(list)
    for index, group in enumerate(predicted):
        members[group].append(index)
    correct = 0
    for rows in members.values():
        keys = {true_keys[i] for i in rows}
        # A predicted group is right only if it is pure and holds every line of that true template.
        if len(keys) == 1 and true_sizes[next(iter(keys))] == len(rows):
            correct += len(rows)
    return correct / len(truth)


def parsing_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> float:
    """Share of lines whose produced template equals the true template, whitespace-normalised."""
    _check_lengths(predicted, truth)
    if not truth:
        return 0.0
    hits = sum(normalise_template(p) == normalise_template(t) for p, t in zip(predicted, truth, strict=True))
    return hits / len(truth)


def score_system(name: str, groups: Sequence[Hashable], templates: Sequence[str],
                 truth: Sequence[str]) -> SystemScore:
    return SystemScore(name, len(truth), grouping_accuracy(groups, truth), parsing_accuracy(templates, truth))


def mean_scores(scores: Sequence[SystemScore]) -> tuple[float, float]:
    """Unweighted mean GA and PA over systems, as the published tables average them."""
    if not scores:
        return 0.0, 0.0
    return (sum(s.ga for s in scores) / len(scores), sum(s.pa for s in scores) / len(scores))


def _check_lengths(predicted: Sequence[object], truth: Sequence[object]) -> None:
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predictions for {len(truth)} labelled lines")


def discover_systems(root: Path) -> list[Path]:
    """The labelled files under a Loghub-2k root, one per system folder, sorted by system name."""
    if not root.is_dir():
        raise ValidationFailed("is not a directory; pass the Loghub-2k root holding one folder per system",
                               where=str(root))
    found = sorted(p / f"{p.name}{STRUCTURED_SUFFIX}" for p in root.iterdir()
                   if (p / f"{p.name}{STRUCTURED_SUFFIX}").is_file())
    if not found:
        raise ValidationFailed(f"holds no <System>/<System>{STRUCTURED_SUFFIX} file", where=str(root))
    return found


def load_system(path: Path) -> LoghubSystem:
    """Read one structured CSV; malformed or non-UTF-8 files raise ValidationFailed naming the path."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            rows = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"is not UTF-8 text (byte {exc.start}); re-export it as UTF-8",
                               where=str(path)) from None
    except csv.Error as exc:
        raise ValidationFailed(f"is not valid CSV ({exc})", where=str(path)) from None
    except OSError as exc:
        raise ValidationFailed(f"cannot be read ({exc.strerror})", where=str(path)) from None
    return _parse_rows(path, rows)


def _parse_rows(path: Path, rows: list[tuple[int, list[str]]]) -> LoghubSystem:
    if not rows:
        raise ValidationFailed("is empty; expected a header with LineId,Content,EventTemplate", where=str(path))
    header = rows[0][1]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(f"lacks column(s) {', '.join(missing)} in its header", where=str(path))
    at = {c: header.index(c) for c in REQUIRED_COLUMNS}
    ids: list[int] = []
    contents: list[str] = []
    templates: list[str] = []
    for number, row in rows[1:]:
        if len(row) != len(header):
            raise ValidationFailed(f"has {len(row)} fields where the header has {len(header)}",
                                   where=f"{path}:{number}")
        try:
            ids.append(int(row[at["LineId"]]))
        except ValueError:
            raise ValidationFailed(f"LineId {row[at['LineId']]!r} is not an integer",
                                   where=f"{path}:{number}") from None
        contents.append(row[at["Content"]])
        templates.append(row[at["EventTemplate"]])
    name = path.name.removesuffix(STRUCTURED_SUFFIX)
    return LoghubSystem(name, tuple(ids), tuple(contents), tuple(templates))


@dataclass(frozen=True)
class MinedSystem:
    """Our miner's output on one system: final group and template per line, and the mining time."""

    system: LoghubSystem
    groups: tuple[int, ...]
    templates: tuple[str, ...]
    seconds: float

    @property
    def score(self) -> SystemScore:
        return score_system(self.system.name, self.groups, self.templates, self.system.templates)


def mine_system(system: LoghubSystem, config: MinerConfig | None = None) -> MinedSystem:
    """Stream the system's messages through a fresh miner; each line takes its template's final form.

    Only the mining loop is timed, in CPU seconds of this process (the machine may be shared). Lines placed early may sit under an id that later merged into an
    older one, so groups are resolved after the stream ends, as Drain's benchmarks do.
    """
    miner = LogTemplateMiner(config)
    add = miner.add
    started = time.process_time()
    ids = [add(message).template_id for message in system.contents]
    seconds = time.process_time() - started
    groups = tuple(miner.resolve(i) for i in ids)
    return MinedSystem(system, groups, tuple(miner.template(g) for g in groups), seconds)


def write_structured(root: Path, mined: MinedSystem) -> Path:
    """Write `<root>/<S>/<S>_2k.log_structured.csv` with columns LineId,EventTemplate."""
    name = mined.system.name
    path = root / name / f"{name}_2k.log_structured.csv"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["LineId", "EventTemplate"])
            writer.writerows(zip(mined.system.line_ids, mined.templates, strict=True))
    except OSError as exc:
        raise ValidationFailed(f"cannot be written ({exc.strerror})", where=str(path)) from None
    return path
