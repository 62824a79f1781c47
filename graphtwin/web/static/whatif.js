// The what-if run's charts: one uPlot per zone, a line per variant (inaction first) and each
// variant's uncertainty band shaded behind it. The data is the page's
// <script type="application/json" id="whatif-data"> (no inline script: the CSP allows none).
(function () {
  "use strict";

  const COLOURS = ["#a4161a", "#0b5cad", "#1e6b34", "#8a5a00", "#6b2c91", "#00707a"];
  const DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4], [4, 4], [1, 2]];

  function bandsPlugin(bands) {
    // Fill between each variant's lower and upper bound, under the lines.
    return {
      hooks: {
        drawClear: [
          function (u) {
            const ctx = u.ctx;
            ctx.save();
            bands.forEach(function (band, i) {
              const xs = u.data[0];
              ctx.beginPath();
              for (let j = 0; j < xs.length; j++) {
                const x = u.valToPos(xs[j], "x", true);
                const y = u.valToPos(band.upper[j], "y", true);
                if (j === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
              }
              for (let j = xs.length - 1; j >= 0; j--) {
                ctx.lineTo(u.valToPos(xs[j], "x", true), u.valToPos(band.lower[j], "y", true));
              }
              ctx.closePath();
              ctx.globalAlpha = 0.12;
              ctx.fillStyle = COLOURS[i % COLOURS.length];
              ctx.fill();
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  function draw(figure, chart) {
    const low = Math.min.apply(null, chart.bands.flatMap(function (b) { return b.lower; }));
    const high = Math.max.apply(null, chart.bands.flatMap(function (b) { return b.upper; }));
    const options = {
      width: Math.max(320, Math.min(figure.clientWidth || 600, 900)),
      height: 260,
      plugins: [bandsPlugin(chart.bands)],
      scales: { y: { range: [Math.floor(low - 0.5), Math.ceil(high + 0.5)] } },
      axes: [{}, { label: chart.unit }],
      series: [{ label: "time" }].concat(chart.series.map(function (s, i) {
        return {
          label: s.name,
          stroke: COLOURS[i % COLOURS.length],
          dash: DASHES[i % DASHES.length],
          width: 2,
        };
      })),
    };
    const data = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
    const plot = new uPlot(options, data, figure);
    figure.uplot = plot;
  }

  function start() {
    const source = document.getElementById("whatif-data");
    if (!source || typeof uPlot === "undefined") {
      return;
    }
    const charts = JSON.parse(source.textContent);
    document.querySelectorAll("figure.whatif-chart").forEach(function (figure) {
      const chart = charts[Number(figure.dataset.chart)];
      if (chart) {
        draw(figure, chart);
        figure.dataset.series = String(chart.series.length);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
