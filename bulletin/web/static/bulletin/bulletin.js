// Bulletin reader script: loads the shared News Feed widget and makes "Show More" append stories in place.
// No framework. Without JavaScript the widget is a link to the News Feed and "Show More" a link to the next page.
(function () {
  "use strict";
  var PER_CLICK = 10;  // stories appended per click

  function announce(text) {
    var region = document.querySelector("[data-announcer]");
    if (region) region.textContent = text;
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
  // take stories older than the oldest one shown, walking to older pages until PER_CLICK are found.
  function showMore(link) {
    var list = link.closest("[data-feed-root]").querySelector("[data-feed-list]");
    var shown = list.querySelectorAll("[data-position]");
    var pageSize = +list.dataset.pageSize;
    var oldest = Infinity;
    shown.forEach(function (item) { oldest = Math.min(oldest, +item.dataset.position); });
    var added = [];
    link.setAttribute("aria-busy", "true");

    function take(url) {
      return fetchDocument(url).then(function (doc) {
        var left = 0;
        doc.querySelectorAll("[data-feed-list] [data-position]").forEach(function (item) {
          if (+item.dataset.position >= oldest) return;
          if (added.length < PER_CLICK) added.push(item); else left++;
        });
        var older = doc.querySelector("[data-show-more]");
        if (added.length < PER_CLICK && older) return take(older.getAttribute("href"));
        // The next click starts on the page that holds the oldest story added now.
        return (left || older) ? pageUrl(+added[added.length - 1].dataset.position) : null;
      });
    }
    function pageUrl(position) {
      return "/page/" + (Math.floor((position - 1) / pageSize) + 1) + "/";
    }

    take(link.getAttribute("href")).then(function (nextUrl) {
      added.forEach(function (item) { list.appendChild(document.importNode(item, true)); });
      link.removeAttribute("aria-busy");
      if (nextUrl) link.setAttribute("href", nextUrl); else link.parentNode.remove();
      announce(added.length + " more stories loaded");
      var firstNew = list.querySelectorAll("[data-position]")[shown.length];
      var firstLink = firstNew && firstNew.querySelector("a");
      if (firstLink) firstLink.focus({ preventScroll: true });
    }).catch(function () {
      window.location.href = link.getAttribute("href");
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
    }).catch(function () { /* the link to the News Feed stays */ });
  }

  markFeedRoots(document);
  document.querySelectorAll("[data-feed-widget]").forEach(loadWidget);
})();
