// The breaking-news banner (web/includes/breaking_news.html). Static pages do not contain it, so that setting it
// rewrites one file, not the archive: the page reads /live/banner.json as it opens (preloaded in the same round
// trip as the stylesheet), then follows banner events from the live channel, which bulletin.js hands over as
// "bulletin:banner" DOM events, and reads the file again whenever the stream (re)opens, so nothing set while it
// was closed is missed. Each state carries a live event id: an older one never replaces a newer one. The banner
// takes itself down at its end time, also when no event comes. It is fixed to the bottom of the viewport, so
// showing or removing it never moves what the reader is looking at (no layout shift).
(function () {
  "use strict";
  var slot = document.querySelector("[data-breaking-news]");
  if (!slot) return;
  var shownId = -1, endTimer = null;
  var LONGEST_TIMEOUT = 2147483647;  // setTimeout's limit in milliseconds (about 24.8 days)

  function clear() {
    clearTimeout(endTimer);
    slot.replaceChildren();
    document.documentElement.classList.remove("has-breaking-news");
  }

  function isWebLink(url) {
    return /^https?:\/\//i.test(url || "");
  }

  function show(banner) {
    clearTimeout(endTimer);
    var ends = banner && banner.ends_at ? Date.parse(banner.ends_at) : NaN;
    if (!banner || !banner.text || ends <= Date.now()) return clear();
    var link = isWebLink(banner.link) ? banner.link : "";
    var current = slot.querySelector(".breaking-news__text");
    // The same banner again (the file after its event): leave it, so screen readers do not hear it twice.
    if (!current || current.textContent !== banner.text || (current.getAttribute("href") || "") !== link) {
      var bar = document.createElement("p");
      bar.className = "breaking-news__bar";
      var label = document.createElement("strong");
      label.className = "breaking-news__label";
      label.textContent = "Breaking";
      var text = document.createElement(link ? "a" : "span");
      text.className = "breaking-news__text";
      if (link) text.href = link;
      text.textContent = banner.text;
      bar.append(label, " ", text);
      slot.replaceChildren(bar);
      document.documentElement.classList.add("has-breaking-news");
    }
    if (!isNaN(ends)) endTimer = setTimeout(clear, Math.min(ends - Date.now(), LONGEST_TIMEOUT));
  }

  function read(options) {
    fetch(slot.dataset.breakingNews, options).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (state) {
      // The file reflects every event up to its id, so it wins over an event with the same id.
      if (state.id < shownId) return;
      shownId = state.id;
      show(state.banner);
    }).catch(function () { /* keep what is shown; the next event or opening brings the banner */ });
  }

  document.addEventListener("bulletin:banner", function (event) {
    var message = event.detail;
    if (message.id <= shownId) return;
    shownId = message.id;
    show(message.banner);
  });
  document.addEventListener("bulletin:live-open", function () { read({ cache: "no-cache" }); });
  read({});
})();
