// "Nearest to me" on a resource's refusal: when the browser can tell its location and the
// reader agrees, reload the list of centers nearest first (?lat=&lon=). Without script, or
// without consent, the region selector does the same job.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  if (!button || !("geolocation" in navigator)) { return; }
  var status = document.getElementById("locate-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      var params = new URLSearchParams(window.location.search);
      // About a kilometre is precise enough to sort centers, and tells the server no more.
      params.set("lat", position.coords.latitude.toFixed(2));
      params.set("lon", position.coords.longitude.toFixed(2));
      window.location.assign("?" + params.toString() + "#where");
    }, function () {
      button.disabled = false;
      if (status) { status.textContent = button.getAttribute("data-error"); }
    }, { maximumAge: 600000, timeout: 15000 });
  });
})();

// The search page: a facet ticked or a sort chosen applies at once (the Apply button does the
// same without script).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  form.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-autosubmit")) {
      var page = form.querySelector("input[name=page]");
      if (page) { page.remove(); }
      form.submit();
    }
  });
})();

// The search's filters: folded behind "Filters" on a phone, open beside the results on a wide
// screen (without script they unfold on a click at every width).
(function () {
  "use strict";
  var filters = document.querySelector("details[data-open-wide]");
  if (!filters || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 860px)");
  function follow() { filters.open = wide.matches; }
  follow();
  wide.addEventListener("change", follow);
})();
