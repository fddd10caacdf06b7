// Spend charts: each canvas reads its data from a json_script element. The canvas sits in a
// .chart-box of fixed height (hub.css), so a phone gets a chart as tall as a desktop's, not a
// 20-pixel strip kept to the desktop's aspect ratio. With nothing to draw it says so.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var money = function (v) { return "£" + Math.round(v).toLocaleString("en-GB"); };
  function draw(canvasId, values, config) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) return;
    var empty = !values.some(function (v) { return Number(v) !== 0; });
    if (empty) {
      var note = document.createElement("p");
      note.className = "text-muted mb-0 chart-empty";
      note.textContent = "No payments in this selection.";
      (canvas.closest(".chart-box") || canvas).replaceWith(note);
      return;
    }
    config.options = Object.assign({ maintainAspectRatio: false }, config.options);
    new Chart(canvas, config);
  }
  var trend = data("spend-trend-data");
  if (trend) {
    draw("spend-trend", trend.spend.concat(trend.on_contract), {
      type: "bar",
      data: {
        labels: trend.months,
        datasets: [
          { label: "Spend", data: trend.spend, backgroundColor: "#0d6efd88" },
          { label: "On contract", data: trend.on_contract, backgroundColor: "#19875488" }
        ]
      },
      options: { scales: { y: { ticks: { callback: money } } } }
    });
  }
  var burn = data("contract-burn-data");
  if (burn) {
    var sets = [{ label: "Spend to date", data: burn.cumulative, borderColor: "#0d6efd", fill: false }];
    if (burn.value) {
      sets.push({ label: "Contract value", data: burn.labels.map(function () { return burn.value; }),
                  borderColor: "#dc3545", borderDash: [6, 4], pointRadius: 0 });
    }
    draw("contract-burn", burn.cumulative, {
      type: "line", data: { labels: burn.labels, datasets: sets },
      options: { scales: { y: { beginAtZero: true, ticks: { callback: money } } } }
    });
  }
  var vendor = data("vendor-spend-data");
  if (vendor) {
    draw("vendor-spend", vendor.spend, {
      type: "bar",
      data: { labels: vendor.labels, datasets: [{ label: "Spend", data: vendor.spend, backgroundColor: "#0d6efd88" }] },
      options: { scales: { y: { ticks: { callback: money } } } }
    });
  }
});
