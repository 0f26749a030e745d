// kb page view enhancements. Everything works without this file: tab panels are stacked with
// their titles, tooltips open with CSS on hover and focus, the table of contents is a list.
// With it: keyboard-accessible tabs, Escape closes a tooltip, tooltips stay on screen, the
// table of contents follows the reading position, code blocks get a copy button.
// No inline handlers or styles: the CSP forbids them.
(function () {
  "use strict";

  // The interface's words, shared by every script (static/words.js).
  var say = window.kbWords.say;

  var uid = 0;

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  // ---- Tabs (WAI-ARIA tabs pattern, automatic activation) ----
  function selectTab(tabs, panels, index, focus) {
    tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (focus) {
      tabs[index].focus();
    }
  }

  function enhanceTabs(group) {
    var panels = Array.prototype.filter.call(group.children, function (child) {
      return child.classList.contains("kb-tab-panel");
    });
    if (panels.length < 2 || group.hasAttribute("data-kb-tabs")) {
      return;
    }
    group.setAttribute("data-kb-tabs", "");
    var list = document.createElement("div");
    list.className = "kb-tablist";
    list.setAttribute("role", "tablist");
    var tabs = panels.map(function (panel, i) {
      var title = panel.querySelector(":scope > .kb-tab-title");
      var id = "kb-tabs-" + ++uid;
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", id + "-panel");
      tab.textContent = title ? title.textContent.trim() : say("tab", "Tab %(number)s", { number: i + 1 });
      panel.id = id + "-panel";
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      list.appendChild(tab);
      return tab;
    });
    group.insertBefore(list, group.firstChild);
    list.addEventListener("click", function (event) {
      var index = tabs.indexOf(event.target.closest("[role=tab]"));
      if (index >= 0) {
        selectTab(tabs, panels, index, false);
      }
    });
    list.addEventListener("keydown", function (event) {
      var current = tabs.indexOf(document.activeElement);
      var next = {
        ArrowRight: current + 1,
        ArrowLeft: current - 1,
        Home: 0,
        End: tabs.length - 1,
      }[event.key];
      if (current < 0 || next === undefined) {
        return;
      }
      event.preventDefault();
      selectTab(tabs, panels, (next + tabs.length) % tabs.length, true);
    });
    selectTab(tabs, panels, 0, false);
  }

  // The id a #hash names; a malformed escape ("#%E0%A4%A") is taken literally, never thrown.
  function idFromHash(hash) {
    var raw = (hash || "").slice(1);
    try {
      return decodeURIComponent(raw);
    } catch (error) {
      return raw;
    }
  }

  // A link to a heading inside a hidden tab panel opens that tab first.
  function revealTarget(id) {
    var target = id && document.getElementById(id);
    var panel = target && target.closest(".kb-tab-panel[hidden]");
    if (!panel) {
      return;
    }
    var tab = document.getElementById(panel.getAttribute("aria-labelledby"));
    if (tab) {
      tab.click();
      target.scrollIntoView();
    }
  }

  window.addEventListener("hashchange", function () {
    revealTarget(idFromHash(location.hash));
  });

  // ---- Tooltips: keep them inside the viewport; Escape dismisses (WCAG 1.4.13) ----
  function placeTip(term) {
    var tip = term.querySelector(":scope > .kb-tip");
    if (!tip) {
      return;
    }
    tip.style.left = "";
    var box = tip.getBoundingClientRect();
    var overflow = box.right - (document.documentElement.clientWidth - 8);
    if (overflow > 0) {
      tip.style.left = -Math.min(overflow, box.left - 8) + "px";
    }
  }

  function onTermEnter(event) {
    var term = event.target.closest && event.target.closest(".kb-term");
    if (term) {
      term.classList.remove("kb-tip-dismissed");
      placeTip(term);
    }
  }

  document.addEventListener("mouseover", onTermEnter);
  document.addEventListener("focusin", onTermEnter);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    each(document, ".kb-term:hover, .kb-term:focus-within", function (term) {
      term.classList.add("kb-tip-dismissed");
    });
  });

  // ---- Table of contents: collapsed on narrow screens, follows the reading position ----
  // One observer at a time: it is disconnected when its headings leave the page (an htmx swap of
  // #main), when a new table of contents replaces it, and when the page is hidden.
  var tocObserver = null;
  var tocTargets = [];

  function forgetToc(always) {
    var attached = tocTargets.some(function (target) {
      return document.contains(target);
    });
    if (tocObserver && (always || !attached)) {
      tocObserver.disconnect();
      tocObserver = null;
      tocTargets = [];
    }
  }

  function followToc(root) {
    var toc = root.querySelector(".kb-toc");
    if (!toc) {
      return;
    }
    forgetToc(true);
    if (window.matchMedia("(max-width: 1079px)").matches) {
      toc.open = false;
    }
    var links = Array.prototype.slice.call(toc.querySelectorAll("a[href^='#']"));
    var targets = links
      .map(function (link) {
        return document.getElementById(idFromHash(link.hash));
      })
      .filter(Boolean);
    if (!targets.length || !("IntersectionObserver" in window)) {
      return;
    }
    var observer = new IntersectionObserver(
      function () {
        var current = targets[0];
        targets.forEach(function (target) {
          var box = target.getBoundingClientRect();
          // Headings in hidden tab panels have an empty box: they are not where the reader is.
          if (box.height > 0 && box.top < 120) {
            current = target;
          }
        });
        links.forEach(function (link) {
          var on = idFromHash(link.hash) === current.id;
          if (on) {
            link.setAttribute("aria-current", "true");
          } else {
            link.removeAttribute("aria-current");
          }
        });
      },
      { rootMargin: "0px 0px -70% 0px" }
    );
    targets.forEach(function (target) {
      observer.observe(target);
    });
    tocObserver = observer;
    tocTargets = targets;
  }

  // ---- Copy buttons on code blocks ----
  // navigator.clipboard exists only in secure contexts: a kb served over plain HTTP on a LAN host
  // has none, so copy through a hidden textarea there.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "kb-copy-buffer";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      document.body.removeChild(area);
      (copied ? resolve : reject)();
    });
  }

  // When no way of copying works, select the code so the reader can copy it by hand.
  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function flash(button, text) {
    button.textContent = text;
    setTimeout(function () {
      button.textContent = say("copy", "Copy");
    }, 1500);
  }

  function addCopyButton(block) {
    var pre = block.querySelector("pre");
    if (!pre || block.querySelector(".kb-code-copy")) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "kb-code-copy";
    button.textContent = say("copy", "Copy");
    button.addEventListener("click", function () {
      copyText(pre.textContent).then(
        function () {
          flash(button, say("copied", "Copied"));
        },
        function () {
          flash(button, say("pressCopy", "Press Ctrl+C"));
          selectContents(pre);
        }
      );
    });
    block.insertBefore(button, block.firstChild);
  }

  // A long code line scrolls its block sideways: keyboard readers need a tab stop to scroll it
  // (WCAG 2.1.1).
  function makeFocusable(pre) {
    if (!pre.hasAttribute("tabindex")) {
      pre.tabIndex = 0;
    }
  }

  function enhance(root) {
    each(root, ".kb-content .kb-tabs", enhanceTabs);
    each(root, ".kb-content .kb-code", addCopyButton);
    each(root, ".kb-content pre", makeFocusable);
    followToc(root);
    if (root === document && location.hash) {
      revealTarget(idFromHash(location.hash));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
  // htmx swaps (search results into #main, history restores) bring new content.
  document.addEventListener("htmx:load", function (event) {
    forgetToc(false);
    if (event.target && event.target.querySelectorAll && event.target !== document.body) {
      enhance(event.target);
    }
  });
  window.addEventListener("pagehide", function () {
    forgetToc(true);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      followToc(document); // back from the page cache, where pagehide disconnected it
    }
  });
})();
