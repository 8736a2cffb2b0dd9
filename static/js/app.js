/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  /* A table wider than its box scrolls sideways: keyboard users must be able to reach and
     scroll it (WCAG 2.1.1), so such a box becomes a focusable, named region. */
  function nameOf(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = wrap;
    while (node) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
      if (node && /^H[1-6]$/.test(node.tagName)) return node.textContent.trim();
    }
    return document.title;
  }

  function markScrollableTables(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", nameOf(wrap));
        }
        wrap.dataset.scrollRegion = "auto";
      } else if (!scrolls && wrap.dataset.scrollRegion === "auto") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.scrollRegion;
      }
    });
  }

  /* Typed input is never lost by leaving the page: a form sent by POST that was changed and
     not sent yet makes the browser ask before leaving. Forms opt out with
     data-unsaved-ok (e.g. a login or a filter); sending the form clears the mark. */
  var changed = new Set();

  // A form is known by its id or target, so a form that htmx re-rendered (the plan editor adds
  // a line by swapping itself) keeps its mark.
  function keyOf(form) {
    return form.id || form.getAttribute("action") || location.pathname;
  }

  function watched(form) {
    return form && form.method && form.method.toLowerCase() === "post" && !form.hasAttribute("data-unsaved-ok");
  }

  function noteChange(event) {
    var field = event.target;
    if (!field || !field.form || field.type === "hidden" || field.type === "submit") return;
    if (watched(field.form)) changed.add(keyOf(field.form));
  }

  document.addEventListener("input", noteChange, true);
  document.addEventListener("change", noteChange, true);
  document.addEventListener("submit", function (event) { changed.delete(keyOf(event.target)); }, true);
  window.addEventListener("beforeunload", function (event) {
    if (changed.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () { markScrollableTables(); });
  window.addEventListener("resize", function () { markScrollableTables(); });
  document.addEventListener("htmx:afterSettle", function () { markScrollableTables(); });
})();
