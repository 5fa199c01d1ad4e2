// After a form is sent, tell keyboard and screen-reader users what happened: focus moves to the
// error summary if the page has one, else to the message that says what was done. Without
// JavaScript both are still the first thing on the page.
(function () {
  "use strict";
  function focusResult() {
    var target = document.getElementById("error-summary") || document.getElementById("result");
    if (target) { target.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusResult);
  } else {
    focusResult();
  }
})();
