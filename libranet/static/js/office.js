// After a refused save the page reloads at the top of a long form: bring the error summary
// into view and give it focus, so that the person (and a screen reader) learns what is wrong.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();

// An import's page while the task works: fetch the page again every few seconds and put its
// progress into the live region (which stays, so a screen reader hears the news politely),
// until the import is over and the region comes back without data-refresh.
(function () {
  "use strict";
  var region = document.querySelector("[data-refresh]");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(region.getAttribute("data-refresh"), 10) || 2;
  function poll() {
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new window.DOMParser().parseFromString(html, "text/html").getElementById(region.id);
        if (!fresh) { window.setTimeout(poll, seconds * 1000); return; }
        region.innerHTML = fresh.innerHTML;
        if (fresh.hasAttribute("data-refresh")) { window.setTimeout(poll, seconds * 1000); }
        else { region.removeAttribute("data-refresh"); }
      })
      .catch(function () { window.setTimeout(poll, 5 * seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
