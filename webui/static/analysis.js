// 热点分析: a bar chart of the topics' case counts, from the JSON the page carries.
(function () {
  "use strict";
  var data = document.getElementById("topic-data");
  var canvas = document.getElementById("topic-chart");
  if (!data || !canvas || typeof Chart === "undefined") { return; }
  var rows = JSON.parse(data.textContent);
  var label = canvas.getAttribute("aria-label");
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map(function (r) { return r.topic; }),
      datasets: [{ label: label, data: rows.map(function (r) { return r.count; }), backgroundColor: "#8b1a1a" }]
    },
    options: {
      indexAxis: "y", maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
})();
