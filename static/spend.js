// Spend charts: each <canvas data-spend-chart> reads its data from a json_script element.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var money = function (v) { return "£" + Math.round(v).toLocaleString("en-GB"); };
  var trend = data("spend-trend-data");
  if (trend && document.getElementById("spend-trend")) {
    new Chart(document.getElementById("spend-trend"), {
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
  if (burn && document.getElementById("contract-burn")) {
    var sets = [{ label: "Spend to date", data: burn.cumulative, borderColor: "#0d6efd", fill: false }];
    if (burn.value) {
      sets.push({ label: "Contract value", data: burn.labels.map(function () { return burn.value; }),
                  borderColor: "#dc3545", borderDash: [6, 4], pointRadius: 0 });
    }
    new Chart(document.getElementById("contract-burn"), {
      type: "line", data: { labels: burn.labels, datasets: sets },
      options: { scales: { y: { beginAtZero: true, ticks: { callback: money } } } }
    });
  }
  var vendor = data("vendor-spend-data");
  if (vendor && document.getElementById("vendor-spend")) {
    new Chart(document.getElementById("vendor-spend"), {
      type: "bar",
      data: { labels: vendor.labels, datasets: [{ label: "Spend", data: vendor.spend, backgroundColor: "#0d6efd88" }] },
      options: { scales: { y: { ticks: { callback: money } } } }
    });
  }
});
