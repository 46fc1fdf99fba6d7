// The back office's pickers: a select or a code input marked data-picker becomes a search box
// (Tom Select). A select that lists all its choices is searched here; one marked
// data-picker-remote, and every code input, asks its JSON endpoint (20 matches within the
// user's scope) as the person types. Without JavaScript the plain field stays and works.
(function () {
  "use strict";
  if (!window.TomSelect) { return; }

  function text(node, value) {
    var div = document.createElement("div");
    div.className = node;
    div.textContent = value;
    return div;
  }

  function remoteLoader(el) {
    var url = el.getAttribute("data-picker");
    var extra = el.getAttribute("data-picker-query");
    return function (query, callback) {
      var address = url + "?q=" + encodeURIComponent(query) + (extra ? "&" + extra : "");
      window.fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { callback(data.results); })
        .catch(function () { callback(); });
    };
  }

  function enhance(el) {
    var remote = el.tagName === "INPUT" || el.hasAttribute("data-picker-remote");
    var noResults = el.getAttribute("data-no-results") || "";
    var settings = {
      maxItems: 1,
      create: false,
      persist: false,
      maxOptions: 50,
      placeholder: el.getAttribute("data-placeholder") || "",
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      render: {
        no_results: function () { return text("no-results", noResults); },
        option_create: function () { return null; }
      }
    };
    // Choices that are no search result, such as the whole Library as a SUSHI customer.
    var fixed = el.getAttribute("data-picker-options");
    if (fixed) {
      settings.options = JSON.parse(fixed).map(function (option) {
        option.fixed = true;
        return option;
      });
    }
    if (el.tagName === "SELECT" && !el.required) {
      settings.allowEmptyOption = false;
      settings.plugins = { clear_button: { title: el.getAttribute("data-clear") || "×" } };
    }
    if (remote) {
      settings.load = remoteLoader(el);
      settings.loadThrottle = 250;
      // The server has matched the words already (in names, codes, addresses): keep its order;
      // the fixed choices are matched here.
      settings.score = function (search) {
        var local = this.sifter.getScoreFunction(search, this.getSearchOptions());
        return function (option) { return option.fixed ? local(option) : 1; };
      };
    }
    var picker = new window.TomSelect(el, settings);
    // Tom Select gives the label to its own search box; the hidden field that is submitted
    // keeps being named by it for assistive technology.
    var label = document.getElementById(el.id + "-ts-label");
    if (label) { el.setAttribute("aria-labelledby", label.id); }
    return picker;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), enhance);
})();
