// Small helpers for the staff pages: select-all, and THE job poller every long operation uses
// (inbox CSV export, the dashboard's monthly report, the users import).
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  window.xfCsrf = token ? token.content : "";

  function readJson(response) {      // error pages answer JSON too when asked (webui/errors.py)
    return response.json().catch(function () { return {message: response.statusText}; }).then(function (body) {
      if (!response.ok) throw new Error(body.message || response.statusText);
      return body;
    });
  }

  // Polls /jobs/<id> until the job is done or failed. `job` is the job the start request answered
  // (or its id); handlers: onProgress(job) on every answer, onDone(job), onFail(message, job).
  function pollJob(job, handlers) {
    handlers = handlers || {};
    var fail = function (err, failed) { if (handlers.onFail) handlers.onFail(err.message || String(err), failed); };
    function step(current) {
      if (handlers.onProgress) handlers.onProgress(current);
      if (current.status === "running") {
        setTimeout(function () {
          fetch("/jobs/" + current.id, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(readJson).then(step, fail);
        }, handlers.interval || 500);
      } else if (current.status === "done") {
        if (handlers.onDone) handlers.onDone(current);
      } else {
        fail(new Error(current.message || "failed"), current);
      }
    }
    if (typeof job === "string") job = {id: job, status: "running", percent: 0};
    step(job);
  }

  // POSTs a form (FormData) to a URL that starts a job, then polls it; a refusal goes to onFail.
  function startJob(url, body, handlers) {
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-CSRFToken": window.xfCsrf, "Accept": "application/json"}})
      .then(readJson)
      .then(function (job) { pollJob(job, handlers); },
            function (err) { if (handlers.onFail) handlers.onFail(err.message, null); });
  }

  // The usual page wiring: a <progress> follows the job, the button is disabled while it runs.
  function progressHandlers(bar, button, done, failed) {
    return {
      onProgress: function (job) { if (job.percent !== undefined) bar.value = job.percent; },
      onDone: function (job) { button.disabled = false; done(job); },
      onFail: function (message, job) { button.disabled = false; bar.hidden = true; failed(message, job); }
    };
  }

  window.xinfangPollJob = pollJob;
  window.xinfangStartJob = startJob;
  window.xinfangProgressHandlers = progressHandlers;

  var all = document.getElementById("check-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll('input[name="task_ids"]').forEach(function (box) { box.checked = all.checked; });
  });

  var exportBtn = document.getElementById("export-btn");
  if (exportBtn) exportBtn.addEventListener("click", function () {
    var bar = document.getElementById("export-progress"), link = document.getElementById("export-link");
    bar.hidden = false; bar.value = 0; link.hidden = true; exportBtn.disabled = true;
    startJob(exportBtn.dataset.url, new FormData(document.getElementById("filter-form")), progressHandlers(
      bar, exportBtn,
      function (job) { link.href = "/jobs/" + job.id + "/download"; link.hidden = false; },
      function (message) { alert(message); }));
  });

  var importForm = document.getElementById("import-form");
  if (importForm) importForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("import-progress"), button = document.getElementById("import-btn");
    var result = document.getElementById("import-result"), errors = document.getElementById("import-errors");
    var link = document.getElementById("import-passwords");
    bar.hidden = false; bar.value = 0; result.hidden = true; errors.hidden = true; link.hidden = true;
    button.disabled = true;
    startJob(importForm.dataset.url, new FormData(importForm), progressHandlers(
      bar, button,
      function (job) {
        result.textContent = importForm.dataset.doneText.replace("%(done)s", job.total);
        result.hidden = false;
        if (job.has_result) { link.href = importForm.dataset.passwordsUrl.replace("JOB", job.id); link.hidden = false; }
      },
      function (message) { errors.textContent = message; errors.hidden = false; }));
  });
})();
