// The page shell's few behaviours. Loaded in <head>: the "js" class is set before the page is
// drawn, so a folded menu never flashes open; without script every menu simply stays open.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var narrow = window.matchMedia("(max-width: 800px)");

  // A menu button (data-disclosure) folds the list it controls on narrow screens; on wide ones
  // the list is always shown (the button is hidden there by the stylesheet).
  function setUpDisclosure(button) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) { return; }
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      target.classList.toggle("collapsed", !open);
    }
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    target.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches) { show(false); button.focus(); }
    });
    narrow.addEventListener("change", function () { show(!narrow.matches); });
    show(!narrow.matches);
  }

  // Filters in a <details> (open in the markup, for pages without script) fold away above the
  // results on a phone, so that the first result is on the first screen.
  function foldFilters(details) {
    if (narrow.matches) { details.open = false; }
    narrow.addEventListener("change", function () { details.open = !narrow.matches; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-disclosure]").forEach(setUpDisclosure);
    document.querySelectorAll("details.filters-panel").forEach(foldFilters);
    // A table too wide to reflow scrolls in its box: the box takes focus, so that the keyboard
    // scrolls it too.
    document.querySelectorAll(".table-scroll:not([tabindex])").forEach(function (box) {
      box.tabIndex = 0;
    });
  });
})();
