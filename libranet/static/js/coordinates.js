// A center's coordinates picked on a small map: a click or a dragged marker fills the latitude
// and longitude inputs; typing in them moves the marker. Offline: the background is the
// countries' outlines shipped with the site (world-atlas through topojson-client), no tiles.
(function () {
  "use strict";
  var el = document.querySelector("[data-coordinates-map]");
  if (!el || !window.L) { return; }
  var lat = document.getElementById(el.getAttribute("data-latitude"));
  var lng = document.getElementById(el.getAttribute("data-longitude"));
  if (!lat || !lng) { return; }

  var map = window.L.map(el, { worldCopyJump: true, attributionControl: false });
  var marker = null;

  function read() {
    var a = parseFloat(lat.value.replace(",", "."));
    var b = parseFloat(lng.value.replace(",", "."));
    if (isNaN(a) || isNaN(b) || Math.abs(a) > 90 || Math.abs(b) > 180) { return null; }
    return window.L.latLng(a, b);
  }

  function fill(point) {
    var wrapped = point.wrap();
    lat.value = wrapped.lat.toFixed(6).replace(/\.?0+$/, "");
    lng.value = wrapped.lng.toFixed(6).replace(/\.?0+$/, "");
    place(wrapped, false);
  }

  function place(point, pan) {
    if (!marker) {
      marker = window.L.marker(point, { draggable: true, keyboard: false }).addTo(map);
      marker.on("dragend", function () { fill(marker.getLatLng()); });
    } else {
      marker.setLatLng(point);
    }
    if (pan) { map.setView(point, Math.max(map.getZoom(), 6), { animate: false }); }
  }

  var start = read();
  if (start) { map.setView(start, 8); place(start, false); } else { map.setView([60, 90], 2); }
  map.on("click", function (event) { fill(event.latlng); });
  var typing = null;
  [lat, lng].forEach(function (input) {
    input.addEventListener("input", function () {
      // Follow the typing once it pauses: a half-typed number is no place to fly to.
      window.clearTimeout(typing);
      typing = window.setTimeout(function () {
        var point = read();
        if (point) { place(point, true); }
      }, 300);
    });
  });

  var outlines = el.getAttribute("data-outlines");
  if (outlines && window.topojson && window.fetch) {
    window.fetch(outlines)
      .then(function (response) { return response.json(); })
      .then(function (world) {
        var land = window.topojson.feature(world, world.objects.countries);
        window.L.geoJSON(land, {
          interactive: false,
          style: { color: "#8a8f98", weight: 0.6, fillColor: "#eef0f2", fillOpacity: 1 }
        }).addTo(map).bringToBack();
      })
      .catch(function () { /* the marker and the inputs work without the outlines */ });
  }
})();
