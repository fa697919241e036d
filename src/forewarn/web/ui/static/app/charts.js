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

  function draw(series) {
    const withData = series.filter(s => s.timestamps.length > 0);
    const empty = document.getElementById("charts-empty");
    if (empty) empty.style.display = withData.length ? "none" : "";
    for (const s of withData) {
      const data = [s.timestamps, s.values];
      let c = charts.get(s.series_id);
      if (c) { c.setData(data); continue; }
      const el = document.createElement("div");
      el.className = "chart"; el.dataset.series = s.name;
      el.innerHTML = "<h3></h3>"; el.querySelector("h3").textContent = s.name + (s.unit ? " (" + s.unit + ")" : "");
      box.appendChild(el);
      const opts = { width: Math.max(380, el.clientWidth || 420), height: 160, legend: { show: false },
        series: [{}, { stroke: "#2454d6", fill: "rgba(36,84,214,0.08)", width: 1.5, value: (u, v) => fmt(v, s.unit) }],
        axes: [{}, { size: 70, values: (u, vals) => vals.map(v => fmt(v, s.unit)) }] };
      c = new uPlot(opts, data, el);
      charts.set(s.series_id, c);
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
  if (rangeSel) rangeSel.addEventListener("change", () => { charts.forEach(c => c.destroy()); charts.clear();
    box.querySelectorAll(".chart").forEach(e => e.remove()); refresh(); });
  refresh();
  setInterval(refresh, 10000);
})();
