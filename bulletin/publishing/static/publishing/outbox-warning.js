// Shows "N changes have not reached the public site since HH:MM: …" as a Wagtail message on every admin page
// while the static publisher's outbox has failing entries (bulletin/publishing/wagtail_hooks.py).
(function () {
  "use strict";
  var script = document.currentScript;
  fetch(script.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : {}; })
    .then(function (data) {
      if (!data.warning) return;
      document.dispatchEvent(new CustomEvent("w-messages:add", { detail: { text: data.warning, type: "warning" } }));
    })
    .catch(function () { /* signed out or offline: nothing to show */ });
})();
