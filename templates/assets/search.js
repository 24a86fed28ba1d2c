// The search page: Pagefind's interface over the index in pagefind/, opened
// with the words of ?q= (what the search box of every page sends). A result's
// sub-results are its quotes: each links to its passage, #<quote-id>.
// The index is in parts named by their dates (pagefind/2023/, or, for a year
// of many briefings, pagefind/2023-h1/, 2023-q1/ or 2023-01/; newest first in
// data-parts): the newest is opened and the others are merged into it, so
// that one search, its filters and its results cover them all.
(function () {
  "use strict";
  var box = document.getElementById("search");
  document.getElementById("search-needs-script").hidden = true;
  if (typeof PagefindUI === "undefined") {
    document.getElementById("search-missing").hidden = false;
    return;
  }
  // Pagefind's URLs start at the root of the site: the site may live in a sub-folder.
  var base = new URL(box.dataset.root, window.location.href).pathname;
  var bundles = box.dataset.parts.split(" ").map(function (part) {
    return new URL(box.dataset.index + part + "/", window.location.href).pathname;
  });
  // The length of the excerpts, the same for every part: Pagefind's interface
  // sets it for the index it opens (12 words, with sub-results) and leaves
  // those merged into it at their own (30).
  var excerptLength = 12;

  // The quotes of a page (elements mark[data-quote]), each with the hits on
  // its words: Pagefind's own sub-results are the page's headings.
  function quoteResults(result) {
    var marks = result.anchors.filter(function (a) {
      return a.element === "mark";
    }).sort(function (a, b) { return a.location - b.location; });
    var words = result.content.split(/\s+/);
    var found = [];
    marks.forEach(function (mark, n) {
      var length = (mark.text || "").split(/\s+/).filter(Boolean).length || 1;
      var end = Math.min(mark.location + length, n + 1 < marks.length ? marks[n + 1].location : Infinity);
      var hits = result.locations.filter(function (l) { return l >= mark.location && l < end; });
      if (!hits.length) return;
      var excerpt = words.slice(mark.location, end).map(function (word, i) {
        var safe = word.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        return hits.indexOf(mark.location + i) >= 0 ? "<mark>" + safe + "</mark>" : safe;
      });
      var opening = (mark.text || "").split(/\s+/).slice(0, 8).join(" ");
      found.push({title: "Quote: " + opening + (length > 8 ? "…" : ""), url: result.url + "#" + mark.id, anchor: mark,
                  locations: hits, excerpt: excerpt.join(" ")});
    });
    return found;
  }

  var ui = new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    bundlePath: bundles[0],
    baseUrl: base,
    excerptLength: excerptLength,
    mergeIndex: bundles.slice(1).map(function (bundle) {
      return {bundlePath: bundle, baseUrl: base, excerptLength: excerptLength};
    }),
    processResult: function (result) {
      var quotes = quoteResults(result);
      if (quotes.length) result.sub_results = quotes;
      return result;
    },
  });
  // The page's heading names the box (Pagefind's has a placeholder and a title only).
  var input = box.querySelector(".pagefind-ui__search-input");
  if (input) input.setAttribute("aria-labelledby", "search-title");
  var words = new URLSearchParams(window.location.search).get("q");
  if (words) ui.triggerSearch(words);
})();
