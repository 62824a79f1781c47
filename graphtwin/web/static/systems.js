// The system view's drawing: a building's FEEDS network with cytoscape.
// Data: <script type="application/json" id="network-data"> (graphtwin/web/network.py). Each
// node's colour is the one its state has in the legend (views.css), so both always agree; its
// label names the state too. A tap (click) on a node opens its page. The building's violations
// arrive after the page (an htmx fragment whose `data-violations` lists them): the nodes whose
// points observe one turn to "violation", in the drawing and in the table.
(function () {
  "use strict";

  function colours() {
    var found = {};
    document.querySelectorAll(".legend .swatch").forEach(function (swatch) {
      found[swatch.dataset.state] = getComputedStyle(swatch).backgroundColor;
    });
    return found;
  }

  var cy = null;
  var graph = null;

  function markViolations() {
    var source = document.querySelector(".violations-found[data-violations]");
    if (!cy || !source) {
      return;
    }
    var owner = {};
    graph.nodes.forEach(function (n) {
      owner[n.id] = n.id;
      (n.points || []).forEach(function (p) { owner[p] = n.id; });
    });
    var colour = colours().violation;
    JSON.parse(source.dataset.violations).forEach(function (v) {
      var id = owner[v.point] || owner[v.twinId];
      if (!id) {
        return;
      }
      var node = cy.getElementById(id);
      node.data("colour", colour);
      node.data("label", node.data("name") + "\n(violation)");
      var row = document.querySelector('tr[data-node="' + CSS.escape(id) + '"] .node-state');
      if (row) {
        row.textContent = "violation";
        row.className = "state node-state state-violation";
      }
    });
  }

  function draw() {
    var source = document.getElementById("network-data");
    var target = document.getElementById("network");
    if (!source || !target || typeof cytoscape === "undefined") {
      return;
    }
    graph = JSON.parse(source.textContent);
    var fill = colours();
    var elements = graph.nodes.map(function (n) {
      return {
        data: {
          id: n.id,
          name: n.name,
          label: n.name + "\n(" + n.state + ")",
          colour: fill[n.state] || "#999",
          url: "/nodes/" + encodeURIComponent(n.id)
        }
      };
    }).concat(graph.edges.map(function (e) {
      return { data: { id: e.source + "->" + e.target, source: e.source, target: e.target } };
    }));
    cy = cytoscape({
      container: target,
      elements: elements,
      layout: { name: "breadthfirst", directed: true, spacingFactor: 1.2, padding: 20 },
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
    markViolations();
  }

  document.addEventListener("htmx:afterSettle", markViolations);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
