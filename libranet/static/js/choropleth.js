// Choropleth maps of Russia's regions (partials/choropleth.html): the regions from our own
// boundary file in an Albers equal-area projection, coloured as the server classed them; each
// region with a page is a link, and hover or focus shows its name and value.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var RAD = Math.PI / 180;
  // Albers conic equal-area for Russia: central meridian 100°E, standard parallels 52° and 64°.
  var LON0 = 100 * RAD, LAT0 = 60 * RAD, P1 = 52 * RAD, P2 = 64 * RAD;
  var N = (Math.sin(P1) + Math.sin(P2)) / 2;
  var C = Math.cos(P1) * Math.cos(P1) + 2 * N * Math.sin(P1);
  var RHO0 = Math.sqrt(C - 2 * N * Math.sin(LAT0)) / N;

  function project(lon, lat) {
    var rho = Math.sqrt(C - 2 * N * Math.sin(lat * RAD)) / N;
    var theta = N * (lon * RAD - LON0);
    return [rho * Math.sin(theta), -(RHO0 - rho * Math.cos(theta))];
  }

  function polygonsOf(geometry) {
    return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  }

  var boundaries = {};
  function load(url) {
    if (!boundaries[url]) {
      boundaries[url] = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      });
    }
    return boundaries[url];
  }

  function draw(figure, topology) {
    var holder = figure.querySelector(".choropleth-map");
    var regions = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
    var features = topojson.feature(topology, topology.objects.subjects).features;
    var projected = [], minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    features.forEach(function (feature) {
      var rings = [];
      polygonsOf(feature.geometry).forEach(function (polygon) {
        polygon.forEach(function (ring) {
          rings.push(ring.map(function (point) {
            var xy = project(point[0], point[1]);
            minX = Math.min(minX, xy[0]); maxX = Math.max(maxX, xy[0]);
            minY = Math.min(minY, xy[1]); maxY = Math.max(maxY, xy[1]);
            return xy;
          }));
        });
      });
      projected.push({ code: feature.id, rings: rings });
    });
    var width = 1000, scale = width / (maxX - minX), height = Math.ceil((maxY - minY) * scale);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", holder.dataset.title);
    var tip = document.createElement("div");
    tip.className = "choropleth-tip";
    tip.hidden = true;

    function show(region, event) {
      tip.textContent = region.name + ": " + region.shown;
      tip.hidden = false;
      var box = holder.getBoundingClientRect();
      var at = event && event.clientX !== undefined ? [event.clientX, event.clientY] : null;
      if (!at) {
        var target = event.target.getBoundingClientRect();
        at = [target.left + target.width / 2, target.top + target.height / 2];
      }
      tip.style.left = Math.min(Math.max(at[0] - box.left, 0), box.width - tip.offsetWidth) + "px";
      tip.style.top = Math.max(at[1] - box.top - tip.offsetHeight - 8, 0) + "px";
    }
    function hide() { tip.hidden = true; }

    projected.forEach(function (shape) {
      var region = regions[shape.code];
      var d = shape.rings.map(function (ring) {
        return "M" + ring.map(function (xy) {
          return ((xy[0] - minX) * scale).toFixed(1) + "," + ((xy[1] - minY) * scale).toFixed(1);
        }).join("L") + "Z";
      }).join("");
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      path.setAttribute("fill", region ? region.colour : "#f4f1e8");
      path.setAttribute("class", "choropleth-region");
      path.dataset.code = shape.code;
      if (!region) { svg.appendChild(path); return; }
      var node = path;
      if (region.url) {
        node = document.createElementNS(SVG, "a");
        node.setAttribute("href", region.url);
        node.setAttribute("aria-label", region.name + ": " + region.shown);
        node.appendChild(path);
        node.addEventListener("focus", function (event) { show(region, event); });
        node.addEventListener("blur", hide);
      } else {
        var title = document.createElementNS(SVG, "title");
        title.textContent = region.name + ": " + region.shown;
        path.appendChild(title);
      }
      node.addEventListener("mousemove", function (event) { show(region, event); });
      node.addEventListener("mouseleave", hide);
      svg.appendChild(node);
    });
    holder.appendChild(svg);
    holder.appendChild(tip);
    figure.classList.add("choropleth-drawn");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.choropleth"), function (figure) {
      if (figure.dataset.started) { return; }  // the partial may be included more than once
      figure.dataset.started = "1";
      var holder = figure.querySelector(".choropleth-map");
      load(holder.dataset.subjects).then(function (topology) { draw(figure, topology); })
        .catch(function () { holder.hidden = true; });  // the legend and the table remain
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
