// A center's small map: the offline base map (basemap.js) and the center's marker.
(function () {
  "use strict";
  var el = document.getElementById("center-map");
  if (!el || typeof L === "undefined" || !window.LibranetBasemap) { return; }
  var here = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  // The page scrolls under the wheel; the map zooms with its buttons and keys.
  var base = LibranetBasemap.create(el, { map: { center: here, zoom: 6, scrollWheelZoom: false } });
  L.marker(here, {
    title: el.dataset.name,
    alt: el.dataset.name,
    icon: L.divIcon({ className: el.dataset.marker, iconSize: L.point(14, 14) })
  }).addTo(base.map);
})();
