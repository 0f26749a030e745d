// kb search: keyboard shortcuts and screen-reader announcements for the header search box.
// Everything is delegated from document, so it keeps working after htmx swaps #main or
// restores the whole body from history. No inline handlers: the CSP forbids them.
(function () {
  "use strict";

  var INPUT_ID = "kb-q";
  var STATUS_ID = "kb-search-status";

  function searchBox() {
    return document.getElementById(INPUT_ID);
  }

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#main .kb-hit-link"));
  }

  function isEditable(element) {
    if (!element || element === document.body) {
      return false;
    }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function announce(text) {
    var status = document.getElementById(STATUS_ID);
    if (status && status.textContent !== text) {
      status.textContent = text;
    }
  }

  function moveThroughResults(event, box) {
    var links = resultLinks();
    var active = document.activeElement;
    if (!links.length) {
      return;
    }
    var down = event.key === "ArrowDown";
    if (active === box) {
      if (down) {
        event.preventDefault();
        links[0].focus();
      }
      return;
    }
    var index = links.indexOf(active);
    if (index === -1) {
      return;
    }
    event.preventDefault();
    if (down) {
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (index === 0) {
      box.focus();
    } else {
      links[index - 1].focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var box = searchBox();
    if (!box) {
      return;
    }
    if (event.key === "/" && !isEditable(document.activeElement)) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !event.shiftKey) {
      moveThroughResults(event, box);
    } else if (event.key === "Escape" && resultLinks().indexOf(document.activeElement) !== -1) {
      box.focus();
    }
  });

  // A search that could not run (503) still sends a helpful fragment: show it instead of nothing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var path = detail.pathInfo && detail.pathInfo.requestPath;
    if (detail.xhr && detail.xhr.status === 503 && path && path.indexOf("/search") === 0) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var main = document.getElementById("main");
    if (main) {
      main.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function () {
    var main = document.getElementById("main");
    if (main) {
      main.removeAttribute("aria-busy");
    }
  });

  function failed() {
    announce("Search failed. Press Enter to try again.");
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // After results arrive: announce the count, and show the query they are for (a "Did you mean"
  // click changes it) unless the reader is typing in the box right now.
  document.addEventListener("htmx:afterSwap", function () {
    var results = document.getElementById("kb-results");
    var box = searchBox();
    if (!results) {
      return;
    }
    announce(results.getAttribute("data-count-text") || "");
    var query = results.getAttribute("data-query");
    if (box && query !== null && box.value !== query && document.activeElement !== box) {
      box.value = query;
    }
  });
})();
