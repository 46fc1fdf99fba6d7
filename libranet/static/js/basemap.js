// The offline base map every Libranet map shares: countries (Natural Earth via world-atlas)
// and Russia's federal subjects (libranet/static/map) drawn as vectors from our own static
// files, so a map looks like a map with no tile server. Tiles, when their server answers, are
// drawn over the countries; the subjects' borders stay on top of the tiles.
(function () {
  "use strict";

  // A ring that crosses the antimeridian (Chukotka, the Aleutians, Fiji) jumps from +180° to
  // -180°: drawn as is it would stripe the whole map. Its western points are moved east of 180°.
  function unwrapAntimeridian(feature) {
    var geometry = feature.geometry;
    if (!geometry) { return; }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    polygons.forEach(function (polygon) {
      polygon.forEach(function (ring) {
        var east = ring.some(function (point) { return point[0] > 150; });
        var west = ring.some(function (point) { return point[0] < -150; });
        if (east && west) {
          ring.forEach(function (point) { if (point[0] < 0) { point[0] += 360; } });
        }
      });
    });
  }

  // Chukotka's eastern tip, cut off at the antimeridian, is drawn east of it, next to the rest.
  function eastOfAntimeridian(feature) {
    var geometry = feature.geometry;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    polygons.forEach(function (polygon) {
      if (polygon[0].every(function (point) { return point[0] < 0; })) {
        polygon.forEach(function (ring) { ring.forEach(function (point) { point[0] += 360; }); });
      }
    });
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  var RUSSIA = "643";  // world-atlas ids are ISO 3166-1 numeric codes

  // create(element, options) -> {map, ready}: ready resolves with the subjects' GeoJSON
  // features (keyed by ISO 3166-2 in feature.id) once both layers are drawn.
  function create(el, options) {
    options = options || {};
    // Explicit zoom limits: marker clustering needs them, and the tile layer that would give
    // them is removed when its server does not answer.
    var map = L.map(el, L.extend(
      { worldCopyJump: true, minZoom: 1, maxZoom: 18, zoomControl: false }, options.map || {}));
    // Leaflet's own words are English: the page's language comes from _map_scripts.html.
    var words = (document.getElementById("map-words") || {}).dataset || {};
    L.control.zoom({ zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut }).addTo(map);
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && words.close) { close.setAttribute("aria-label", words.close); close.title = words.close; }
    });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution("Natural Earth");
    map.createPane("land").style.zIndex = 150;      // under the tiles (tilePane is 200)
    map.createPane("borders").style.zIndex = 250;   // over the tiles, under the markers
    map.getPane("borders").style.pointerEvents = "none";
    if (el.dataset.tiles) {
      var tiles = L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution });
      tiles.on("tileerror", function () {
        if (el.classList.contains("no-tiles")) { return; }
        el.classList.add("no-tiles");
        map.removeLayer(tiles);
        if (options.onNoTiles) { options.onNoTiles(); }
      });
      tiles.addTo(map);
    }
    var ready = Promise.all([getJSON(el.dataset.countries), getJSON(el.dataset.subjects)])
      .then(function (data) {
        var countries = topojson.feature(data[0], data[0].objects.countries);
        countries.features.forEach(function (feature) {
          unwrapAntimeridian(feature);
          if (feature.id === RUSSIA) { eastOfAntimeridian(feature); }
        });
        L.geoJSON(countries, {
          pane: "land", interactive: false,
          style: { color: "#8c8a80", weight: 0.8, fillColor: "#f4f1e8", fillOpacity: 1 }
        }).addTo(map);
        var subjects = topojson.feature(data[1], data[1].objects.subjects).features;
        L.geoJSON({ type: "FeatureCollection", features: subjects }, {
          pane: "borders", interactive: false,
          style: { color: "#6f6a5c", weight: 0.6, opacity: 0.7, fill: false }
        }).addTo(map);
        el.classList.add("basemap-drawn");
        return subjects;
      });
    return { map: map, ready: ready };
  }

  window.LibranetBasemap = { create: create, getJSON: getJSON };
})();
