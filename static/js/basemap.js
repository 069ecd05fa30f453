// Basemaps on a Leaflet map: the files Trama serves (MBTiles or PMTiles, raster or vector) and
// the operator's online tiles, with a switch when there are several; the choice is remembered
// on the device. Vector basemaps load protomaps-leaflet and Trama's style on first use, so a
// raster basemap costs no more script than before.

import { namedLayerSwitch } from './map.js';

function loadScript(src) {
  return new Promise(function (resolve, reject) {
    var script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}

var vectorReady = null;
function vectorLibrary() {
  if (!vectorReady) {
    // protomaps-leaflet is a classic script (window.protomapsL) that the style module reads.
    vectorReady = loadScript('/static/vendor/protomaps-leaflet/protomaps-leaflet.js')
      .then(function () { return import('./basemap-style.js'); });
  }
  return vectorReady;
}

// Leaflet writes attributions and the switch's labels as HTML: what a file or an admin
// typed is shown as text.
function text(value) {
  return String(value || '').replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
}

// Leaflet's bounds from [west, south, east, north].
function bounds(b) { return [[b[1], b[0]], [b[3], b[2]]]; }

// Stored zooms are drawn as they are; beyond the deepest, its tiles are enlarged.
function rasterLayer(b) {
  return L.tileLayer(b.tiles, {
    minZoom: 0, maxZoom: 20, minNativeZoom: b.min_zoom, maxNativeZoom: b.max_zoom,
    bounds: bounds(b.bounds), attribution: text(b.attribution)
  });
}

// While a basemap is shown the map stays at zooms it has (a file starting at 14 showed a
// blank map at the page's first view, 13); and when its area is not in view, the map goes to it.
// A vector layer draws 512 px tiles, each from the data one zoom up (protomaps-leaflet's
// levelDiff): its first zoom is the file's lowest plus one.
function keepToItsZooms(map, layer, b) {
  var first = b.vector ? b.min_zoom + 1 : b.min_zoom;
  // Leaflet drops a zoom asked for while another zoom's animation runs (a basemap chosen just
  // after the map moved): the zoom is asked for again when that animation ends.
  function zoomIn() { if (map.hasLayer(layer) && map.getZoom() < first) map.setZoom(first); }
  layer.on('add', function () {
    if (first > 0) map.setMinZoom(first);
    var area = L.latLngBounds(bounds(b.bounds));
    if (!area.intersects(map.getBounds())) map.setView(area.getCenter(), Math.max(map.getZoom(), first));
    zoomIn();
    map.once('zoomend', zoomIn);
  });
  layer.on('remove', function () { map.setMinZoom(0); });
  return layer;
}

// A vector basemap: a group filled with protomaps' layer once its library has loaded.
function vectorLayer(b, locale) {
  var group = L.layerGroup();
  group.on('add', function () {
    vectorLibrary().then(function (style) {
      if (group.getLayers().length) return;
      var layer = protomapsL.leafletLayer({
        url: b.tiles, maxDataZoom: b.max_zoom, bounds: bounds(b.bounds),
        paintRules: style.paint(b.schema), labelRules: style.labels(locale, b.schema),
        backgroundColor: style.background, attribution: text(b.attribution || '© OpenStreetMap')
      });
      // Its first view drawn is the group's (see `drawn`).
      layer.once('load', function () { group.fire('load'); });
      group.addLayer(layer);
    });
  });
  return group;
}

// Resolves once `layer` has drawn its first view (Leaflet's `load`: every tile in view), or
// after `ms` (a slow or failing tile source does not hold the rest of the page back).
function drawn(layer, ms) {
  return new Promise(function (resolve) {
    setTimeout(resolve, ms);
    layer.once('load', function () { resolve(); });
  });
}

// Adds the page's basemaps to `map`. `app` carries data-basemaps (JSON), data-tiles (the
// operator's online XYZ template), data-project and data-locale; `words` the switch's
// labels for the online tiles and for no basemap. Returns a promise of the first basemap's
// first view drawn (at once without one), after which a page asks for what matters less than
// the streets: on a slow network, requests made earlier queue the tiles behind them.
export function add(map, app, words) {
  var offered = [];
  try { offered = JSON.parse(app.dataset.basemaps || '[]'); } catch (e) { offered = []; }
  var choices = offered.map(function (b) {
    return { id: b.id, label: text(b.label), layer: keepToItsZooms(map, b.vector ? vectorLayer(b, app.dataset.locale) : rasterLayer(b), b) };
  });
  if (app.dataset.tiles) {
    choices.push({ id: 'online', label: text(words.online), layer: L.tileLayer(app.dataset.tiles, { maxZoom: 19 }) });
  }
  if (!choices.length) return Promise.resolve();
  var key = 'trama.basemap.' + (app.dataset.project || '');
  var remembered = null;
  try { remembered = localStorage.getItem(key); } catch (e) { remembered = null; }
  var first = choices.filter(function (c) { return c.id === remembered; })[0] || choices[0];
  first.layer.addTo(map);
  var shown = drawn(first.layer, 6000);
  if (choices.length < 2) return shown;
  choices.push({ id: 'none', label: text(words.none), layer: L.layerGroup() });
  var layers = {};
  choices.forEach(function (c) {
    var label = c.label, n = 2;
    while (layers[label]) label = c.label + ' (' + (n++) + ')';
    layers[label] = c.layer;
  });
  namedLayerSwitch(L.control.layers(layers, null, { position: 'topright' }).addTo(map));
  map.on('baselayerchange', function (e) {
    var chosen = choices.filter(function (c) { return c.layer === e.layer; })[0];
    try { localStorage.setItem(key, chosen ? chosen.id : ''); } catch (err) { /* private mode */ }
  });
  return shown;
}
