// Sourcing pipeline: drag a card to another column (htmx posts the same move form the buttons
// use), and draw the forward-plan chart from the JSON the page embeds.
(function () {
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-move-url]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.project);
  });
  document.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest("[data-drop-stage]")) event.preventDefault();
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest("[data-drop-stage]");
    if (!dragged || !column) return;
    event.preventDefault();
    var form = dragged.querySelector("form");
    var query = form ? form.querySelector("[name=board_query]").value : "";
    htmx.ajax("POST", dragged.dataset.moveUrl, {
      target: "#board",
      swap: "outerHTML",
      values: { stage: column.dataset.dropStage, board_query: query },
    });
    dragged = null;
  });

  // After a move (button or drag) the board is replaced: say what happened in the status line
  // outside it, and put focus back on the moved card's move button (else its link).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "board") return;
    var board = document.getElementById("board");  // The new one (outerHTML swap).
    if (!board) return;
    var status = document.getElementById("board-status");
    if (status) status.textContent = board.dataset.announce || "";  // A filter change: none.
    if (!board.dataset.focusProject) return;
    // The moved card, or the board itself when the card is past what its column shows.
    var card = document.getElementById("project-" + board.dataset.focusProject);
    var target = card && (card.querySelector(".move-next") || card.querySelector("button") || card.querySelector("a"));
    (target || board).focus();
  });

  function drawForwardPlan() {
    var data = document.getElementById("forward-plan-data");
    var canvas = document.getElementById("forward-plan-chart");
    if (!data || !canvas || typeof Chart === "undefined") return;
    var plan = JSON.parse(data.textContent);
    var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#d63384", "#ffc107", "#6c757d"];
    var datasets = plan.datasets.map(function (set, i) {
      var colour = palette[i % palette.length];
      return {
        type: "bar", label: set.label, data: set.data, stack: "value", yAxisID: "y",
        backgroundColor: colour, borderColor: colour,
      };
    });
    datasets.push({
      type: "line", label: "Contracts (count)", data: plan.counts, yAxisID: "count",
      borderColor: "#212529", backgroundColor: "#212529",
    });
    new Chart(canvas, {
      data: { labels: plan.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, title: { display: true, text: "Value expiring" } },
          count: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Contracts" } },
        },
      },
    });
  }
  document.addEventListener("DOMContentLoaded", drawForwardPlan);
})();
