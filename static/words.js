// The interface's words in the reader's language, for every script: read once from the page's
// JSON data block (templates/_ui_words.html), English when a word or the block is missing.
// Loaded in <head> before the other scripts, which reach it as window.kbWords.
(function () {
  "use strict";

  var WORDS = null;
  function words() {
    if (WORDS === null) {
      var block = document.getElementById("kb-ui-words");
      try {
        WORDS = block ? JSON.parse(block.textContent) : {};
      } catch (e) {
        WORDS = {};
      }
    }
    return WORDS;
  }

  // Fill %(name)s placeholders, as the catalogs write them.
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  function say(key, english, values) {
    var text = words()[key];
    return fill(typeof text === "string" ? text : english, values || {});
  }

  // A count's words by the language's own plural rule (French says "1 page", "0 page").
  function sayCount(key, english, count, values) {
    var forms = words()[key] || english;
    var rule = "other";
    try {
      rule = new Intl.PluralRules(words().lang || "en").select(count);
    } catch (e) {
      rule = count === 1 ? "one" : "other";
    }
    var text = forms[rule] || forms.other || english.other;
    values = values || {};
    values.num = count;
    return fill(text, values);
  }

  window.kbWords = { words: words, say: say, sayCount: sayCount };
})();
