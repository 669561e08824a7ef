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
