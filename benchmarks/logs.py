"""Our log template miner beside drain3 (default settings) on Loghub-2k, same data, same process.

Run: `.venv/bin/python benchmarks/logs.py [--rounds N]`. For each parser prints GA and PA per system
and their means (BENCHMARKS.md §2), and lines/s on one core. Speed is the best of N rounds, in CPU
seconds of this process (the machine may be shared), with the two parsers' rounds interleaved so
both see the same conditions. Each round mines every system with a fresh parser.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from forewarn.analysis.logs import LogTemplateMiner
from forewarn.evaluation.loghub import (
    LoghubSystem,
    SystemScore,
    discover_systems,
    load_system,
    mean_scores,
    score_system,
)

DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "loghub2k"
Parse = Callable[[Sequence[str]], tuple[list[int], list[str], float]]


def parse_ours(messages: Sequence[str]) -> tuple[list[int], list[str], float]:
    miner = LogTemplateMiner()
    add = miner.add
    started = time.process_time()
    ids = [add(m).template_id for m in messages]
    seconds = time.process_time() - started
    groups = [miner.resolve(i) for i in ids]
    return groups, [miner.template(g) for g in groups], seconds


def parse_drain3(messages: Sequence[str]) -> tuple[list[int], list[str], float]:
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    # Default settings, as published drain3 figures use; passing them skips the drain3.ini look-up.
    miner = TemplateMiner(config=TemplateMinerConfig())
    add = miner.add_log_message
    started = time.process_time()
    ids = [add(m)["cluster_id"] for m in messages]
    seconds = time.process_time() - started
    templates = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return ids, [templates[i] for i in ids], seconds


def run(parse: Parse, systems: list[LoghubSystem]) -> tuple[list[SystemScore], float]:
    """Scores per system and the CPU seconds of one round over all systems."""
    scores, seconds = [], 0.0
    for system in systems:
        groups, templates, spent = parse(system.contents)
        scores.append(score_system(system.name, groups, templates, system.templates))
        seconds += spent
    return scores, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per parser (best is kept)")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="Loghub-2k root")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"Loghub-2k not found at {args.data}; nothing to measure", file=sys.stderr)
        return 2
    logging.disable(logging.INFO)  # drain3 logs every new cluster at INFO
    systems = [load_system(p) for p in discover_systems(args.data)]
    lines = sum(len(s.contents) for s in systems)
    parsers: dict[str, Parse] = {"forewarn": parse_ours, "drain3": parse_drain3}
    scores: dict[str, list[SystemScore]] = {}
    best = dict.fromkeys(parsers, float("inf"))
    for _ in range(args.rounds):
        for name, parse in parsers.items():
            scores[name], seconds = run(parse, systems)
            best[name] = min(best[name], seconds)
    speed = {name: lines / best[name] for name in parsers}
    Console().print(_table(scores, speed))
    ratio = speed["forewarn"] / speed["drain3"]
    print(f"lines/s (best of {args.rounds}, CPU time): forewarn {speed['forewarn']:,.0f}, "
          f"drain3 {speed['drain3']:,.0f}, ratio {ratio:.2f}x")
    return 0


def _table(scores: dict[str, list[SystemScore]], speed: dict[str, float]) -> Table:
    table = Table(title="Loghub-2k (corrected labels): forewarn vs drain3")
    table.add_column("system")
    for name in scores:
        table.add_column(f"{name} GA", justify="right")
        table.add_column(f"{name} PA", justify="right")
    for row in zip(*scores.values(), strict=True):
        table.add_row(row[0].name, *[f"{v:.3f}" for s in row for v in (s.ga, s.pa)])
    means = [f"[bold]{v:.3f}[/bold]" for name in scores for v in mean_scores(scores[name])]
    table.add_row("[bold]mean[/bold]", *means)
    table.add_row("lines/s", *[c for name in scores for c in (f"{speed[name]:,.0f}", "")])
    return table


if __name__ == "__main__":
    sys.exit(main())
