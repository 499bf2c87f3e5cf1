// Small helpers for the staff pages: select-all, CSV export with a progress bar.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  window.xfCsrf = token ? token.content : "";

  var all = document.getElementById("check-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll('input[name="task_ids"]').forEach(function (box) { box.checked = all.checked; });
  });

  var exportBtn = document.getElementById("export-btn");
  if (exportBtn) exportBtn.addEventListener("click", function () {
    var bar = document.getElementById("export-progress"), link = document.getElementById("export-link");
    var form = new FormData(document.getElementById("filter-form"));
    bar.hidden = false; bar.value = 0; link.hidden = true; exportBtn.disabled = true;
    fetch(exportBtn.dataset.url, {method: "POST", body: form, headers: {"X-CSRFToken": window.xfCsrf},
                                  credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function poll(job) {
        bar.value = job.percent;
        if (job.status === "running") {
          return new Promise(function (ok) { setTimeout(ok, 500); })
            .then(function () { return fetch("/jobs/" + job.id, {credentials: "same-origin"}); })
            .then(function (r) { return r.json(); }).then(poll);
        }
        exportBtn.disabled = false;
        if (job.status === "done") { link.href = "/jobs/" + job.id + "/download"; link.hidden = false; }
        else { alert(job.message || "export failed"); }
      });
  });
})();
