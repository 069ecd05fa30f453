// The wall: the workshop's map projected in the room, live. Features arrive as GeoJSON from
// the API; server-sent events only say which ones changed.
import { app, t } from './trama.js';
import * as basemaps from './basemap.js';
import { pageMap } from './map.js';
import * as symbolsOnMap from './symbols.js';
import * as attachments from './attachments.js';

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
// The streets first; the legend's pictograms once they are drawn.
basemaps.add(map, app, { online: t('map.basemap_online'), none: t('map.basemap_none') })
  .then(function () { return symbolsOnMap.loadPictograms(app.dataset.project); });
// Every drawing the wall knows, by id; the map is drawn again from it after each change.
var drawings = {};
var symbols = [], bySymbol = {};
function symbolColour(f) { var s = bySymbol[f.properties.symbol]; return s ? s.color : '#555'; }
function tableColour(f) { return groupColour[f.properties.group] || '#555'; }
function labelOf(f) {
  // A masked drawing comes without its words: its symbol's name stands for it.
  return f.properties.title || symbolsOnMap.label(bySymbol[f.properties.symbol], app.dataset.locale) || f.properties.symbol;
}

// How many of the newest points stay out of the clusters, pictogram and title in view: what
// the room just drew is what it looks for.
var NEWEST_APART = 6;

// A label over each drawing, ranked by age (0 the newest) for `declutter`.
function label(layer, f, rank) {
  var text = document.createElement('strong');
  text.textContent = labelOf(f);
  // Before binding: a layer already on the map opens its permanent tooltip as it is bound.
  layer.on('tooltipopen', function (e) { e.tooltip.getElement().dataset.rank = rank; });
  layer.bindTooltip(text, { permanent: true, direction: 'top', className: 'wall-label' });
}

// Points far enough apart stand alone; close ones gather into a disc with their count, ringed
// in the colours of the tables that drew them, in proportion (leaflet.markercluster).
function clusterIcon(cluster) {
  var children = cluster.getAllChildMarkers();
  var byTable = {};
  children.forEach(function (m) { byTable[m.options.table] = (byTable[m.options.table] || 0) + 1; });
  var stops = [], from = 0;
  Object.keys(byTable).sort().forEach(function (colour) {
    var to = from + byTable[colour] / children.length * 360;
    stops.push(colour + ' ' + from.toFixed(1) + 'deg ' + to.toFixed(1) + 'deg');
    from = to;
  });
  var disc = document.createElement('div');
  disc.className = 'wall-cluster';
  disc.style.background = 'conic-gradient(' + stops.join(', ') + ')';
  var count = document.createElement('span');
  count.textContent = children.length;
  disc.appendChild(count);
  var size = Math.round(46 + Math.min(children.length, 60) / 3);
  return L.divIcon({ html: disc, className: 'wall-cluster-icon', iconSize: [size, size] });
}
// A projected wall fills the screen with the drawings: the fit may stop between zoom levels.
map.options.zoomSnap = 0.25;
// The clusters ask the map how far it zooms (a basemap may say later, or never).
if (!isFinite(map.getMaxZoom())) map.setMaxZoom(19);
var clusters = L.markerClusterGroup({
  maxClusterRadius: 60, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
  iconCreateFunction: clusterIcon
}).addTo(map);
var newest = L.featureGroup().addTo(map);
// Lines and zones (and masked places, which are cells) in their symbol's colour, outlined in
// their table's.
var shapes = L.geoJSON(null, {
  style: function (f) { return { color: tableColour(f), weight: 4, fillColor: symbolColour(f), fillOpacity: 0.45 }; },
  pointToLayer: function (f, at) { return symbolsOnMap.marker(at, bySymbol[f.properties.symbol], tableColour(f)); },
  onEachFeature: function (f, layer) { shown(layer, f); }
}).addTo(map);

