// The reader's viewers (templates/public/resources/reader.html): page images in OpenSeadragon
// over the IIIF image service, PDFs in PDF.js (pdf-reader.mjs), both turned by one pager:
// previous/next, "page 3 of 120", zoom, the keyboard (arrows, Page Up/Down) and the page in the
// address (?page=3 or #page=3), so that a link opens that page. Without script the page
// images are links (<noscript>) and the PDF opens on its own.
(function () {
  "use strict";

  function pageFromAddress() {
    var hash = /(?:^#|&)page=(\d+)/.exec(window.location.hash);
    var number = parseInt(new URLSearchParams(window.location.search).get("page") || (hash && hash[1]), 10);
    return number > 0 ? number : 1;
  }

  function writeAddress(number) {
    var url = new URL(window.location.href);
    url.searchParams.set("page", String(number));
    url.hash = url.hash.replace(/(^#|&)page=\d+/, "");
    if (url.hash === "#") { url.hash = ""; }
    window.history.replaceState(window.history.state, "", url);
  }

  // One pager per viewer. ``view`` shows a page (show(n)) and zooms (zoom(factor), fit()).
  function Pager(section, view) {
    var toolbar = section.querySelector(".viewer-toolbar");
    var input = toolbar.querySelector("input[data-action=page]");
    var total = toolbar.querySelector("[data-total]");
    var previous = toolbar.querySelector("[data-action=previous]");
    var next = toolbar.querySelector("[data-action=next]");
    var inAddress = section.hasAttribute("data-url-page");
    var pager = { page: 0, count: 0 };

    // What the viewer now shows: the controls and the address follow.
    var strip = section.querySelectorAll("[data-page]");
    pager.shown = function (number) {
      pager.page = number;
      for (var i = 0; i < strip.length; i++) {
        if (i === number - 1) {
          strip[i].setAttribute("aria-current", "page");
          strip[i].scrollIntoView({ block: "nearest", inline: "nearest" });
        } else {
          strip[i].removeAttribute("aria-current");
        }
      }
      input.value = String(number);
      previous.disabled = number <= 1;
      next.disabled = number >= pager.count;
      section.setAttribute("data-page", String(number));
      if (inAddress) { writeAddress(number); }
    };
    pager.go = function (number) {
      if (!pager.count || isNaN(number)) { return; }
      number = Math.min(Math.max(1, number), pager.count);
      if (number !== pager.page) { view.show(number); }
      pager.shown(number);
    };
    // ``count`` pages; ``shown``: the page the viewer opened itself, else it is asked for the
    // address's page (or the first).
    pager.start = function (count, shown) {
      pager.count = count;
      input.max = String(count);
      total.textContent = String(count);
      toolbar.hidden = false;
      if (shown) { pager.shown(shown); } else { pager.go(inAddress ? pageFromAddress() : 1); }
    };

    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) { return; }
      var action = button.getAttribute("data-action");
      if (action === "previous") { pager.go(pager.page - 1); }
      else if (action === "next") { pager.go(pager.page + 1); }
      else if (action === "zoom-in") { view.zoom(1.5); }
      else if (action === "zoom-out") { view.zoom(1 / 1.5); }
      else if (action === "fit") { view.fit(); }
    });
    input.addEventListener("change", function () { pager.go(parseInt(input.value, 10)); });
    section.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-page]");
      if (!link || !pager.count) { return; }
      event.preventDefault();  // the viewer shows the page instead of the bare image
      pager.go(parseInt(link.getAttribute("data-page"), 10));
    });
    section.pager = pager;
    return pager;
  }

  // Arrows and Page Up/Down turn the pages of the viewer that has the focus, else of the one
  // whose page is in the address; form fields and players keep their own keys.
  var TURNS = { ArrowLeft: -1, PageUp: -1, ArrowRight: 1, PageDown: 1 };
  document.addEventListener("keydown", function (event) {
    var step = TURNS[event.key];
    if (!step || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (event.target.closest("input, select, textarea, audio, video, [contenteditable]")) { return; }
    var section = event.target.closest("[data-viewer]") || document.querySelector("[data-viewer][data-url-page]");
    if (!section || !section.pager || !section.pager.count) { return; }
    event.preventDefault();
    event.stopPropagation();  // OpenSeadragon would pan with the arrows
    section.pager.go(section.pager.page + step);
  }, true);

  window.LibranetPager = Pager;

  // Page images: one IIIF image service per page, shown one page at a time.
  var images = document.querySelector("[data-viewer=images]");
  if (!images || typeof window.OpenSeadragon !== "function") { return; }
  var sources = JSON.parse(images.getAttribute("data-sources"));
  var first = Math.min(pageFromAddress(), sources.length);
  var viewer = window.OpenSeadragon({
    element: images.querySelector(".viewer-stage"),
    prefixUrl: images.getAttribute("data-prefix"),
    tileSources: sources,
    sequenceMode: true,
    initialPage: first - 1,
    showNavigationControl: false,
    showSequenceControl: false,
    visibilityRatio: 1,
    minZoomImageRatio: 1,
    maxZoomPixelRatio: 4,  // small print may be magnified past the scan's own pixels
    gestureSettingsMouse: { clickToZoom: false }
  });
  var pager = Pager(images, {
    show: function (number) { viewer.goToPage(number - 1); },
    zoom: function (factor) { viewer.viewport.zoomBy(factor); viewer.viewport.applyConstraints(); },
    fit: function () { viewer.viewport.goHome(); }
  });
  viewer.addHandler("page", function (event) { pager.shown(event.page + 1); });
  images.viewer = viewer;
  pager.start(sources.length, first);
})();
