// The system view's drawing: a building's FEEDS network with cytoscape.
// Data: <script type="application/json" id="network-data"> (graphtwin/web/network.py). Each
// node's colour is the one its state has in the legend (views.css), so both always agree; its
// label names the state too. A tap (click) on a node opens its page.
(function () {
  "use strict";

  function colours() {
    var found = {};
    document.querySelectorAll(".legend .swatch").forEach(function (swatch) {
      found[swatch.dataset.state] = getComputedStyle(swatch).backgroundColor;
    });
    return found;
  }

  function draw() {
    var source = document.getElementById("network-data");
    var target = document.getElementById("network");
    if (!source || !target || typeof cytoscape === "undefined") {
      return;
    }
    var graph = JSON.parse(source.textContent);
    var fill = colours();
    var elements = graph.nodes.map(function (n) {
      return {
        data: {
          id: n.id,
          label: n.name + "\n(" + n.state + ")",
          colour: fill[n.state] || "#999",
          url: "/nodes/" + encodeURIComponent(n.id)
        }
      };
    }).concat(graph.edges.map(function (e) {
      return { data: { id: e.source + "->" + e.target, source: e.source, target: e.target } };
    }));
    var cy = cytoscape({
      container: target,
      elements: elements,
      layout: { name: "breadthfirst", directed: true, spacingFactor: 1.2, padding: 20 },
      wheelSensitivity: 0.3,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(colour)",
            "border-color": "#222",
            "border-width": 1,
            label: "data(label)",
            "text-wrap": "wrap",
            "text-valign": "bottom",
            "text-margin-y": 4,
            "font-size": 11,
            color: "#111",
            width: 28,
            height: 28
          }
        },
        {
          selector: "edge",
          style: {
            width: 2,
            "line-color": "#555",
            "target-arrow-color": "#555",
            "target-arrow-shape": "triangle",
            "curve-style": "bezier"
          }
        }
      ]
    });
    cy.on("tap", "node", function (event) {
      window.location.assign(event.target.data("url"));
    });
    target.dataset.drawn = String(cy.nodes().length);
    window.graphtwinNetwork = cy; // for the browser tests: where each node was drawn
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