// A tap on a drawing shows its title and its photos large enough for the room, as the wall
// sees the drawing (a sensitive one's never, unless projected exactly).
function shown(layer, f) {
  layer.bindPopup(function () {
    var box = document.createElement('div');
    box.className = 'popup wall-popup';
    var title = document.createElement('strong');
    title.textContent = labelOf(f);
    box.appendChild(title);
    box.appendChild(attachments.gallery(f.id, labelOf(f), {
      publicView: view === 'view=public',
      // Projected exactly: the audit trail records the reads as the wall's.
      door: view === 'door=wall' ? 'wall' : null,
      grown: function () { attachments.relayout(layer); }
    }));
    return box;
  }, { maxWidth: 440 });
}

function point(f, rank, isNew) {
  var c = f.geometry.coordinates;
  var marker = symbolsOnMap.marker([c[1], c[0]], bySymbol[f.properties.symbol], tableColour(f));
  marker.options.table = tableColour(f);
  marker.feature = f;
  if (isNew) marker.on('add', function () { marker.getElement().classList.add('newest'); });
  label(marker, f, rank);
  shown(marker, f);
  return marker;
}

// The map drawn again from `drawings`: a few hundred at a workshop's size, at once.
function render() {
  var all = Object.keys(drawings).map(function (id) { return drawings[id]; });
  all.sort(function (a, b) { return a.properties.created_at < b.properties.created_at ? 1 : -1; });
  clusters.clearLayers();
  newest.clearLayers();
  shapes.clearLayers();
  var apart = 0, gathered = [];
  all.forEach(function (f, rank) {
    if (f.geometry && f.geometry.type === 'Point') {
      var isNew = apart < NEWEST_APART;
      if (isNew) { apart += 1; newest.addLayer(point(f, rank, true)); } else { gathered.push(point(f, rank, false)); }
    } else if (f.geometry) {
      shapes.addData(f);
      // A masked place (a cell, without words) is told by its colour and the legend: a
      // label each would repeat the symbol's name over every cell.
      var layers = shapes.getLayers();
      if (f.properties.title) label(layers[layers.length - 1], f, rank);
    }
  });
  clusters.addLayers(gathered);
  fit();
  listLatest(all);
  listSymbols(all);
  declutterSoon();
}

