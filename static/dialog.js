// kb search dialog: search from any page without leaving it. Ctrl/Cmd-K or "/" opens a modal
// combobox; results come from /api/search as you type; arrows choose, Enter opens, Esc closes.
// Enter with no result chosen goes to the full /search page, which works without JavaScript.
(function () {
  "use strict";

  var DIALOG_ID = "kb-search-dialog";
  var DELAY_MS = 120;
  var timer = null;
  var sequence = 0;
  var controller = null;

  // The interface's words, shared by every script (static/words.js).
  var words = window.kbWords.words;
  var say = window.kbWords.say;
  var sayCount = window.kbWords.sayCount;

  function parts() {
    var dialog = document.getElementById(DIALOG_ID);
    if (!dialog || typeof dialog.showModal !== "function") {
      return null;
    }
    return {
      dialog: dialog,
      input: dialog.querySelector(".kb-sd-input"),
      list: dialog.querySelector(".kb-sd-list"),
      status: dialog.querySelector(".kb-sd-status"),
      all: dialog.querySelector(".kb-sd-all"),
    };
  }

  function isEditable(element) {
    if (!element || element === document.body) {
      return false;
    }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function activeIndex(p) {
    var id = p.input.getAttribute("aria-activedescendant");
    return options(p).findIndex(function (option) {
      return option.id === id;
    });
  }

  function setActive(p, index) {
    var all = options(p);
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index < 0 || !all[index]) {
      p.input.removeAttribute("aria-activedescendant");
      return;
    }
    p.input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  // The snippet is HTML with <mark> around the matched words: keep the marks, text for the rest.
  function appendSnippet(target, html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.appendChild(mark);
      } else {
        target.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function hitHref(hit) {
    return hit.anchor ? hit.url + "#" + encodeURIComponent(hit.anchor) : hit.url;
  }

  function optionFor(hit, index) {
    var item = document.createElement("li");
    item.id = "kb-sd-option-" + index;
    item.className = "kb-sd-option";
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    // No link inside: an option is itself the control (a listbox holds no nested ones).
    item.setAttribute("data-href", hitHref(hit));
    var link = document.createElement("span");
    link.className = "kb-sd-card";
    var title = document.createElement("span");
    title.className = "kb-sd-title";
    title.textContent = hit.title;
    link.appendChild(title);
    if (hit.heading && hit.heading !== hit.title) {
      var heading = document.createElement("span");
      heading.className = "kb-sd-heading";
      heading.textContent = " › " + hit.heading;
      title.appendChild(heading);
    }
    var where = document.createElement("span");
    where.className = "kb-sd-where";
    where.textContent = hit.kind === "term" ? say("glossary", "Glossary") : hit.url.replace(/^\/|\/$/g, "").split("/").join(" › ");
    link.appendChild(where);
    if (hit.snippet) {
      var snippet = document.createElement("span");
      snippet.className = "kb-sd-snippet";
      appendSnippet(snippet, hit.snippet);
      link.appendChild(snippet);
    }
    item.appendChild(link);
    return item;
  }

  function show(p, query, data) {
    p.list.textContent = "";
    data.results.forEach(function (hit, index) {
      p.list.appendChild(optionFor(hit, index));
    });
    var count = data.results.length;
    p.list.hidden = count === 0;
    p.input.setAttribute("aria-expanded", count ? "true" : "false");
    setActive(p, -1);
    if (count) {
      p.status.textContent = data.total > count
        ? sayCount("foundOf", { one: "%(shown)s of %(num)s page found.", other: "%(shown)s of %(num)s pages found." }, data.total, { shown: count })
        : sayCount("found", { one: "%(num)s page found.", other: "%(num)s pages found." }, data.total);
    } else {
      // The API explains in English; readers of another language get the short sentence.
      var apiSpeaks = words().apiSpeaks !== false;
      p.status.textContent = (apiSpeaks && data.message) || say("noMatch", "No pages match \u2018%(query)s\u2019.", { query: query });
    }
  }

  function clear(p) {
    p.list.textContent = "";
    p.list.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    setActive(p, -1);
    p.status.textContent = "";
  }

  function allResultsLink(p, query) {
    var base = p.all.getAttribute("href").split("?")[0];
    p.all.setAttribute("href", query ? base + "?q=" + encodeURIComponent(query) : base);
  }

  function run(p) {
    var query = p.input.value.trim();
    allResultsLink(p, query);
    if (controller) {
      controller.abort();
    }
    if (!query) {
      clear(p);
      return;
    }
    var mine = ++sequence;
    controller = window.AbortController ? new AbortController() : null;
    var url = p.dialog.getAttribute("data-api") + "?limit=" + p.dialog.getAttribute("data-limit") +
      "&q=" + encodeURIComponent(query);
    p.status.textContent = say("searching", "Searching\u2026");
    fetch(url, { headers: { Accept: "application/json" }, signal: controller && controller.signal })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            throw new Error((words().apiSpeaks !== false && (data.error || data.message)) || say("failed", "Search failed."));
          }
          return data;
        });
      })
      .then(function (data) {
        if (mine === sequence) {
          show(p, query, data);
        }
      })
      .catch(function (error) {
        if (mine === sequence && error.name !== "AbortError") {
          clear(p);
          p.status.textContent = error.message + " " + say("openFull", "Press Enter to open the full search page.");
        }
      });
  }

  function open() {
    var p = parts();
    if (!p || p.dialog.open) {
      return;
    }
    p.dialog.showModal();
    p.input.focus();
    p.input.select();
    if (p.input.value.trim()) {
      run(p);
    }
  }

  function move(p, step) {
    var count = options(p).length;
    if (!count) {
      return;
    }
    var index = activeIndex(p);
    if (index === -1) {
      index = step > 0 ? 0 : count - 1;
    } else {
      index = (index + step + count) % count;
    }
    setActive(p, index);
  }

  function onInputKey(p, event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(p, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      var chosen = options(p)[activeIndex(p)];
      if (chosen) {
        event.preventDefault();
        window.location.assign(chosen.getAttribute("data-href"));
      } else if (!p.input.value.trim()) {
        event.preventDefault();
      }
    } else if (event.key === "Escape") {
      // A search input would clear itself first; Esc closes the dialog in one press.
      event.preventDefault();
      p.dialog.close();
    }
  }

  function wire() {
    var p = parts();
    if (!p || p.dialog.hasAttribute("data-wired")) {
      return;
    }
    p.dialog.setAttribute("data-wired", "");
    p.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        run(p);
      }, DELAY_MS);
    });
    p.input.addEventListener("keydown", function (event) {
      onInputKey(p, event);
    });
    p.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        window.location.assign(option.getAttribute("data-href"));
      }
    });
    p.list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      var index = options(p).indexOf(option);
      if (option && index !== activeIndex(p)) {
        setActive(p, index);
      }
    });
    p.dialog.querySelector(".kb-sd-close").addEventListener("click", function () {
      p.dialog.close();
    });
    // A click on the backdrop lands on the dialog element itself, outside its box.
    p.dialog.addEventListener("click", function (event) {
      var box = p.dialog.getBoundingClientRect();
      var inside = event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (event.target === p.dialog && !inside) {
        p.dialog.close();
      }
    });
  }

  function onSearchPage() {
    return document.getElementById("kb-results") !== null || /^\/search\/?$/.test(location.pathname);
  }

  // Capture phase, so this runs before search.js, which takes "/" for the header box on /search.
  document.addEventListener(
    "keydown",
    function (event) {
      if (event.defaultPrevented || event.altKey) {
        return;
      }
      var key = event.key && event.key.toLowerCase();
      if (key === "k" && (event.ctrlKey || event.metaKey) && !event.shiftKey) {
        event.preventDefault();
        var p = parts();
        if (p && p.dialog.open) {
          p.dialog.close();
        } else {
          open();
        }
      } else if (
        event.key === "/" && !event.ctrlKey && !event.metaKey &&
        !isEditable(document.activeElement) && !onSearchPage()
      ) {
        event.preventDefault();
        open();
      }
    },
    true
  );

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
  document.addEventListener("htmx:load", wire);
})();
