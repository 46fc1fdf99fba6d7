// The centers map: points come from our own JSON and are drawn as vector circles, so they
// show even when the tile server cannot be reached (tiles are only the background).
(function () {
  "use strict";
  var el = document.getElementById("map");
  var statusEl = document.getElementById("map-status");
  if (!el || typeof L === "undefined") { return; }
  var colors = { regional: "#b22222", remote: "#1f5fa8", branch: "#2e7d32", foreign: "#7b1fa2" };
  var map = L.map(el, { worldCopyJump: true, preferCanvas: true }).setView([58, 70], 3);
  var tiles = L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  tiles.on("tileerror", function () {
    if (!el.classList.contains("no-tiles")) {
      el.classList.add("no-tiles");
      statusEl.textContent = el.dataset.noTiles;
    }
  });
  tiles.addTo(map);
  var english = el.dataset.lang === "en";
  fetch(el.dataset.points, { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var layer = L.featureGroup();
      var focused = null;
      data.points.forEach(function (p) {
        var marker = L.circleMarker([p.lat, p.lon], {
          radius: p.kind === "regional" ? 7 : 5, color: colors[p.kind] || "#333",
          weight: 1, fillOpacity: p.status === "open" ? 0.8 : 0.3
        });
        var link = document.createElement("a");
        link.href = el.dataset.centerUrl.replace("CODE", encodeURIComponent(p.code));
        link.textContent = english ? p.name_en : p.name_ru;  // text, never HTML
        marker.bindPopup(link);
        marker.bindTooltip(link.textContent);
        marker.addTo(layer);
        if (p.code === el.dataset.focus) { focused = marker; }
      });
      layer.addTo(map);
      el.dataset.count = String(data.points.length);
      if (focused) { map.setView(focused.getLatLng(), 12); focused.openPopup(); }
      else if (data.points.length) { map.fitBounds(layer.getBounds(), { maxZoom: 10, padding: [20, 20] }); }
    })
    .catch(function () { statusEl.textContent = el.dataset.error; });
})();
