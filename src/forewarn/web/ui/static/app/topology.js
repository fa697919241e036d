// Draws a tenant's dependency graph with Cytoscape.js: nodes coloured by health, an incident's root
// cause and impact path highlighted; refreshed every 10 s so health colours stay live.
(function () {
  const box = document.getElementById("topology");
  if (!box || typeof cytoscape === "undefined") return;
  const colour = { ok: "#1f9d55", warning: "#d99a06", critical: "#d4342c", unknown: "#7d5fc4", nodata: "#9aa3b2" };
  const style = [
    { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
      "background-color": n => colour[n.data("health")] || colour.nodata, "width": 22, "height": 22 } },
    { selector: "node[?incident]", style: { "border-width": 2, "border-color": "#111827" } },
    { selector: "node[?affected]", style: { "border-width": 3, "border-color": "#d99a06" } },
    { selector: "node[?root]", style: { "border-width": 6, "border-color": "#7f1d1d", "width": 34, "height": 34,
      "font-weight": "bold" } },
    { selector: "edge", style: { "width": 1.5, "line-color": "#c5cad3", "target-arrow-color": "#c5cad3",
      "target-arrow-shape": "triangle", "curve-style": "bezier" } },
    { selector: "edge[?path]", style: { "width": 4, "line-color": "#d4342c", "target-arrow-color": "#d4342c" } },
  ];
  let cy = null;
  async function refresh() {
    const params = new URLSearchParams({ tenant: box.dataset.tenant });
    if (box.dataset.incident) params.set("incident", box.dataset.incident);
    const resp = await fetch("/api/v1/topology?" + params, { credentials: "same-origin" });
    if (!resp.ok) return;
    const data = await resp.json();
    const elements = [...data.nodes, ...data.edges];
    if (!cy) {
      cy = cytoscape({ container: box, elements, style, wheelSensitivity: 0.2,
        // Dependencies point down: what everything needs sits at the bottom.
        layout: { name: "breadthfirst", directed: true, spacingFactor: 1.1, padding: 10 } });
      cy.on("tap", "node", e => { window.location = "/assets/" + e.target.id(); });
    } else {
      data.nodes.forEach(n => { const el = cy.getElementById(n.data.id); if (el.nonempty()) el.data(n.data); });
    }
    box.dataset.rendered = String(cy.nodes().length);
    box.dataset.pathEdges = String(cy.edges("[?path]").length);
    box.dataset.root = data.root || "";
  }
  refresh();
  setInterval(refresh, 10000);
})();
