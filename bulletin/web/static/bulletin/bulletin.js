// Bulletin reader script: loads the shared News Feed widget, makes "Show More" append stories in place (and keeps
// the reader's place in the URL), and keeps the News Feed and the widget live. No framework. Without JavaScript the
// widget is a link to the News Feed, "Show More" a link to the next page, and the feed is as fresh as the page.
(function () {
  "use strict";
  var PER_CLICK = 10;  // stories appended per click

  function announce(text) {
    var region = document.querySelector("[data-announcer]");
    if (region) region.textContent = text;
  }

  // --- Day headings --------------------------------------------------------------------------------------------
  // Every item carries its day (data-day, in the newsroom's time zone) and that day's absolute name. The server
  // puts a heading above the first story of each day; after stories are added or removed here, the headings are
  // worked out again the same way, and the word "Today" is decided by the reader's clock, not the file's age.
  var dayFormat = null, DAY_MS = 864e5;
  // Today's date in the newsroom's time zone, worked out only when a listed day is within a day of now (building
  // a formatter for a time zone is the costly part, so it is built once).
  function newsroomDate(list) {
    var near = Array.prototype.some.call(list.querySelectorAll("[data-day]"), function (item) {
      return Math.abs(Date.parse(item.dataset.day) - Date.now()) < 2 * DAY_MS;
    });
    if (!near) return "";
    try {  // en-CA formats a date as YYYY-MM-DD
      dayFormat = dayFormat || new Intl.DateTimeFormat("en-CA", {
        timeZone: list.dataset.timeZone, year: "numeric", month: "2-digit", day: "2-digit"
      });
      return dayFormat.format(new Date());
    } catch (error) { return ""; }
  }

  function dayHeadings(list) {
    var today = newsroomDate(list), year = String(new Date().getFullYear()), previous = null;
    var level = (list.querySelector(".feed-day") || { tagName: list.classList.contains("feed-list--compact") ? "H3" : "H2" }).tagName;
    list.querySelectorAll("[data-position]").forEach(function (item) {
      var heading = item.querySelector(".feed-day"), day = item.dataset.day;
      if (day === previous) { if (heading) heading.remove(); return; }
      previous = day;
      var name = day === today ? "Today" : (item.dataset.dayName || "").replace(new RegExp(", " + year + "$"), "");
      if (!heading) {
        heading = document.createElement(level);
        heading.className = "feed-day";
        item.insertBefore(heading, item.firstChild);
      }
      if (heading.textContent !== name) heading.textContent = name;
    });
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function fetchDocument(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.text();
    }).then(parse);
  }

  // Archive pages are numbered from the oldest story, so they never change when news arrives:
  // take stories older than the oldest one shown, walking to older pages until PER_CLICK are found
  // (or, with ``until``, every story down to feed position ``until``: a place being restored).
  function showMore(link, until) {
    var root = link.closest("[data-feed-root]"), list = root.querySelector("[data-feed-list]");
    var shown = list.querySelectorAll("[data-position]");
    var pageSize = +list.dataset.pageSize;
    var oldest = Infinity;
    shown.forEach(function (item) { oldest = Math.min(oldest, +item.dataset.position); });
    var added = [];
    link.setAttribute("aria-busy", "true");

    function wanted(item) {
      return until ? +item.dataset.position >= until && added.length < MAX_RESTORED : added.length < PER_CLICK;
    }
    function take(url) {
      return fetchDocument(url).then(function (doc) {
        var left = 0;
        doc.querySelectorAll("[data-feed-list] [data-position]").forEach(function (item) {
          if (+item.dataset.position >= oldest) return;
          if (wanted(item)) added.push(item); else left++;
        });
        var older = doc.querySelector("[data-show-more]");
        if (!left && older && (until ? added.length < MAX_RESTORED : added.length < PER_CLICK)) {
          return take(older.getAttribute("href"));
        }
        if (!added.length) return older ? older.getAttribute("href") : null;
        // The next click starts on the page that holds the oldest story added now.
        return (left || older) ? pageUrl(+added[added.length - 1].dataset.position) : null;
      });
    }
    function pageUrl(position) {
      return "/page/" + (Math.floor((position - 1) / pageSize) + 1) + "/";
    }

    return take(link.getAttribute("href")).then(function (nextUrl) {
      added.forEach(function (item) { list.appendChild(document.importNode(item, true)); });
      dayHeadings(list);
      link.removeAttribute("aria-busy");
      if (nextUrl) link.setAttribute("href", nextUrl); else link.parentNode.remove();
      if (root.hasAttribute("data-feed-place") && added.length) rememberPlace(list);
      if (until) return;
      announce(added.length + " more stories loaded");
      var firstNew = list.querySelectorAll("[data-position]")[shown.length];
      var firstLink = firstNew && firstNew.querySelector(".feed-item__headline a");
      if (firstLink) firstLink.focus({ preventScroll: true });
    }).catch(function () {
      link.removeAttribute("aria-busy");
      if (!until) window.location.href = link.getAttribute("href");
    });
  }

  // --- The reader's place ---------------------------------------------------------------------------------------
  // After Show More the News Feed's URL names the oldest story shown (/#until-52; a fragment, so the file served
  // and every cache stay the same), and the history entry keeps the scroll position. Back, a reload or a shared
  // link loads the same stories again and returns to that place. Feed positions never change, so the fragment
  // stays true when news arrives; new stories simply appear above.
  var PLACE = /^#until-(\d+)$/;
  var MAX_RESTORED = 300;  // a hand-made #until-1 on a large archive loads at most this many stories

  // The page restores the place itself. The mode belongs to the history entry, so it is set before leaving: set on
  // return it is too late, the browser's own (smooth) restoration has begun and ends tens of pixels off.
  function manualScrollRestoration() {
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  }

  function rememberPlace(list) {
    var items = list.querySelectorAll("[data-position]");
    var oldest = items[items.length - 1].dataset.position;
    history.replaceState(Object.assign({}, history.state), "", "#until-" + oldest);
    manualScrollRestoration();
  }

  function rememberScroll() {
    if (!PLACE.test(location.hash)) return;
    history.replaceState(Object.assign({}, history.state, { scrollY: window.scrollY }), "");
  }

  function restorePlace() {
    var root = document.querySelector("[data-feed-place]"), match = PLACE.exec(location.hash);
    if (!root || !match) return;
    var link = root.querySelector("[data-show-more]"), until = +match[1];
    var items = root.querySelectorAll("[data-feed-list] [data-position]");
    if (!link || !items.length || +items[items.length - 1].dataset.position <= until) return;
    manualScrollRestoration();  // for a reload of a shared link's entry, which this page did not make
    showMore(link, until).then(function () {
      var state = history.state || {};
      if (typeof state.scrollY === "number") {
        window.scrollTo({ top: state.scrollY, behavior: "instant" });
      } else {
        var place = root.querySelector('[data-position="' + until + '"]');
        if (place) place.scrollIntoView({ block: "center", behavior: "instant" });
      }
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-show-more]");
    if (!link || !link.closest("[data-feed-root]")) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") !== "true") showMore(link);
  });
  // Show More is announced as a button (role="button"), so Space presses it too, as it would a real button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== " " || event.repeat) return;
    var link = event.target.closest && event.target.closest("[data-feed-root] [data-show-more][role=button]");
    if (!link) return;
    event.preventDefault();  // no page scroll
    link.click();
  });

  window.addEventListener("pagehide", rememberScroll);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a[href]")) rememberScroll();
  }, true);

  function markFeedRoots(scope) {
    scope.querySelectorAll("[data-feed-list]").forEach(function (list) {
      list.parentNode.setAttribute("data-feed-root", "");
      var more = list.parentNode.querySelector("[data-show-more]");
      if (more) more.setAttribute("role", "button");
    });
  }

  function loadWidget(body) {
    fetch(body.dataset.feedWidget, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      body.innerHTML = html;  // a same-origin fragment rendered by Bulletin; CSP forbids inline script in it
      markFeedRoots(body);
      body.querySelectorAll("[data-feed-list]").forEach(dayHeadings);
      startLive();
    }).catch(function () { startLive(); /* the link to the News Feed stays */ });
  }

  // --- Live News Feed ------------------------------------------------------------------------------------------
  // Lists marked data-live (the News Feed and the widget) follow /live/ (server-sent events), and every page
  // follows it for the breaking-news banner (banner events go to breaking-news.js as a DOM event). When the stream
  // fails or is blocked they poll /live/latest.json, and they go back to the stream when it opens again.
  // Applying an event twice changes nothing, so the two paths may overlap.
  var STREAM = "/live/", POLL = "/live/latest.json", POLL_EVERY = 3000, REOPEN_AFTER = 30000;
  var live = { started: false, resume: false, lastId: 0, stream: null, poller: null, baseTitle: document.title };
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function liveLists() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-feed-list][data-live]"));
  }

  function itemFor(list, message) {
    var html = list.classList.contains("feed-list--compact") ? message.html_compact : message.html;
    return document.importNode(parse("<ol>" + html + "</ol>").querySelector("li"), true);
  }

  // Readers who have not scrolled past the top of a list see new stories appear in it; others get a button.
  function atTop(list) {
    return list.getBoundingClientRect().top >= 0;
  }

  // Items are ordered by feed position, newest first; a story older than every one shown belongs to an older page.
  function insert(list, item) {
    var position = +item.dataset.position, items = list.querySelectorAll("[data-position]");
    for (var i = 0; i < items.length; i++) {
      if (+items[i].dataset.position < position) return list.insertBefore(item, items[i]);
    }
    if (items.length) return null;
    var empty = list.querySelector(".feed-list__empty");
    if (empty) empty.remove();
    return list.appendChild(item);
  }

  function liveButton(list) {
    if (!list.liveButton) {
      var button = list.liveButton = document.createElement("button");
      button.type = "button";
      button.className = "button live-button";
      button.hidden = true;
      button.addEventListener("click", function () { showQueued(list, true); });
      // The holder takes no room in the page, so showing the button moves nothing the reader is looking at.
      var holder = document.createElement("div");
      holder.className = "live-notice";
      holder.appendChild(button);
      list.parentNode.insertBefore(holder, list);
      list.queued = [];
    }
    return list.liveButton;
  }

  function showQueued(list, moveThere) {
    var queued = list.queued || [], shown = [];
    list.queued = [];
    queued.forEach(function (item) { if (insert(list, item)) shown.push(item); });
    dayHeadings(list);
    liveButton(list).hidden = true;
    updateTitle();
    if (!moveThere || !shown.length) return;
    list.scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth", block: "start" });
    var first = list.querySelector("[data-position] .feed-item__headline a");
    if (first) first.focus({ preventScroll: true });
    announce(shown.length === 1 ? "1 new story shown" : shown.length + " new stories shown");
  }

  function updateTitle() {
    var unseen = 0;
    liveLists().forEach(function (list) { unseen += (list.queued || []).length; });
    document.title = unseen ? "(" + unseen + ") " + live.baseTitle : live.baseTitle;
    liveLists().forEach(function (list) {
      var count = (list.queued || []).length;
      if (!count) return;
      var button = liveButton(list);
      button.textContent = count === 1 ? "1 new story" : count + " new stories";
      button.hidden = false;
    });
  }

  function apply(list, message) {
    var story = message.story;
    var shown = list.querySelector('[data-story="' + story.id + '"]');
    var queued = (list.queued || []).filter(function (item) { return item.dataset.story === String(story.id); });
    if (message.type === "unpublished") {  // carries the story's id only: its headline is read from the page
      if (queued.length) list.queued.splice(list.queued.indexOf(queued[0]), 1);
      if (!shown) return null;
      var headline = shown.querySelector(".feed-item__headline");
      shown.remove();
      return "Removed: " + (headline ? headline.textContent.trim() : "a story");
    }
    var item = itemFor(list, message);
    if (message.type === "updated") {
      if (queued.length) list.queued[list.queued.indexOf(queued[0])] = item;
      if (!shown) return null;
      shown.replaceWith(item);
      return "Updated: " + story.headline;
    }
    if (shown || queued.length) return null;
    item.classList.add("feed-item--new");
    if (atTop(list)) return insert(list, item) ? "New story: " + story.headline : null;
    liveButton(list);
    list.queued.push(item);
    return list.queued.length === 1 ? "1 new story: use the new stories button to show it"
      : list.queued.length + " new stories: use the new stories button to show them";
  }

  function receive(message) {
    if (message && message.type === "banner") {  // breaking-news.js shows it
      live.lastId = Math.max(live.lastId, message.id);
      document.dispatchEvent(new CustomEvent("bulletin:banner", { detail: message }));
      return;
    }
    if (!message || !message.story || message.topic) return;  // a topic's events are a live blog's entries
    live.lastId = Math.max(live.lastId, message.id);
    var said = [];
    liveLists().forEach(function (list) {
      var text = apply(list, message);
      if (text && said.indexOf(text) < 0) said.push(text);
    });
    liveLists().forEach(dayHeadings);
    updateTitle();
    if (said.length) announce(said.join(". "));
  }

  function openStream() {
    if (!window.EventSource) return startPolling();
    // A page without a live list (a story, a section) has nothing to catch up on but the banner, which it reads
    // from banner.json on every opening: it asks for no replay until it has received an event.
    var resume = live.resume || live.lastId;
    var stream = live.stream = new EventSource(resume ? STREAM + "?last=" + live.lastId : STREAM);
    stream.onopen = function () {
      stopPolling();
      document.dispatchEvent(new CustomEvent("bulletin:live-open"));
    };
    stream.onmessage = function (event) { receive(JSON.parse(event.data)); };
    stream.onerror = function () {
      startPolling();
      if (stream.readyState === EventSource.CLOSED) {  // refused for good (an error status): try again later
        live.stream = null;
        setTimeout(openStream, REOPEN_AFTER);
      }
    };
  }

  function poll() {
    fetch(POLL, { cache: "no-cache", credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : { events: [] };
    }).then(function (data) {
      data.events.forEach(function (message) { if (message.id > live.lastId) receive(message); });
    }).catch(function () { /* offline: try again on the next tick */ });
  }

  function startPolling() {
    if (live.poller) return;
    poll();
    live.poller = setInterval(poll, POLL_EVERY);
  }

  function stopPolling() {
    clearInterval(live.poller);
    live.poller = null;
  }

  function startLive() {
    var lists = liveLists();
    lists.forEach(function (list) { live.lastId = Math.max(live.lastId, +list.dataset.live || 0); });
    live.resume = live.resume || lists.length > 0;
    // Every page follows the live channel for the breaking-news banner (breaking-news.js), not only live lists.
    if (live.started || !(lists.length || document.querySelector("[data-breaking-news]"))) return;
    live.started = true;
    openStream();
    window.addEventListener("scroll", function () {
      liveLists().forEach(function (list) { if ((list.queued || []).length && atTop(list)) showQueued(list, false); });
    }, { passive: true });
  }

  markFeedRoots(document);
  document.querySelectorAll("[data-feed-list]").forEach(dayHeadings);
  var widgets = document.querySelectorAll("[data-feed-widget]");
  widgets.forEach(loadWidget);
  restorePlace();
  if (!widgets.length) startLive();  // else once the widget is in, so the stream resumes from the widget's event
})();
