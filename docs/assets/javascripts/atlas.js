/* Wide tables scroll sideways inside their own box on small screens. Make that box reachable with the keyboard
   (axe: scrollable-region-focusable) once Material has wrapped the tables, on every page load. */
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
    if (!box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table");
    }
  });
});
