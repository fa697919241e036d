"""Pure split of a plugin's output into status text, long text and performance data."""

from __future__ import annotations

from dataclasses import dataclass

from forewarn.integrations.nagios.perfdata import PerfData, parse_perfdata


@dataclass(frozen=True, slots=True)
class PluginOutput:
    """A plugin's output per the Nagios plugin API, with its perfdata already parsed."""

    text: str
    long_text: tuple[str, ...]
    perfdata: PerfData


def split_output(raw: str) -> PluginOutput:
    """First line `text | perf`, then long text lines; a `|` on a later line starts more perfdata.

    Everything after that later `|`, on its line and every following line, is perfdata:

        DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968
        / 15272 MB (77%);
        /boot 68 MB (69%); | /boot=68MB;88;93;0;98
        /home=69357MB;253404;253409;0;253414

    gives text "DISK OK - free space: / 3326 MB (56%);", long text "/ 15272 MB (77%);" and
    "/boot 68 MB (69%);", and the three items /, /boot and /home.
    """
    lines = raw.replace("\r\n", "\n").split("\n")
    first, _, perf = lines[0].partition("|")
    long_text: list[str] = []
    perf_parts = [perf]
    rest = iter(lines[1:])
    for line in rest:
        text, bar, more = line.partition("|")
        if text.strip():
            long_text.append(text.rstrip())
        if bar:
            perf_parts.append(more)
            perf_parts.extend(rest)
            break
    return PluginOutput(first.strip(), tuple(long_text), parse_perfdata(" ".join(perf_parts)))
