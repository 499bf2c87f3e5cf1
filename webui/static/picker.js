// Pickers of the directory: a unit <select data-picker="unit"> gets a box that filters its options
// by name (several may be chosen when it is multiple), and a region <input data-picker="region">
// suggests the administrative divisions whose names contain what is typed. Texts come from the page.
(function () {
  "use strict";
  function unitPicker(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.placeholder = select.dataset.filterLabel || "";
    box.setAttribute("aria-label", select.dataset.filterLabel || "");
    box.setAttribute("data-filter-for", select.id);
    select.parentNode.insertBefore(box, select);
    var chosen = null;
    if (select.multiple) {
      chosen = document.createElement("div");
      chosen.className = "picker-chosen";
      select.parentNode.insertBefore(chosen, select.nextSibling);
    }
    function show() {
      if (!chosen) return;
      chosen.textContent = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
        .map(function (o) { return o.textContent; }).join("、");
    }
    box.addEventListener("input", function () {
      var q = box.value.trim();
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = !!q && o.value !== "" && o.textContent.indexOf(q) < 0 && !o.selected;
      });
    });
    select.addEventListener("change", show);
    show();
  }
  function regionPicker(input) {
    var list = document.getElementById(input.getAttribute("list")), timer = null;
    if (!list) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) return;
      timer = setTimeout(function () {
        fetch(input.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (body) {
            list.textContent = "";
            body.items.forEach(function (r) {
              var o = document.createElement("option");
              o.value = r.full_name;
              list.appendChild(o);
            });
          });
      }, 250);
    });
  }
  document.querySelectorAll('select[data-picker="unit"]').forEach(unitPicker);
  document.querySelectorAll('input[data-picker="region"]').forEach(regionPicker);
})();
