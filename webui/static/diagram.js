// The case's BPMN diagram (bpmn-js navigated viewer, vendored by `make vendor`), with
// completed elements in green and active ones in amber. Without the viewer, a text list.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box) return;
  function textFallback(info) {
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = "● " + info.active.join(", ") + "  ✓ " + info.completed.join(", ");
    box.appendChild(p);
  }
  fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) {
    if (!r.ok) throw new Error(r.status); return r.json();
  }).then(function (info) {
    var script = document.createElement("script");
    script.src = box.dataset.viewer;
    script.onload = function () {
      var viewer = new window.BpmnJS({container: box});
      viewer.importXML(info.xml).then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
        if (registry.getAll().length < 2) { textFallback(info); box.dataset.ready = "1"; return; }
        info.completed.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "done"); });
        info.active.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "active"); });
        canvas.zoom("fit-viewport");
        box.dataset.ready = "1";
      }).catch(function () { textFallback(info); box.dataset.ready = "1"; });
    };
    script.onerror = function () { textFallback(info); box.dataset.ready = "1"; };
    document.head.appendChild(script);
  }).catch(function () { box.textContent = "—"; box.dataset.ready = "1"; });
})();
