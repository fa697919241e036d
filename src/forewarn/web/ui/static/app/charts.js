// Draws one uPlot chart per series of the asset and refreshes them every 10 s (no page reload).
(function () {
  const box = document.getElementById("charts");
  if (!box) return;
  const asset = box.dataset.asset;
  const rangeSel = document.getElementById("range");
  const charts = new Map();

  function fmt(v, unit) {
    if (v == null) return "";
    const a = Math.abs(v);
    if (unit === "B" || unit === "B/s") {
      const u = ["", "K", "M", "G", "T"]; let i = 0, x = v;
      while (Math.abs(x) >= 1024 && i < u.length - 1) { x /= 1024; i++; }
      return x.toFixed(1) + " " + u[i] + unit;
    }
    return (a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(2)) + (unit ? " " + unit : "");
  }

  // Samples plus overlays: a dashed forecast projection (with its interval) and shaded anomaly windows.
  function chartData(s) {
    const proj = s.projection || [];
    const xs = Array.from(new Set([...s.timestamps, ...proj.map(p => p[0])])).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const col = () => xs.map(() => null);
    const vals = col(), pv = col(), lo = col(), hi = col();
    s.timestamps.forEach((t, i) => { vals[at.get(t)] = s.values[i]; });
    proj.forEach(p => { const i = at.get(p[0]); pv[i] = p[1]; lo[i] = p[2]; hi[i] = p[3]; });
    return proj.length ? [xs, vals, pv, lo, hi] : [xs, vals];
  }

  function shadeAnomalies(windows) {
    return [u => {
      const ctx = u.ctx; ctx.save(); ctx.fillStyle = "rgba(217,154,6,0.18)";
      for (const [a, b] of windows) {
        const x0 = u.valToPos(a, "x", true), x1 = u.valToPos(b, "x", true);
        ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
      }
      ctx.restore();
    }];
  }

  function makeChart(s, el) {
    const line = { stroke: "#2454d6", fill: "rgba(36,84,214,0.08)", width: 1.5, spanGaps: true,
                   value: (u, v) => fmt(v, s.unit) };
    const series = [{}, line];
    if (s.projection) {
      series.push({ stroke: "#d4342c", dash: [6, 4], width: 1.5, spanGaps: true, label: "forecast" },
                  { stroke: "rgba(212,52,44,0.35)", dash: [2, 4], width: 1, spanGaps: true, label: "low" },
                  { stroke: "rgba(212,52,44,0.35)", dash: [2, 4], width: 1, spanGaps: true, label: "high" });
    }
    const opts = { width: Math.max(380, el.clientWidth || 420), height: 160, legend: { show: false }, series,
      axes: [{}, { size: 70, values: (u, vals) => vals.map(v => fmt(v, s.unit)) }],
      hooks: { draw: shadeAnomalies(s.anomalies || []) } };
    return new uPlot(opts, chartData(s), el);
  }

  function draw(series) {
    const withData = series.filter(s => s.timestamps.length > 0);
    const empty = document.getElementById("charts-empty");
    if (empty) empty.style.display = withData.length ? "none" : "";
    for (const s of withData) {
      let entry = charts.get(s.series_id);
      if (!entry) {
        const el = document.createElement("div");
        el.className = "chart"; el.dataset.series = s.name;
        el.innerHTML = "<h3></h3><div class='plot'></div>";
        el.querySelector("h3").textContent = s.name + (s.unit ? " (" + s.unit + ")" : "");
        box.appendChild(el);
        entry = { el, chart: null };
        charts.set(s.series_id, entry);
      }
      // Overlays change the chart's series, so each refresh redraws the chart from scratch.
      if (entry.chart) entry.chart.destroy();
      const plot = entry.el.querySelector(".plot");
      entry.chart = makeChart(s, plot);
      entry.el.classList.toggle("forecast", !!s.projection);
      entry.el.classList.toggle("anomalous", (s.anomalies || []).length > 0);
    }
    box.dataset.drawn = String(charts.size);
  }

  async function refresh() {
    const end = Date.now() / 1000, start = end - Number(rangeSel ? rangeSel.value : 3600);
    const url = `/api/v1/series/samples?asset=${encodeURIComponent(asset)}&start=${start}&end=${end}&max_points=500`;
    try {
      const resp = await fetch(url, { credentials: "same-origin" });
      if (resp.ok) draw(await resp.json());
    } catch (e) { /* a missed refresh is retried on the next tick */ }
  }
  if (rangeSel) rangeSel.addEventListener("change", refresh);
  refresh();
  setInterval(refresh, 10000);
})();
