// KPI trend charts: canvases marked data-kpi-chart read their series from #kpi-charts;
// the vendor scorecard's canvas reads #vendor-trend. Pages work without this (tables).
(function () {
  if (typeof Chart === "undefined") return;
  var palette = ["#0d6efd", "#198754", "#d63384", "#fd7e14", "#6f42c1", "#20c997"];
  function draw(canvas, labels, datasets, yTitle) {
    var chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: datasets.map(function (d, i) {
          return {
            label: d.label,
            data: d.data,
            spanGaps: true,
            borderColor: d.target ? "#6c757d" : palette[i % palette.length],
            borderDash: d.target ? [6, 4] : [],
            pointRadius: d.target ? 0 : 4,
            tension: 0.2,
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        scales: { y: { title: { display: !!yTitle, text: yTitle } } },
      },
    });
    canvas.dataset.points = String(labels.length);
    canvas.chart = chart;
  }
  var source = document.getElementById("kpi-charts");
  if (source) {
    JSON.parse(source.textContent).forEach(function (c) {
      var canvas = document.querySelector('[data-kpi-chart="' + c.id + '"]');
      if (canvas) draw(canvas, c.labels, c.datasets, c.unit);
    });
  }
  var trend = document.getElementById("vendor-trend");
  var vendorCanvas = document.querySelector("[data-vendor-chart]");
  if (trend && vendorCanvas) {
    var rows = JSON.parse(trend.textContent);
    draw(
      vendorCanvas,
      rows.map(function (r) { return r.period; }),
      [{ label: "Weighted KPI score (1 Inadequate – 4 Good)", data: rows.map(function (r) { return r.weighted; }) }],
      "score"
    );
  }
})();
