"""The HTML comparison report: the table and inline SVG charts, every number taken from one run's result."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from forewarn.simulation.outcome import PolicyResult
from forewarn.simulation.runner import SimulationResult

W, H, PAD = 640, 220, 40
COLOURS = {"break_fix": "#c0392b", "managed": "#2471a3"}
ROWS = (("outages", "Outages (user-facing failures)", "{:.0f}"), ("downtime_minutes", "Downtime, service-minutes", "{:,.0f}"),
        ("proactive_incidents", "Faults caught before impact", "{:.0f}"),
        ("median_lead_time_minutes", "Median lead time, minutes", "{:,.0f}"), ("mttd_minutes", "MTTD, minutes", "{:,.0f}"),
        ("mttr_minutes", "MTTR, minutes", "{:,.0f}"), ("technician_hours", "Technician hours", "{:,.1f}"),
        ("data_loss_events", "Data-loss events", "{:.0f}"), ("bill", "IT bill", "{:,.0f}"),
        ("downtime_cost", "Cost of downtime", "{:,.0f}"), ("data_loss_cost", "Cost of lost data", "{:,.0f}"),
        ("cost", "Client cost, total", "{:,.0f}"))


def _fmt(pattern: str, value: float | int | None) -> str:
    return "—" if value is None else pattern.format(value)


def table_rows(result: SimulationResult) -> list[tuple[str, str, str, str]]:
    bf, mg = result.break_fix, result.managed
    rows = []
    for key, label, pattern in ROWS:
        a, b = getattr(bf, key), getattr(mg, key)
        diff = None if a is None or b is None else b - a
        rows.append((label, _fmt(pattern, a), _fmt(pattern, b), "—" if diff is None else
                     ("+" if diff > 0 else "") + pattern.format(diff)))
    return rows


def bars_svg(series: dict[str, list[float]], labels: list[str], unit: str) -> str:
    """Grouped bars, one group per label, one bar per policy."""
    top = max([v for vs in series.values() for v in vs] + [1.0])
    n, k = max(len(labels), 1), max(len(series), 1)
    group = (W - 2 * PAD) / n
    bar = group * 0.8 / k
    parts = []
    for j, (name, values) in enumerate(series.items()):
        for i, v in enumerate(values):
            h = (H - 2 * PAD) * v / top
            x = PAD + i * group + group * 0.1 + j * bar
            parts.append(f'<rect x="{x:.1f}" y="{H - PAD - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS.get(name, "#777")}"><title>{name} {labels[i]}: {v:,.0f} {unit}</title></rect>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{PAD + (i + 0.5) * group:.1f}" y="{H - PAD + 14}" text-anchor="middle">{label}</text>')
    return _frame(parts, f"{top:,.0f} {unit}")


def lines_svg(series: dict[str, list[float]], unit: str) -> str:
    """One cumulative line per policy over the days of the run."""
    top = max([v for vs in series.values() for v in vs] + [1.0])
    n = max((len(v) for v in series.values()), default=1)
    parts = []
    for name, values in series.items():
        pts = " ".join(f"{PAD + (W - 2 * PAD) * (i + 1) / n:.1f},{H - PAD - (H - 2 * PAD) * v / top:.1f}"
                       for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{COLOURS.get(name, "#777")}" stroke-width="2" points="{pts}">'
                     f'<title>{name}: {values[-1] if values else 0:,.0f} {unit} at the end</title></polyline>')
    parts.append(f'<text x="{W - PAD}" y="{H - PAD + 14}" text-anchor="end">day {n}</text>')
    return _frame(parts, f"{top:,.0f} {unit}")


def _frame(parts: list[str], top_label: str) -> str:
    axes = (f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#444"/>'
            f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>'
            f'<text x="{PAD}" y="{PAD - 6}">{top_label}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
            f'font-size="11" font-family="sans-serif">{axes}{"".join(parts)}</svg>')


def lead_histogram(managed: PolicyResult) -> tuple[list[str], list[float]]:
    """Faults caught before impact, by how long before: bins of hours."""
    edges = [(0, 1, "<1 h"), (1, 6, "1–6 h"), (6, 24, "6–24 h"), (24, 72, "1–3 d"), (72, 1e9, ">3 d")]
    hours = [m / 60.0 for m in managed.lead_times_minutes]
    return [e[2] for e in edges], [float(sum(lo <= h < hi for h in hours)) for lo, hi, _ in edges]


def render_report(result: SimulationResult, seconds: float) -> str:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    bf, mg = result.break_fix, result.managed
    weeks = [f"week {i + 1}" for i in range(max(len(bf.downtime_per_week), len(mg.downtime_per_week)))]
    labels, counts = lead_histogram(mg)
    charts = {
        "downtime": bars_svg({"break_fix": bf.downtime_per_week, "managed": mg.downtime_per_week}, weeks, "min"),
        "lead": bars_svg({"managed": counts}, labels, "faults"),
        "cost": lines_svg({"break_fix": bf.cost_per_day, "managed": mg.cost_per_day}, ""),
    }
    return env.get_template("report.html.j2").render(
        result=result, rows=table_rows(result), charts=charts, seconds=seconds, colours=COLOURS,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        faults=list(zip(bf.faults, mg.faults, strict=True)), start=result.start)

