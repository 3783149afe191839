// The networks graph page: draws /networks/data with cytoscape.js (vendored).
// Large graphs (hundreds to a few thousand nodes) use a concentric layout by degree,
// hide edges while panning and show labels only when zoomed in, so the page stays usable.
(function () {
  "use strict";
  var box = document.getElementById("network-graph");
  if (!box || typeof cytoscape === "undefined") { return; }
  var colours = { person: "#1d4ed8", organisation: "#7c3aed", phone: "#047857", email: "#047857",
    bank_account: "#b45309", crypto_wallet: "#b45309", vehicle: "#475569", flight: "#475569",
    shipment: "#9f1239", vessel: "#9f1239", address: "#64748b" };
  var edgeColours = { financial: "#b45309", communication: "#047857", travel: "#475569",
    shipment: "#9f1239", "co-offending": "#1d4ed8", association: "#94a3b8" };
  fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var big = data.nodes.length > 300;
      var cy = cytoscape({
        container: box,
        elements: data.nodes.concat(data.edges),
        hideEdgesOnViewport: big,
        textureOnViewport: big,
        pixelRatio: big ? 1 : "auto",
        minZoom: 0.05,
        maxZoom: 4,
        style: [
          { selector: "node", style: {
            "background-color": function (n) { return colours[n.data("kind")] || "#334155"; },
            "label": "data(label)", "font-size": 10, "min-zoomed-font-size": 8,
            "width": 14, "height": 14 } },
          { selector: "node[?broker]", style: { "border-width": 3, "border-color": "#dc2626" } },
          { selector: "node[tlp = 'RED']", style: { "shape": "diamond" } },
          { selector: "edge", style: {
            "line-color": function (e) { return edgeColours[e.data("type")] || "#94a3b8"; },
            "width": 1.5, "curve-style": "haystack" } },
          { selector: ":selected", style: { "background-color": "#f59e0b", "line-color": "#f59e0b" } }
        ],
        layout: big
          ? { name: "concentric", concentric: function (n) { return n.degree(); },
              levelWidth: function () { return 2; }, animate: false }
          : { name: "cose", animate: false, randomize: true, numIter: 500 }
      });
      var said = document.getElementById("network-selected");
      cy.on("tap", "node", function (event) {
        var node = event.target;
        said.textContent = node.data("label") + " (" + node.data("kind") + ", " +
          node.degree() + " links, reported by " + node.data("parties").join(", ") + ")";
        said.dataset.selected = node.id();
      });
      cy.on("dbltap", "node", function (event) {
        window.location.href = "/networks/entities/" + encodeURIComponent(event.target.id());
      });
      box.cy = cy; // for the browser console (and the page's test)
      box.dataset.ready = String(cy.nodes().length);
    });
})();
