// kb theme: light, dark, or the system's choice. Loaded in <head> without defer, so the stored
// choice is on <html data-theme> before the first paint and no page flashes the wrong colours.
// The stylesheets do the rest with light-dark(); without JavaScript they follow the system.
(function () {
  "use strict";

  var KEY = "kb-theme";
  var CHOICES = ["system", "light", "dark"];
  var ENGLISH = { system: "System", light: "Light", dark: "Dark" };
  var root = document.documentElement;
  // Read when a label is drawn, not at load: this script runs in <head>.
  // The interface's words, shared by every script (static/words.js).
  var words = window.kbWords.words;
  var say = window.kbWords.say;

  function themeName(choice) {
    var names = words().themes || {};
    return names[choice] || ENGLISH[choice];
  }

  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  // Storage can be missing or refused (private modes, sandboxed frames): then the choice only
  // lasts for this page.
  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return CHOICES.indexOf(value) > 0 ? value : "system";
    } catch (error) {
      return "system";
    }
  }

  function store(choice) {
    try {
      if (choice === "system") {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, choice);
      }
    } catch (error) {
      // Nothing to do: the theme still changes on this page.
    }
  }

  function current() {
    var value = root.getAttribute("data-theme");
    return CHOICES.indexOf(value) > 0 ? value : "system";
  }

  function shown(choice) {
    if (choice !== "system") {
      return choice;
    }
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  // Each press changes what the reader sees first: from the system's theme to the other one,
  // then to the system's theme chosen for good, then back to following the system.
  function following(choice) {
    var system = shown("system");
    var other = system === "dark" ? "light" : "dark";
    if (choice === "system") {
      return other;
    }
    return choice === other ? system : "system";
  }

  function label(button) {
    var choice = current();
    var next = following(choice);
    var text = choice === "system"
      ? say("themeSystem", "Theme: %(theme)s (%(shown)s)", { theme: themeName(choice), shown: themeName(shown(choice)).toLowerCase() })
      : say("themeNow", "Theme: %(theme)s", { theme: themeName(choice) });
    var switchTo = say("themeSwitch", "%(now)s. Switch to %(next)s", { now: text, next: themeName(next).toLowerCase() });
    button.setAttribute("aria-label", switchTo);
    button.title = text;
    button.setAttribute("data-choice", choice);
    button.setAttribute("data-shown", shown(choice));
  }

  function refreshButtons() {
    var buttons = document.querySelectorAll(".kb-theme-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      label(buttons[i]);
    }
  }

  function apply(choice) {
    if (choice === "system") {
      root.removeAttribute("data-theme");
    } else {
      root.setAttribute("data-theme", choice);
    }
    refreshButtons();
  }

  apply(stored());

  // Delegated, so the button keeps working after htmx restores the body from history.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".kb-theme-toggle");
    if (!button) {
      return;
    }
    var next = following(current());
    store(next);
    apply(next);
  });

  // Another tab changed the theme, or the system did while the choice is "system".
  window.addEventListener("storage", function (event) {
    if (event.key === KEY || event.key === null) {
      apply(stored());
    }
  });
  if (darkQuery && darkQuery.addEventListener) {
    darkQuery.addEventListener("change", refreshButtons);
  }
  document.addEventListener("DOMContentLoaded", refreshButtons);
  document.addEventListener("htmx:load", refreshButtons);
})();
