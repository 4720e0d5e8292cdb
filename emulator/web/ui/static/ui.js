// Refresh the journal table, and show a notice when the emulator stops answering.
// Pages work without this script; it only keeps them current.
"use strict";
(function () {
  const PERIOD_MS = 2000;
  const stopped = document.getElementById("stopped");
  const table = document.querySelector("[data-refresh-url]");
  const url = table ? table.dataset.refreshUrl : document.body.dataset.pingUrl;
  if (!url) { return; }

  function answered(ok) {
    if (stopped) { stopped.hidden = ok; }
  }

  async function poll() {
    try {
      const response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
      answered(response.ok);
      // The rows come escaped by the server's templates, like every page.
      if (response.ok && table) { table.innerHTML = await response.text(); }
    } catch (error) {
      answered(false);
    }
    window.setTimeout(poll, PERIOD_MS);
  }
  window.setTimeout(poll, PERIOD_MS);
})();
