// 指标看板: draws the page's chart (Chart.js) from the JSON the server put in #dash-data, keeps the
// period picker to either a month or from/to dates, and runs the monthly report as a background
// job with the shared poller of webui/static/app.js (xinfangStartJob).
(function () {
  "use strict";
  var COLORS = ["#0b57b7", "#c0392b", "#2e7d32", "#e08a00", "#6a1b9a", "#00838f", "#8b1a1a", "#5d4037",
                "#1565c0", "#558b2f", "#ad1457"];

  function pct(value) { return value === null || value === undefined ? "—" : value.toFixed(2) + "%"; }

  function bar(canvas, labels, values, urls, label) {
    return new Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: [{label: label, data: values, backgroundColor: "#0b57b7"}]},
      options: {
        maintainAspectRatio: false, animation: false,
        scales: {y: {min: 0, max: 100, ticks: {callback: function (v) { return v + "%"; }}}},
        plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (c) { return pct(c.raw); }}}},
        onClick: function (event, elements) {     // a bar is a figure too: open the cases behind it
          if (elements.length && urls[elements[0].index]) window.location.href = urls[elements[0].index];
        }
      }
    });
  }

  function figuresChart(data) {
    var canvas = document.getElementById("figures-chart"), picker = document.getElementById("chart-kpi");
    if (!data.by) {
      bar(canvas, data.rows.map(function (r) { return r.label; }), data.rows.map(function (r) { return r.rate; }),
          data.rows.map(function (r) { return r.url; }), data.rateLabel);
      return;
    }
    var chart = null;
    function draw() {      // grouped: one KPI at a time, a bar per unit / category / region / channel
      var rows = data.rows.filter(function (r) { return r.key === picker.value; });
      if (chart) chart.destroy();
      chart = bar(canvas, rows.map(function (r) { return r.group_name; }), rows.map(function (r) { return r.rate; }),
                  rows.map(function (r) { return r.url; }), data.rateLabel);
    }
    picker.addEventListener("change", draw);
    draw();
  }

  function trendChart(data) {
    new Chart(document.getElementById("trend-chart"), {
      type: "line",
      data: {labels: data.months, datasets: data.series.map(function (s, i) {
        return {label: s.label, data: s.rate, borderColor: COLORS[i % COLORS.length],
                backgroundColor: COLORS[i % COLORS.length], spanGaps: true, tension: 0};
      })},
      options: {maintainAspectRatio: false, animation: false,
                scales: {y: {min: 0, max: 100, ticks: {callback: function (v) { return v + "%"; }}}},
                plugins: {tooltip: {callbacks: {label: function (c) { return c.dataset.label + " " + pct(c.raw); }}}},
                onClick: function (event, elements) {     // a point opens that month's cases
                  if (!elements.length) return;
                  var hit = elements[0];
                  var s = data.series[hit.datasetIndex];
                  var scope = data.by ? "&by=" + data.by + (s.group !== null ? "&group=" + encodeURIComponent(s.group) : "") : "";
                  window.location.href = data.link + "?part=numerator&key=" + s.key + "&month=" + data.months[hit.index] + scope;
                }}
    });
  }

  function ledgerChart(data) {
    new Chart(document.getElementById("ledger-chart"), {
      type: "bar",
      data: {labels: data.units, datasets: data.stacks.map(function (s) {
        return {label: s[1], data: data.values[s[0]], backgroundColor: s[2]};
      })},
      options: {maintainAspectRatio: false, animation: false,
                scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}},
                onClick: function (event, elements) {     // a segment opens the items it counts
                  if (!elements.length) return;
                  var hit = elements[0];
                  window.location.href = data.link + "&column=" + data.stacks[hit.datasetIndex][0] +
                    "&unit=" + encodeURIComponent(data.codes[hit.index]);
                }}
    });
  }

  function periodPicker() {
    var form = document.getElementById("period-form");
    if (!form) return;
    var month = form.elements.month, from = form.elements.from, to = form.elements.to;
    month.addEventListener("input", function () { if (month.value) { from.value = ""; to.value = ""; } });
    [from, to].forEach(function (field) {
      field.addEventListener("input", function () { if (field.value) month.value = ""; });
    });
    form.addEventListener("submit", function () {     // keep the address short: no empty parameters
      Array.prototype.forEach.call(form.elements, function (el) { if (el.name && !el.value) el.disabled = true; });
    });
  }

  function reportJob() {
    var form = document.getElementById("report-form");
    if (!form) return;
    var bar = document.getElementById("report-progress"), links = document.getElementById("report-links");
    var error = document.getElementById("report-error"), button = document.getElementById("report-btn");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      bar.hidden = false; bar.value = 0; links.hidden = true; error.hidden = true; button.disabled = true;
      window.xinfangStartJob(form.dataset.url, new FormData(form), window.xinfangProgressHandlers(
        bar, button,
        function (job) {
          document.getElementById("report-xlsx").href = "/dashboard/report/" + job.id + ".xlsx";
          document.getElementById("report-docx").href = "/dashboard/report/" + job.id + ".docx";
          links.hidden = false;
        },
        function (message) { error.textContent = message; error.hidden = false; }));
    });
  }

  var source = document.getElementById("dash-data");
  if (source && window.Chart) {
    var data = JSON.parse(source.textContent);
    ({figures: figuresChart, trend: trendChart, ledger: ledgerChart})[data.kind](data);
  }
  periodPicker();
  reportJob();
})();