// Labels never cover one another, nor a pin or a cluster's count: from the newest, each label
// takes the first place around its drawing (above, right, left, below) that overlaps none of
// those and lies within the map; the others wait until a zoom makes room. Written here because no maintained Leaflet plugin places tooltips without
// collisions (Leaflet.LabelTextCollision and its kin are unmaintained and draw on a canvas,
// which loses the pictograms' tooltips); it is the greedy placement map renderers use.
function overlaps(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
// Where a label may go around its drawing, in order of preference, and how far from its
// point: clear of a pin's disc (36 px, its tooltip anchored 16 px above its centre), or next
// to a line or zone's centre.
// Then the same a little farther, past a neighbouring cluster.
var PLACES = [
  ['top', 0, 0], ['right', 0, 0], ['left', 0, 0], ['bottom', 0, 0],
  ['top', 0, -36], ['right', 44, 0], ['left', -44, 0], ['bottom', 0, 36]
];
var PIN_OFFSETS = { top: [0, 0], right: [22, 16], left: [-22, 16], bottom: [0, 36] };
var SHAPE_OFFSETS = { top: [0, -4], right: [8, 0], left: [-8, 0], bottom: [0, 4] };
function declutter() {
  var box = map.getContainer().getBoundingClientRect();
  // What a label must not cover, nor hide under: every pin and cluster (its own pin aside),
  // the map's buttons and credits.
  var marks = Array.prototype.map.call(map.getContainer().querySelectorAll('.wall-cluster-icon, .pin-icon, .leaflet-control'), function (e) {
    return { el: e, rect: e.getBoundingClientRect() };
  });
  var tooltips = [];
  [clusters, newest, shapes].forEach(function (group) {
    group.eachLayer(function (layer) {
      var tooltip = layer.getTooltip && layer.getTooltip();
      if (tooltip && tooltip.getElement() && tooltip.getElement().isConnected) tooltips.push({ tooltip: tooltip, layer: layer });
    });
  });
  tooltips.sort(function (a, b) { return Number(a.tooltip.getElement().dataset.rank) - Number(b.tooltip.getElement().dataset.rank); });
  var labels = [];
  tooltips.forEach(function (t) {
    var tooltip = t.tooltip, el = tooltip.getElement(), rank = Number(el.dataset.rank);
    var own = t.layer.getElement && t.layer.getElement();
    var offsets = own && own.classList.contains('pin-icon') ? PIN_OFFSETS : SHAPE_OFFSETS;
    var placed = PLACES.some(function (place) {
      var side = place[0], near = offsets[side];
      tooltip.options.direction = side;
      tooltip.options.offset = L.point(near[0] + place[1], near[1] + place[2]);
      tooltip.update();
      var r = el.getBoundingClientRect();
      var free = r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom &&
        !labels.some(function (l) { return overlaps(l, r); }) &&
        !marks.some(function (m) {
          // The newest drawings' labels may cover another pin, never a cluster's count.
          var yields = rank < NEWEST_APART && m.el.classList.contains('pin-icon');
          return m.el !== own && !yields && overlaps(m.rect, r);
        });
      if (free) labels.push(r);
      return free;
    });
    el.classList.toggle('crowded', !placed);
  });
}
var declutterLater = null;
function declutterSoon() { clearTimeout(declutterLater); declutterLater = setTimeout(declutter, 60); }
map.on('zoomend moveend resize', declutterSoon);
clusters.on('animationend spiderfied unspiderfied', declutterSoon);

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
// A drawing opened to show the room (its photos) stays in view while others arrive.
map.on('popupopen', function () { following = false; });
// Drawings arrive in bursts: one fit after the burst, without animation (Leaflet drops a
// new zoom asked for while one is animating).
var fitLater = null;
function fit() {
  clearTimeout(fitLater);
  fitLater = setTimeout(function () {
    var bounds = L.latLngBounds([]);
    [clusters, newest, shapes].forEach(function (g) { var b = g.getBounds(); if (b.isValid()) bounds.extend(b); });
    if (!following || !bounds.isValid()) return;
    map.fitBounds(bounds, { maxZoom: 16, padding: [48, 48], animate: false });
  }, 250);
}
document.getElementById('fit').addEventListener('click', function (e) { e.stopPropagation(); following = true; fit(); });

// The latest drawings' titles, newest first, readable from the back of the room.
var latest = document.getElementById('latest');
function listLatest(all) {
  latest.textContent = '';
  all.slice(0, 6).forEach(function (f) {
    var item = document.createElement('li');
    var swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = tableColour(f);
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(labelOf(f)));
    latest.appendChild(item);
  });
}

// The symbols the map shows, with their pictograms and names.
var inUse = document.getElementById('symbols-in-use');
function listSymbols(all) {
  symbolsOnMap.legend(inUse, symbols, all.map(function (f) { return f.properties.symbol; }), app.dataset.locale);
}

// Never projected: hidden or deleted drawings (the exact view lists hidden ones).
function projected(f) { return f.type === 'Feature' && !f.properties.hidden && !f.properties.deleted_at; }

var renderLater = null;
function renderSoon() { clearTimeout(renderLater); renderLater = setTimeout(render, 100); }

function reload() {
  return get('/api/projects/' + project + '/legend').then(function (legend) {
    symbols = Array.isArray(legend) ? legend : [];
    symbols.forEach(function (s) { bySymbol[s.key] = s; });
    return get(withView('/api/projects/' + project + '/features?workshop=' + workshop));
  }).then(function (collection) {
    drawings = {};
    (collection.features || []).filter(projected).forEach(function (f) { drawings[f.id] = f; });
    render();
  });
}

function show(id) {
  return get(withView('/api/features/' + id)).then(function (feature) {
    if (projected(feature)) drawings[id] = feature; else delete drawings[id];
    renderSoon();
  });
}

reload();
var live = document.getElementById('live');
var open = app.dataset.open === 'true';
var events = new EventSource('/api/workshops/' + workshop + '/events');
events.onopen = function () { live.textContent = open ? t('wall.live') : t('wall.closed_status'); };
events.onerror = function () { live.textContent = t('wall.offline'); };
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
    if (!window.confirm(t(toggle.dataset.confirm))) e.preventDefault();
  });
}

// For tests and assistive tools: the page's map.
export { map };
