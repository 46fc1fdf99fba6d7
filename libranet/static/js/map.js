// The centers map: the offline base map (basemap.js), every center from map_data as a
// clustered marker coloured by kind and styled by status, and the filter form above it
// applied in the browser (the URL follows, so a filtered map can be shared).
(function () {
  "use strict";
  var el = document.getElementById("map");
  var statusEl = document.getElementById("map-status");
  var form = document.getElementById("map-filters");
  var results = document.getElementById("map-results");
  var asList = document.getElementById("map-as-list");
  if (!el || typeof L === "undefined" || !window.LibranetBasemap) { return; }

  function labels(text) {
    var out = {};
    text.split("|").forEach(function (pair) {
      var at = pair.indexOf("=");
      out[pair.slice(0, at)] = pair.slice(at + 1);
    });
    return out;
  }
  var kindLabels = labels(el.dataset.kinds);
  var statusLabels = labels(el.dataset.statuses);
  var MAX_RESULTS = 10;

  var base = LibranetBasemap.create(el, {
    map: { center: [60, 95], zoom: 2 },
    onNoTiles: function () { el.dataset.noTilesShown = "1"; note(); }
  });
  var map = base.map;
  var clusters = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    iconCreateFunction: function (cluster) {
      var n = cluster.getChildCount();
      return L.divIcon({
        html: "<span>" + n + "</span>",
        className: "center-cluster" + (n >= 100 ? " large" : n >= 10 ? " medium" : ""),
        iconSize: L.point(36, 36)
      });
    }
  }).addTo(map);

  var data = null;
  var markers = [];
  var shownText = "";

  function note() {
    statusEl.textContent = shownText + (el.dataset.noTilesShown ? " " + el.dataset.noTiles : "");
  }

  function words(text) {
    return text.toLocaleLowerCase().replace(/ё/g, "е").split(/\s+/).filter(Boolean);
  }

  function current() {
    var values = {};
    ["q", "kind", "status", "region", "country"].forEach(function (name) {
      values[name] = (form.elements[name].value || "").trim();
    });
    return values;
  }

  function centerUrl(code) {
    return el.dataset.centerUrl.replace("CODE", encodeURIComponent(code));
  }

  function popupFor(i) {
    var c = data.centers;
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = centerUrl(c.code[i]);
    link.textContent = c.name[i];  // text, never HTML
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    [kindLabels[data.kinds[c.kind[i]]], statusLabels[data.statuses[c.status[i]]], c.town[i]]
      .filter(Boolean).forEach(function (text) {
        var line = document.createElement("div");
        line.textContent = text;
        box.appendChild(line);
      });
    return box;
  }

  function marker(i) {
    if (!markers[i]) {
      var c = data.centers;
      var m = L.marker([c.lat[i], c.lon[i]], {
        title: c.name[i],
        alt: c.name[i],
        icon: L.divIcon({
          className: "center-marker kind-" + data.kinds[c.kind[i]] + " status-" + data.statuses[c.status[i]],
          iconSize: L.point(14, 14)
        })
      });
      m.bindPopup(function () { return popupFor(i); });
      markers[i] = m;
    }
    return markers[i];
  }

  function matches(i, values, query) {
    var c = data.centers;
    var status = data.statuses[c.status[i]];
    if (values.kind && data.kinds[c.kind[i]] !== values.kind) { return false; }
    if (values.status ? status !== values.status : status === "closed") { return false; }
    if (values.region && data.regions[c.region[i]] !== values.region) { return false; }
    if (values.country && data.countries[c.country[i]] !== values.country) { return false; }
    if (query.length) {
      var haystack = (c.name[i] + " " + c.code[i] + " " + c.town[i]).toLocaleLowerCase().replace(/ё/g, "е");
      for (var w = 0; w < query.length; w++) { if (haystack.indexOf(query[w]) < 0) { return false; } }
    }
    return true;
  }

  function showResults(found, query) {
    results.textContent = "";
    if (!query.length) { return; }
    found.slice(0, MAX_RESULTS).forEach(function (i) {
      var c = data.centers;
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = centerUrl(c.code[i]);
      link.textContent = c.name[i];
      item.appendChild(link);
      if (c.town[i]) { item.appendChild(document.createTextNode(" · " + c.town[i])); }
      results.appendChild(item);
    });
    if (found.length > MAX_RESULTS) {
      var more = document.createElement("li");
      more.className = "muted";
      more.textContent = el.dataset.more.replace("{n}", String(found.length - MAX_RESULTS));
      results.appendChild(more);
    }
  }

  function apply(fit) {
    var values = current();
    var query = words(values.q);
    var found = [];
    for (var i = 0; i < data.centers.code.length; i++) {
      if (matches(i, values, query)) { found.push(i); }
    }
    clusters.clearLayers();
    clusters.addLayers(found.map(marker));
    el.dataset.count = String(found.length);
    shownText = el.dataset.shown.replace("{n}", found.length.toLocaleString(document.documentElement.lang))
      .replace("{total}", data.centers.code.length.toLocaleString(document.documentElement.lang));
    note();
    showResults(found, query);
    var params = new URLSearchParams();
    Object.keys(values).forEach(function (name) { if (values[name]) { params.set(name, values[name]); } });
    var qs = params.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
    asList.href = el.dataset.listUrl + (qs ? "?" + qs : "");
    var filtered = qs.length > 0;
    if (fit && filtered && found.length) {
      map.fitBounds(clusters.getBounds(), { maxZoom: 10, padding: [20, 20] });
    }
  }

  var typing = null;
  form.addEventListener("submit", function (event) { event.preventDefault(); if (data) { apply(true); } });
  form.addEventListener("change", function () { if (data) { apply(true); } });
  form.elements.q.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { if (data) { apply(false); } }, 200);
  });

  base.ready.then(function (subjects) {
    if (!el.dataset.focus && !location.search) {
      map.fitBounds(L.geoJSON({ type: "FeatureCollection", features: subjects }).getBounds());
    }
  }).catch(function () { /* the markers still show on the plain background */ });

  LibranetBasemap.getJSON(el.dataset.points).then(function (loaded) {
    data = loaded;
    apply(!el.dataset.focus);
    var at = data.centers.code.indexOf(el.dataset.focus);
    if (at >= 0) {
      var focused = marker(at);
      if (!clusters.hasLayer(focused)) { clusters.addLayer(focused); }
      clusters.zoomToShowLayer(focused, function () { focused.openPopup(); });
    }
  }).catch(function () { statusEl.textContent = el.dataset.error; });
})();
