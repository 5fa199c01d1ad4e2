// Live progress of a newsletter issue: while it is scheduled or sending, ask for its figures
// every five seconds and update the status line (a polite live region, so screen readers hear
// the news without losing their place). Without JavaScript the page shows the figures on load.
(function () {
  "use strict";
  var line = document.getElementById("issue-progress");
  if (!line || line.dataset.live !== "yes") { return; }
  function update() {
    fetch(line.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (figures) {
        if (!figures) { return; }
        var text = line.dataset.template.replace(/\{(\w+)\}/g, function (_, name) {
          return figures[name] === undefined ? "" : figures[name];
        });
        // Only real news is announced; once sent or paused, the page stops asking.
        if (text !== line.textContent.trim()) { line.textContent = text; }
        if (!figures.live) { window.clearInterval(timer); }
      })
      .catch(function () { /* try again at the next tick */ });
  }
  var timer = window.setInterval(update, 5000);
})();
