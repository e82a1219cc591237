// Live blog reader script (docs/liveblogs.md): new, edited and deleted entries arrive on the blog's head page
// through /live/ (the blog's own topic), or by polling its topic file when the stream fails. No framework.
// Without JavaScript the page is complete as it was rendered, with links to older entries.
(function () {
  "use strict";
  var STREAM = "/live/", POLL_EVERY = 3000, REOPEN_AFTER = 30000, ANNOUNCE_EVERY = 5000;

  // A shared link to an entry that has moved to an older page: its permalink redirects there.
  function followEntryAnchor() {
    var match = /^#entry-(\d+)$/.exec(window.location.hash);
    var blog = document.querySelector("[data-liveblog]");
    if (match && blog && !document.getElementById("entry-" + match[1])) {
      window.location.replace(blog.dataset.liveblog + "entries/" + match[1] + "/");
    }
  }
  followEntryAnchor();
  window.addEventListener("hashchange", followEntryAnchor);

  var section = document.querySelector("[data-live-entries]");
  if (!section) return;
  var topic = section.dataset.topic;
  var live = { lastId: +section.dataset.live || 0, stream: null, poller: null, queued: [], ended: false };
  var baseTitle = document.title;
  var announcer = { last: 0, pending: [], timer: null };

  // Screen readers hear at most one announcement per ANNOUNCE_EVERY: a burst of entries is summed up.
  function announce(text) {
    announcer.pending.push(text);
    if (announcer.timer) return;
    var wait = Math.max(0, announcer.last + ANNOUNCE_EVERY - Date.now());
    announcer.timer = setTimeout(function () {
      var region = document.querySelector("[data-announcer]");
      var texts = announcer.pending;
      announcer.pending = [];
      announcer.timer = null;
      announcer.last = Date.now();
      if (region) region.textContent = texts.length === 1 ? texts[0] : texts.length + " changes to the live blog. " + texts[texts.length - 1];
    }, wait);
  }

  function entryFrom(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    return document.importNode(doc.querySelector("[data-entry]"), true);
  }

  function entryText(node) {
    var headline = node.querySelector(".entry__headline"), body = node.querySelector(".entry__body");
    var text = (headline ? headline.textContent : body ? body.textContent : "").trim();
    return text.length > 120 ? text.slice(0, 119) + "…" : text;
  }

  // The reader is "at the top" while the top of the entries is in view: new entries appear in place there.
  function atTop() {
    return section.getBoundingClientRect().top >= 0;
  }

  function insert(node) {
    var position = +node.dataset.position, shown = section.querySelectorAll("[data-entry]");
    var empty = section.querySelector(".liveblog__empty");
    if (empty) empty.remove();
    for (var i = 0; i < shown.length; i++) {
      if (+shown[i].dataset.position < position) return section.insertBefore(node, shown[i]);
    }
    return section.appendChild(node);
  }

  function button() {
    if (!live.button) {
      var holder = document.createElement("div");
      holder.className = "live-notice";  // takes no room: showing the button moves nothing under the reader
      live.button = document.createElement("button");
      live.button.type = "button";
      live.button.className = "button live-button";
      live.button.hidden = true;
      live.button.addEventListener("click", function () { showQueued(true); });
      holder.appendChild(live.button);
      section.parentNode.insertBefore(holder, section);
    }
    return live.button;
  }

  function showQueued(moveThere) {
    var queued = live.queued;
    live.queued = [];
    queued.forEach(insert);
    button().hidden = true;
    document.title = baseTitle;
    if (!moveThere || !queued.length) return;
    var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    section.scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
    var link = section.querySelector("[data-entry] a");
    if (link) link.focus({ preventScroll: true });
  }

  function updateCount() {
    var count = live.queued.length;
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
    if (!count) return;
    button().textContent = count === 1 ? "1 new update" : count + " new updates";
    button().hidden = false;
  }

  function findQueued(id) {
    for (var i = 0; i < live.queued.length; i++) if (live.queued[i].dataset.entry === String(id)) return i;
    return -1;
  }

  function applyEntry(message) {
    var id = message.entry.id, shown = section.querySelector('[data-entry="' + id + '"]'), queued = findQueued(id);
    if (message.type === "unpublished") {
      if (queued >= 0) live.queued.splice(queued, 1);
      if (shown) { announce("Update removed: " + entryText(shown)); shown.remove(); }
      updateCount();
      return;
    }
    var node = entryFrom(message.html);
    if (message.type === "updated") {
      if (queued >= 0) live.queued[queued] = node;
      if (shown) { shown.replaceWith(node); announce("Update corrected: " + entryText(node)); }
      return;
    }
    if (shown || queued >= 0) return;  // applied already (stream and polling may overlap)
    node.classList.add("entry--new");
    if (atTop() && !live.queued.length) {
      insert(node);
    } else {
      live.queued.push(node);
      updateCount();
    }
    announce("New update: " + entryText(node));
  }

  function applyBlog(message) {
    var status = document.querySelector("[data-liveblog-status]");
    var doc = new DOMParser().parseFromString(message.blog.html, "text/html");
    var fresh = doc.querySelector("[data-liveblog-status]");
    if (status && fresh) status.replaceWith(document.importNode(fresh, true));
    if (message.blog.status === "ended") {
      live.ended = true;
      showQueued(false);
      stopPolling();
      if (live.stream) live.stream.close();
      announce("Coverage has ended.");
    }
  }

  function receive(message) {
    if (!message || message.topic !== topic || message.id <= live.lastId) return;
    live.lastId = message.id;
    if (message.blog) applyBlog(message);
    else if (message.entry) applyEntry(message);
  }

  function openStream() {
    if (live.ended) return;
    if (!window.EventSource) return startPolling();
    var stream = live.stream = new EventSource(STREAM + "?topic=" + encodeURIComponent(topic) + "&last=" + live.lastId);
    stream.onopen = stopPolling;
    stream.onmessage = function (event) { receive(JSON.parse(event.data)); };
    stream.onerror = function () {
      startPolling();
      if (stream.readyState === EventSource.CLOSED) {
        live.stream = null;
        setTimeout(openStream, REOPEN_AFTER);
      }
    };
  }

  function poll() {
    fetch(section.dataset.poll, { cache: "no-cache", credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : { events: [] };
    }).then(function (data) {
      data.events.forEach(receive);
    }).catch(function () { /* offline: the next tick tries again */ });
  }

  function startPolling() {
    if (live.poller || live.ended) return;
    poll();
    live.poller = setInterval(poll, POLL_EVERY);
  }

  function stopPolling() {
    clearInterval(live.poller);
    live.poller = null;
  }

  // Scrolling back to the top shows what was waiting behind the button.
  window.addEventListener("scroll", function () {
    if (live.queued.length && atTop()) showQueued(false);
  }, { passive: true });

  section.setAttribute("data-live-ready", "");
  openStream();
})();
