// Draws the comparison charts with uPlot from the run's data in <script id="comparison-data">; shared by
// the tenant's comparison page and the self-contained HTML report (which inlines uPlot and this file).
(function () {
  var node = document.getElementById("comparison-data");
  if (!node || typeof uPlot === "undefined") return;
  var data = JSON.parse(node.textContent);
  var colours = { break_fix: "#c0392b", managed: "#2471a3" };
  var names = { break_fix: "break-fix", managed: "managed" };

  function width(el) { return Math.max(360, Math.min(760, el.clientWidth || 640)); }

  function bars(el, chart, labels) {
    var policies = ["break_fix", "managed"].filter(function (p) { return chart[p]; });
    var series = [{ label: labels ? "" : "week" }];
    policies.forEach(function (p, i) {
      // Two policies side by side: one bar left of the tick, one right; a single one centred.
      var align = policies.length === 1 ? 0 : (i === 0 ? -1 : 1);
      series.push({ label: names[p], stroke: colours[p], fill: colours[p] + "cc", width: 1,
                    paths: uPlot.paths.bars({ size: [policies.length === 1 ? 0.6 : 0.35, 80], align: align }),
                    points: { show: false } });
    });
    var opts = { width: width(el), height: 220, series: series,
      scales: { x: { time: false, range: function (u, lo, hi) { return [lo - 0.6, hi + 0.6]; } },
                y: { range: function (u, lo, hi) { return [0, Math.max(1, hi * 1.1)]; } } },
      axes: [{ splits: function (u) { return u.data[0]; },
               values: function (u, vals) { return vals.map(function (v) { return labels ? (labels[v] || "") : "week " + v; }); } },
             { size: 60, label: chart.unit }] };
    return new uPlot(opts, [chart.x].concat(policies.map(function (p) { return chart[p]; })), el);
  }

  function lines(el, chart) {
    var opts = { width: width(el), height: 220,
      series: [{ label: "day" }, { label: names.break_fix, stroke: colours.break_fix, width: 2 },
               { label: names.managed, stroke: colours.managed, width: 2 }],
      scales: { x: { time: false } }, axes: [{ label: "day" }, { size: 70, label: chart.unit }] };
    return new uPlot(opts, [chart.x, chart.break_fix, chart.managed], el);
  }

  var drawn = 0;
  var el = document.getElementById("chart-downtime");
  if (el) { bars(el, data.downtime, null); drawn++; }
  el = document.getElementById("chart-lead");
  if (el) { bars(el, data.lead, data.lead.labels); drawn++; }
  el = document.getElementById("chart-cost");
  if (el) { lines(el, data.cost); drawn++; }
  document.body.dataset.chartsDrawn = String(drawn);
})();
