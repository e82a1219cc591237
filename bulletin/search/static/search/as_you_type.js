// As-you-type results on /search/: a progressive enhancement. Without it the form submits as usual.
// Fetches /search/search.json as the reader types (after a pause) and lists the first results as plain links
// under the field; the status line tells screen readers how many there are.
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var list = document.querySelector("[data-search-suggestions]");
  var status = document.querySelector("[data-search-suggestions-status]");
  var timer = null;
  var latest = 0;

  function clear() {
    list.replaceChildren();
    list.hidden = true;
  }

  function show(data) {
    clear();
    data.results.slice(0, 5).forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.innerHTML = result.title_html; // escaped on the server, with <mark> around the matched words
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = data.results.length === 0;
    status.textContent = data.results.length
      ? (data.more ? "More than " + data.total : data.total) + " stories match. The first are listed under the field."
      : "No stories match yet.";
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 3) {
      clear();
      return;
    }
    timer = setTimeout(function () {
      var asked = ++latest;
      fetch("/search/search.json?q=" + encodeURIComponent(input.value), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && asked === latest) show(data); })
        .catch(function () { /* the form still works */ });
    }, 250);
  });
})();
