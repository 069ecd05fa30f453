// The wall: the workshop's map projected in the room, live. Features arrive as GeoJSON from
// the API; server-sent events only say which ones changed.
import { app, messages } from './trama.js';
import * as basemaps from './basemap.js';
import { pageMap } from './map.js';
import * as symbolsOnMap from './symbols.js';

var project = app.dataset.project;
var workshop = app.dataset.workshop;
var palette = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#1f78b4'];
var groupColour = {};
document.querySelectorAll('#groups li').forEach(function (li, i) {
  groupColour[li.dataset.group] = palette[i % palette.length];
  var swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = groupColour[li.dataset.group];
  li.insertBefore(swatch, li.firstChild);
});

var map = pageMap('map');
basemaps.add(map, app, { online: messages['map.basemap_online'], none: messages['map.basemap_none'] });
var byId = {};
// Each drawing in its symbol's colour and pictogram, outlined in its table's colour.
var symbols = [], bySymbol = {};
function symbolColour(f) { var s = bySymbol[f.properties.symbol]; return s ? s.color : '#555'; }
var layer = L.geoJSON(null, {
  style: function (f) { return { color: groupColour[f.properties.group] || '#555', weight: 4, fillColor: symbolColour(f), fillOpacity: 0.45 }; },
  pointToLayer: function (f, at) {
    return symbolsOnMap.marker(at, bySymbol[f.properties.symbol], groupColour[f.properties.group] || '#555');
  },
  onEachFeature: function (f, l) {
    byId[f.id] = l;
    var title = document.createElement('strong');
    title.textContent = f.properties.title || symbolsOnMap.label(bySymbol[f.properties.symbol], app.dataset.locale) || f.properties.symbol;
    l.bindTooltip(title, { permanent: true, direction: 'top', className: 'wall-label' });
  }
}).addTo(map);

function get(path) { return fetch(path, { credentials: 'same-origin' }).then(function (r) { return r.json(); }); }

// A public screen: sensitive drawings come masked, as on the phones, unless the facilitator
// chose to project them exactly for a closed session (data-view="caller").
// Read exactly, the wall says so: the audit trail records its reads as the wall's.
var view = app.dataset.view === 'caller' ? 'door=wall' : 'view=public';
function withView(path) { return view ? path + (path.indexOf('?') < 0 ? '?' : '&') + view : path; }

// The map follows the drawings (every one in view as they arrive) until someone moves it by
// hand; "show every drawing" goes back to following.
// Only a person's hand stops the following (the map's own moves fire the same events).
var following = true;
['pointerdown', 'wheel', 'keydown'].forEach(function (type) {
  map.getContainer().addEventListener(type, function () { following = false; }, { passive: true });
});
// Drawings arrive in bursts: one fit after the burst, without animation (Leaflet drops a
// new zoom asked for while one is animating).
var fitLater = null;
function fit() {
  clearTimeout(fitLater);
  fitLater = setTimeout(function () {
    if (!following || !layer.getLayers().length) return;
    map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [40, 40], animate: false });
  }, 250);
}
document.getElementById('fit').addEventListener('click', function (e) { e.stopPropagation(); following = true; fit(); });

// The latest drawings' titles, newest first, readable from the back of the room.
var latest = document.getElementById('latest');
function listLatest() {
  var features = layer.getLayers().map(function (l) { return l.feature; });
  features.sort(function (a, b) { return a.properties.created_at < b.properties.created_at ? 1 : -1; });
  latest.textContent = '';
  features.slice(0, 6).forEach(function (f) {
    var item = document.createElement('li');
    var swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = groupColour[f.properties.group] || '#555';
    item.appendChild(swatch);
    // A masked drawing comes without its words: its symbol's name stands for it.
    item.appendChild(document.createTextNode(f.properties.title || symbolsOnMap.label(bySymbol[f.properties.symbol], app.dataset.locale) || f.properties.symbol));
    latest.appendChild(item);
  });
}

// The symbols the map shows, with their pictograms and names.
var inUse = document.getElementById('symbols-in-use');
function listSymbols() {
  var keys = layer.getLayers().map(function (l) { return l.feature.properties.symbol; });
  symbolsOnMap.legend(inUse, symbols, keys, app.dataset.locale);
}

function reload() {
  return get('/api/projects/' + project + '/legend').then(function (legend) {
    symbols = Array.isArray(legend) ? legend : [];
    symbols.forEach(function (s) { bySymbol[s.key] = s; });
    return get(withView('/api/projects/' + project + '/features?workshop=' + workshop));
  }).then(function (collection) {
    layer.clearLayers();
    byId = {};
    // Never projected: hidden or deleted drawings (the exact view lists hidden ones).
    layer.addData({ type: 'FeatureCollection', features: (collection.features || []).filter(function (f) {
      return !f.properties.hidden && !f.properties.deleted_at;
    }) });
    fit();
    listLatest();
    listSymbols();
  });
}

function show(id) {
  return get(withView('/api/features/' + id)).then(function (feature) {
    if (byId[id]) { layer.removeLayer(byId[id]); delete byId[id]; }
    if (feature.type === 'Feature' && !feature.properties.deleted_at && !feature.properties.hidden) {
      layer.addData(feature);
    }
    fit();
    listLatest();
    listSymbols();
  });
}

reload();
var live = document.getElementById('live');
var open = app.dataset.open === 'true';
var events = new EventSource('/api/workshops/' + workshop + '/events');
events.onopen = function () { live.textContent = open ? messages['wall.live'] : messages['wall.closed_status']; };
events.onerror = function () { live.textContent = messages['wall.offline']; };
events.addEventListener('features', function (e) {
  var change = JSON.parse(e.data);
  if (change.more) { reload(); return; }
  change.feature_ids.forEach(show);
});
events.addEventListener('reload', reload);
// Closed or reopened: the page shows the code and QR only while open, so it is drawn again.
events.addEventListener('workshop', function () { window.location.reload(); });

// Projecting sensitive places exactly is asked for first: the room sees what the phones hide.
var toggle = document.getElementById('sensitive-toggle');
if (toggle && toggle.dataset.confirm) {
  toggle.addEventListener('click', function (e) {
    if (!window.confirm(messages[toggle.dataset.confirm])) e.preventDefault();
  });
}
