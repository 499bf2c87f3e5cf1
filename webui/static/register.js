// Registration page: add petitioner/representative rows, show representatives for collective
// visits, and hint at earlier petitions of the same person while the ID number or name is typed.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) return;
  var template = document.getElementById("person-template").innerHTML;

  document.querySelectorAll("[data-add-person]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var prefix = btn.dataset.addPerson, box = document.getElementById(prefix);
      var max = parseInt(box.dataset.max || "50", 10), count = box.querySelectorAll("fieldset").length;
      if (count >= max) return;
      var html = template.split("__prefix__").join(prefix).split("__i__").join(String(count));
      box.insertAdjacentHTML("beforeend", html);
      if (prefix === "petitioners") wire(box.lastElementChild);
    });
  });

  var collective = document.getElementById("f-collective");
  collective.addEventListener("change", function () {
    document.getElementById("representatives-box").hidden = !collective.checked;
  });

  var hints = document.getElementById("repeat-hints"), timer = null;
  function check(input) {
    var row = input.closest("fieldset"), params = new URLSearchParams();
    var id = row.querySelector('[name$=".id_number"]').value.trim();
    var name = row.querySelector('[name$=".name"]').value.trim();
    if (id.length === 18) params.set("id_number", id); else if (name.length >= 2) params.set("name", name); else return;
    fetch(form.dataset.repeatsUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) {
        hints.textContent = "";
        if (!data.items.length) { hints.hidden = true; return; }
        var title = document.createElement("b");
        title.textContent = (document.documentElement.lang === "en" ? "Possible repeat petition: " : "可能是重复信访：");
        hints.appendChild(title);
        data.items.forEach(function (c) {
          var a = document.createElement("a");
          a.href = "/cases/" + c.id; a.target = "_blank"; a.className = "chip";
          a.textContent = (c.reg_no || "#" + c.id) + " " + c.subject + " (" + c.created_at.slice(0, 10) + ")";
          hints.appendChild(a);
        });
        hints.hidden = false;
      });
  }
  function wire(scope) {
    scope.querySelectorAll('[name$=".id_number"], [name$=".name"]').forEach(function (input) {
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { check(input); }, 400); });
    });
  }
  wire(document.getElementById("petitioners"));
})();
