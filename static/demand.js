// kb search demand: log the query a reader settled on, not every keystroke.
// Every request the search box sends through htmx carries the KB-Search-Deferred header, and
// the server does not log it; instead, the box reports the settled query once to the form's
// data-settled-url: after a pause in typing (SETTLE_MS), at once for Enter or the Search button,
// or when the reader leaves the page before the pause ends. The same query is not reported
// twice in a row (Enter fires both "search" and "submit").
(function () {
  "use strict";
  var SETTLE_MS = 1500;
  var timer = null;
  var lastLogged = null;

  function form() {
    return document.querySelector("form.kb-search[data-settled-url]");
  }

  function currentQuery() {
    var box = document.getElementById("kb-q");
    return box ? box.value.trim() : "";
  }

  function sendSettled() {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    var f = form();
    var q = currentQuery();
    if (!f || !q || q === lastLogged) return;
    lastLogged = q;
    var url = f.getAttribute("data-settled-url") + "?q=" + encodeURIComponent(q);
    if (navigator.sendBeacon) {
      navigator.sendBeacon(url);
    } else {
      fetch(url, { method: "POST", keepalive: true });
    }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var f = form();
    if (!f || !f.contains(detail.elt)) return;
    detail.headers["KB-Search-Deferred"] = "1";
    var typed = detail.triggeringEvent && detail.triggeringEvent.type === "input";
    if (typed) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(sendSettled, SETTLE_MS);
    } else {
      sendSettled();
    }
  });

  // A reader who clicks a result before the pause ends still settled on that query.
  window.addEventListener("pagehide", function () {
    if (timer) sendSettled();
  });
})();
