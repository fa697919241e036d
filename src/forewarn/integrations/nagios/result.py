"""Pure evaluation of a plugin run into an outcome: exit code → status, perfdata → metrics."""

from __future__ import annotations

import re
import signal
from collections.abc import Mapping

from forewarn.integrations.common import fmt_seconds
from forewarn.integrations.nagios.output import PluginOutput, split_output
from forewarn.integrations.nagios.perfdata import PerfItem, plain_number
from forewarn.integrations.process import ProcessRun
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint

MAX_SUMMARY = 400
_UNSAFE = re.compile(r"[^A-Za-z0-9_.]+")


def evaluate(
    run: ProcessRun,
    plugin: str,
    timeout: float,
    labels: Mapping[str, str] | None = None,
    threshold_metrics: bool = True,
) -> CheckOutcome:
    """The outcome of one plugin run.

    For example exit code 0 with stdout
    `LOAD OK - total load average: 0.04, 0.09, 0.07|load1=0.040;5.000;10.000;0; load5=0.090;4.000;8.000;0;`
    gives OK "LOAD OK - total load average: 0.04, 0.09, 0.07" with metrics load1 0.04, load1_warn 5,
    load1_crit 10, load5 ….
    """
    if run.timed_out:
        return CheckOutcome(CheckStatus.UNKNOWN, f"{plugin}: plugin timed out after {fmt_seconds(timeout)}")
    output = split_output(_complete_part(run))
    base = {"plugin": plugin, **(labels or {})}
    metrics = perf_metrics(output, base, threshold_metrics)
    summary = _summary(run, plugin, output)
    return CheckOutcome(_status(run.exit_code), summary, metrics)


def launch_failure(plugin: str, exc: OSError) -> CheckOutcome:
    """The outcome when the plugin could not be started at all."""
    why = exc.strerror.lower() if exc.strerror else str(exc)
    return CheckOutcome(CheckStatus.UNKNOWN, f"cannot run {plugin}: {why}")


def perf_metrics(output: PluginOutput, labels: Mapping[str, str], thresholds: bool) -> list[MetricPoint]:
    """One metric per perfdata item (plus numeric warn/crit/max when asked), names made unique."""
    metrics: list[MetricPoint] = []
    used: set[str] = set()
    for item in output.perfdata.items:
        name = _unique(metric_name(item.label), used)
        item_labels = dict(labels) if name == item.label else {**labels, "label": item.label}
        metrics.append(MetricPoint(name, item.value, item.uom, item_labels))
        if thresholds:
            metrics.extend(_threshold_points(name, item, item_labels))
    return metrics


def metric_name(label: str) -> str:
    """A perfdata label as a metric name: runs of other characters become `_`; "/" becomes "root"."""
    name = _UNSAFE.sub("_", label).strip("_")
    if name:
        return name
    return "root" if label and set(label) == {"/"} else "value"


def _threshold_points(name: str, item: PerfItem, labels: dict[str, str]) -> list[MetricPoint]:
    points = []
    for suffix, field in (("warn", item.warn), ("crit", item.crit), ("max", item.max)):
        number = plain_number(field)
        if number is not None:
            points.append(MetricPoint(f"{name}_{suffix}", number, item.uom, labels))
    return points


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}_{n}"
    used.add(candidate)
    return candidate


def _complete_part(run: ProcessRun) -> str:
    """The decoded output, minus a last line (or item) that the size bound may have cut short."""
    text = run.stdout.decode("utf-8", errors="replace")
    if not run.stdout_truncated:
        return text
    cut = text.rfind("\n")
    if cut > 0:
        return text[:cut]
    head, bar, perf = text.partition("|")
    if not bar:
        return text  # one long text line: what arrived is still the status text
    return head + bar + " ".join(perf.split()[:-1])


def _status(exit_code: int | None) -> CheckStatus:
    if exit_code is not None and 0 <= exit_code <= 3:
        return CheckStatus(exit_code)
    return CheckStatus.UNKNOWN


def _summary(run: ProcessRun, plugin: str, output: PluginOutput) -> str:
    text = output.text or _no_output(run, plugin)
    code = run.exit_code
    if code is not None and code < 0:
        text = f"{plugin} was killed by {_signal_name(-code)}" + (f": {output.text}" if output.text else "")
    elif code is not None and code > 3:
        said = f": {output.text}" if output.text else " and no output"
        text = f"{plugin} exited with code {code}, not a plugin status (0-3){said}"
    return _shorten(text) + "".join(_notes(run, output))


def _no_output(run: ProcessRun, plugin: str) -> str:
    err = run.stderr.decode("utf-8", errors="replace").strip().splitlines()
    said = f"; stderr: {err[0].strip()}" if err else ""
    return f"{plugin} exited with code {run.exit_code} without output{said}"


def _notes(run: ProcessRun, output: PluginOutput) -> list[str]:
    notes = []
    bad = output.perfdata.malformed
    if bad:
        shown = ", ".join(repr(_shorten(token, 40)) for token in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        notes.append(f" (skipped {len(bad)} malformed perfdata item(s): {shown}{more})")
    if run.stdout_truncated:
        notes.append(f" (output truncated at {len(run.stdout)} bytes)")
    return notes


def _shorten(text: str, limit: int = MAX_SUMMARY) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
