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
        var current = info.active.map(function (id) { return registry.get(id); }).filter(Boolean);
        function showCurrent() {
          if (!current.length) { canvas.zoom("fit-viewport"); return; }
          // the current steps at full size, centred: a task reads at its real 100×80
          var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
          current.forEach(function (e) {
            x1 = Math.min(x1, e.x); y1 = Math.min(y1, e.y); x2 = Math.max(x2, e.x + e.width); y2 = Math.max(y2, e.y + e.height);
          });
          var size = canvas.viewbox().outer, scale = Math.min(1, size.width / (x2 - x1 + 200), size.height / (y2 - y1 + 160));
          canvas.zoom(Math.max(scale, 0.4), { x: (x1 + x2) / 2, y: (y1 + y2) / 2 });
          var vb = canvas.viewbox();
          canvas.viewbox({ x: (x1 + x2) / 2 - vb.width / 2, y: (y1 + y2) / 2 - vb.height / 2, width: vb.width, height: vb.height });
        }
        showCurrent();
        var fit = document.getElementById("diagram-fit"), here = document.getElementById("diagram-current");
        if (fit) fit.addEventListener("click", function () { canvas.zoom("fit-viewport"); });
        if (here) here.addEventListener("click", showCurrent);
        box.dataset.ready = "1";
      }).catch(function () { textFallback(info); box.dataset.ready = "1"; });
    };
    script.onerror = function () { textFallback(info); box.dataset.ready = "1"; };
    document.head.appendChild(script);
  }).catch(function () { box.textContent = "—"; box.dataset.ready = "1"; });
})();
