// Keyboard and screen-reader help on every page:
// - after a form is sent, focus moves to the error summary if the page has one, else to the
//   message that says what was done (without JavaScript both are the first thing on the page);
// - a table wider than its box scrolls inside it, and then the box takes keyboard focus (so
//   the arrow keys scroll it) and is named after the table's caption.
(function () {
  "use strict";
  function focusResult() {
    var target = document.getElementById("error-summary") || document.getElementById("result");
    if (target) { target.focus(); }
  }
  function scrollBoxes() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) { box.setAttribute("aria-label", caption.textContent.trim()); }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  function start() {
    scrollBoxes();
    focusResult();
    window.addEventListener("resize", scrollBoxes);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
