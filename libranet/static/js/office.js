// After a refused save the page reloads at the top of a long form: bring the error summary
// into view and give it focus, so that the person (and a screen reader) learns what is wrong.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
