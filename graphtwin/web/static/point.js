// The point view's chart: history, forecast with its 80% and 95% bands, threshold lines.
// Data: <script type="application/json" id="point-chart-data"> (graphtwin/web/chart.py).
(function () {
  "use strict";

  var STYLE = {
    history: { label: "history", stroke: "#1f4e9c", width: 2 },
    mean: { label: "forecast mean", stroke: "#6a3d9a", width: 2, dash: [6, 4] },
    lower80: { label: "forecast 80% low", stroke: "rgba(106,61,154,0.45)", width: 1 },
    upper80: { label: "forecast 80% high", stroke: "rgba(106,61,154,0.45)", width: 1 },
    lower95: { label: "forecast 95% low", stroke: "rgba(106,61,154,0.25)", width: 1 },
    upper95: { label: "forecast 95% high", stroke: "rgba(106,61,154,0.25)", width: 1 },
    warningLow: { label: "warning low", stroke: "#b35900", width: 1.5, dash: [10, 5] },
    warningHigh: { label: "warning high", stroke: "#b35900", width: 1.5, dash: [10, 5] },
    criticalLow: { label: "critical low", stroke: "#b00020", width: 1.5, dash: [3, 3] },
    criticalHigh: { label: "critical high", stroke: "#b00020", width: 1.5, dash: [3, 3] }
  };

  function draw() {
    var source = document.getElementById("point-chart-data");
    var target = document.getElementById("point-chart");
    if (!source || !target || typeof uPlot === "undefined") {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var names = chart.names;
    var data = [chart.x];
    var series = [{ label: "time" }];
    names.forEach(function (name) {
      data.push(chart.series[name]);
      var style = STYLE[name] || { label: name, stroke: "#444" };
      series.push({
        label: style.label,
        stroke: style.stroke,
        width: style.width || 1,
        dash: style.dash,
        spanGaps: name === "history",
        points: { show: name === "history" && chart.x.length < 60 },
        value: function (u, v) {
          return v == null ? "-" : v.toFixed(2) + " " + chart.unit;
        }
      });
    });
    var bands = [];
    [["upper95", "lower95", "rgba(106,61,154,0.10)"], ["upper80", "lower80", "rgba(106,61,154,0.20)"]]
      .forEach(function (band) {
        var high = names.indexOf(band[0]), low = names.indexOf(band[1]);
        if (high >= 0 && low >= 0) {
          bands.push({ series: [high + 1, low + 1], fill: band[2] });
        }
      });
    var options = {
      width: Math.max(320, target.clientWidth || 800),
      height: 360,
      series: series,
      bands: bands,
      scales: { x: { time: true } },
      axes: [{}, { label: chart.unit }],
      legend: { live: true }
    };
    var plot = new uPlot(options, data, target);
    target.dataset.drawn = String(chart.x.length);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(320, target.clientWidth || 800), height: 360 });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
