/* Wide tables scroll sideways inside their own box on small screens. Make that box reachable with the keyboard
   (axe: scrollable-region-focusable) once Material has wrapped the tables, on every page load. Each box is a
   region named after the nearest heading above it and numbered, so every landmark has a unique name (axe:
   landmark-unique) that also tells a screen-reader user which table it is. */
document$.subscribe(function () {
  var counts = {};
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
    if (box.hasAttribute("tabindex")) { return; }
    var heading = null;
    for (var node = box.previousElementSibling; node && !heading; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) { heading = node; }
    }
    var topic = heading ? heading.textContent.replace(/[¶#]\s*$/, "").trim() : document.title;
    counts[topic] = (counts[topic] || 0) + 1;
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Table " + counts[topic] + ": " + topic);
  });
  /* Material gives every code block a <nav> of actions (copy, select); name each one so the landmarks differ. */
  document.querySelectorAll(".md-code__nav").forEach(function (nav, index) {
    nav.setAttribute("aria-label", "Code block " + (index + 1) + " actions");
  });
});

/* Tables designed for their screen. Each cell gets its column's name (data-label), so that on a phone every row of
   a table with three or more columns is shown as a card of "name: value" pairs (atlas.css), the verdict column
   first, instead of a table wider than the screen; on a wider screen a table that still does not fit its column is
   shown the same way (data-atlas-fit="cards"). Without JavaScript the tables stay tables and scroll sideways. */
(function () {
  var LONG_TABLE_ROWS = 40, WIDE_TABLE_COLUMNS = 8;
  function label(table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (headers.length < 3 || table.hasAttribute("data-atlas-cards") || table.hasAttribute("data-atlas-scroll")) {
      return;
    }
    var rows = table.querySelectorAll("tbody tr");
    /* A long, wide reference list (every run) would be pages of cards: it scrolls sideways instead, its first
       column (what each row is) kept in view. */
    if (rows.length > LONG_TABLE_ROWS && headers.length >= WIDE_TABLE_COLUMNS) {
      table.setAttribute("data-atlas-scroll", "");
      return;
    }
    rows.forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headers[index]) { cell.setAttribute("data-label", headers[index]); }
      });
    });
    table.setAttribute("data-atlas-cards", "");
  }
  function fit() {
    var wide = window.matchMedia("(min-width: 45em)").matches;
    document.querySelectorAll(".md-typeset table[data-atlas-cards]").forEach(function (table) {
      var box = table.closest(".md-typeset__scrollwrap") || table.parentElement;
      table.removeAttribute("data-atlas-fit");
      if (wide && box.scrollWidth > box.clientWidth + 1) { table.setAttribute("data-atlas-fit", "cards"); }
    });
  }
  var waiting = null;
  function later() { clearTimeout(waiting); waiting = setTimeout(fit, 150); }
  window.addEventListener("resize", later);
  /* A box below the first screen is laid out only when it comes near (content-visibility): measure it again then. */
  document.addEventListener("contentvisibilityautostatechange", later, true);
  document$.subscribe(function () {
    document.querySelectorAll(".md-typeset table").forEach(label);
    fit();
  });
})();

/* The fact-check: a link to one claim (#claim-...) opens its entry; the section filter of the summary table (the
   status filter needs no script). */
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var entry = target && target.closest("details");
    if (entry && !entry.open) { entry.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  document$.subscribe(function () {
    openTarget();
    var select = document.getElementById("atlas-section");
    if (!select || select.hasAttribute("data-ready")) { return; }
    select.setAttribute("data-ready", "");
    select.closest(".atlas-filter").hidden = false;
    select.addEventListener("change", function () {
      document.querySelectorAll(".atlas-factcheck tr[data-section]").forEach(function (row) {
        if (select.value && row.getAttribute("data-section") !== select.value) {
          row.setAttribute("data-hidden-section", "");
        } else {
          row.removeAttribute("data-hidden-section");
        }
      });
    });
  });
})();
