// The printable case file: a print button and the time of printing (no inline script, for the CSP).
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) button.addEventListener("click", function () { window.print(); });
  var now = document.querySelector("[data-now]");
  if (now) now.textContent = new Date().toLocaleString(document.documentElement.lang || "zh-CN");
})();
