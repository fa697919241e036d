"""The self-contained HTML comparison report: the table and uPlot charts (SVG without JavaScript), all from one run.

Every number comes from the run's comparison document (`comparison.document`); uPlot is inlined by the
caller (`ChartAssets`), so the file opens anywhere without a server or a network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from forewarn.simulation.comparison import chart_data, document, lead_histogram, rows, services
from forewarn.simulation.runner import SimulationResult

TEMPLATES = Path(__file__).parent / "templates"
CHARTS_JS = TEMPLATES / "comparison.js"
W, H, PAD = 640, 220, 40
COLOURS = {"break_fix": "#c0392b", "managed": "#2471a3"}


@dataclass(frozen=True)
class ChartAssets:
    """uPlot's script and stylesheet, inlined into the report (the web UI vendors them)."""

    uplot_js: str = ""
    uplot_css: str = ""

    @classmethod
    def from_dir(cls, vendor: Path) -> ChartAssets:
        return cls((vendor / "uPlot.iife.min.js").read_text(encoding="utf-8"),
                   (vendor / "uPlot.min.css").read_text(encoding="utf-8"))


def table_rows(result: SimulationResult) -> list[tuple[str, str, str, str]]:
    return rows(document(result))


def json_script(data: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no "</" can end the element early."""
    return Markup(json.dumps(data, separators=(",", ":")).replace("</", "<\\/"))


def bars_svg(series: dict[str, list[float]], labels: list[str], unit: str) -> str:
    """Grouped bars, one group per label, one bar per policy (the no-JavaScript fallback)."""
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
    """One cumulative line per policy over the days of the run (the no-JavaScript fallback)."""
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


def svg_charts(doc: dict[str, Any]) -> dict[str, str]:
    bf, mg = doc["break_fix"]["series"], doc["managed"]["series"]
    weeks = [f"week {i + 1}" for i in range(max(len(bf["downtime_per_week"]), len(mg["downtime_per_week"])))]
    labels, counts = lead_histogram(mg["lead_times_minutes"])
    return {
        "downtime": bars_svg({"break_fix": bf["downtime_per_week"], "managed": mg["downtime_per_week"]}, weeks, "min"),
        "lead": bars_svg({"managed": [float(c) for c in counts]}, labels, "faults"),
        "cost": lines_svg({"break_fix": bf["cost_per_day"], "managed": mg["cost_per_day"]}, ""),
    }


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def _context(doc: dict[str, Any]) -> dict[str, Any]:
    return {"doc": doc, "rows": rows(doc), "services": services(doc), "svg": svg_charts(doc), "colours": COLOURS,
            "chart_json": json_script(chart_data(doc))}


def render_body(doc: dict[str, Any]) -> Markup:
    """The comparison's table, chart placeholders with their data, and the fault timeline (for the web page)."""
    return Markup(_env().get_template("comparison_body.html.j2").render(**_context(doc)))


def charts_script() -> Markup:
    return Markup(CHARTS_JS.read_text(encoding="utf-8"))


def render_document(doc: dict[str, Any], assets: ChartAssets | None = None) -> str:
    """The report of a stored or fresh run's comparison document."""
    assets = assets or ChartAssets()
    return _env().get_template("report.html.j2").render(
        **_context(doc), uplot_js=Markup(assets.uplot_js.replace("</script", "<\\/script")),
        uplot_css=assets.uplot_css, charts_js=charts_script() if assets.uplot_js else "",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def render_report(result: SimulationResult, seconds: float, assets: ChartAssets | None = None) -> str:
    return render_document(document(result, seconds), assets)
