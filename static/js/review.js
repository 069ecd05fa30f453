// The analyst's review: filter the project's features, see them on the map and in a table,
// accept, reject, hide or restore them, read their history. Data comes from the API.
import { app, messages, t, el, request, problem, notice } from './trama.js';
import * as basemaps from './basemap.js';
import { pageMap } from './map.js';

var project = app.dataset.project;
var locale = app.dataset.locale;
var moderator = app.dataset.moderator === 'true';
// The API with JSON bodies; a refusal comes back as its problem JSON marked `failed` (see
// `refused`), and so does a server that cannot be reached, with status 0; 204 as null.
function api(path, options) {
  options = Object.assign({}, options || {});
  options.headers = Object.assign({ 'Content-Type': 'application/json' }, options.headers || {});
  return request(path, options).then(function (answer) {
    if (answer.status === 204) return null;
    if (!answer.ok) return Object.assign(answer.body, { failed: true, status: answer.status });
    return answer.body;
  });
}

// What happened to the last action, in the page's language.
var noticeNode = document.getElementById('review-status');
function say(text, error) { notice(noticeNode, text, error); }
// Whether `answer` is a refusal; if so, says what it means.
function refused(answer) {
  if (!answer || !answer.failed) return false;
  say(problem(answer.status, answer), true);
  return true;
}
// Runs an action on drawing `id` and, when it was done, redraws that drawing.
function act(id, request) {
  return request.then(function (answer) {
    if (refused(answer)) return;
    say(t('review.done'));
    return refresh(id);
  });
}

var legend = {};
function label(key) {
  var s = legend[key];
  return s ? (s.labels[locale] || s.labels.es || key) : key;
}
var map = pageMap('map');
basemaps.add(map, app, { online: t('map.basemap_online'), none: t('map.basemap_none') });
var layers = {};
var layer = L.geoJSON(null, {
  style: function (f) {
    var s = legend[f.properties.symbol];
    return { color: s ? s.color : '#555', weight: 3, fillOpacity: 0.25, dashArray: f.properties.hidden ? '4 4' : null };
  },
  pointToLayer: function (f, at) {
    var s = legend[f.properties.symbol];
    return L.circleMarker(at, { radius: 8, color: '#fff', weight: 2, fillColor: s ? s.color : '#555', fillOpacity: f.properties.hidden ? 0.4 : 0.9 });
  },
  onEachFeature: function (f, l) {
    layers[f.id] = l;
    l.on('click', function () { select(f.id); });
  }
}).addTo(map);

// A heat layer of risk symbols, each weighing what its symbol weighs in priority areas.
var heat = L.heatLayer([], { radius: 25, blur: 20, maxZoom: 16 });
var heatToggle = document.getElementById('f-heat');
heatToggle.addEventListener('change', function () {
  if (heatToggle.checked) heat.addTo(map); else map.removeLayer(heat);
});
// The heat of every drawing listed so far, and how many risks make it (its legend shows
// only when some do).
var heatCount = 0;
function redrawHeat() {
  var points = Object.keys(byId).map(function (id) { return byId[id]; }).filter(function (f) {
    var s = legend[f.properties.symbol];
    return s && s.kind === 'risk' && s.weight > 0 && !f.properties.hidden;
  }).map(function (f) {
    var l = layers[f.id];
    var at = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
    return [at.lat, at.lng, legend[f.properties.symbol].weight];
  });
  heatCount = points.length;
  heat.setLatLngs(points);
}

var filters = document.getElementById('filters');
var tbody = document.querySelector('#features tbody');
var byId = {};

// What the priority panel (priority.js) shares with this page.
export const shared = {
  map: map, api: api, label: label, locale: locale, project: project, moderator: moderator,
  legend: legend, features: byId, heat: heat,
  heatPoints: function () { return heatCount; },
  filterParams: function () {
    var params = new URLSearchParams();
    ['workshop', 'group', 'symbol', 'since', 'until'].forEach(function (name) {
      var value = filters.elements[name].value;
      if (value) params.append(name, value);
    });
    return params;
  }
};

// The listing comes a page at a time, in drawing order; "load more" follows the API's
// next link and adds the page to what is shown.
var PAGE = 1000;
var more = document.getElementById('more');
var nextPage = null;
function show(collection, append) {
  if (!append) {
    layer.clearLayers();
    layers = {};
    tbody.textContent = '';
    Object.keys(byId).forEach(function (id) { delete byId[id]; });
  }
  layer.addData(collection);
  collection.features.forEach(function (f) { byId[f.id] = f; });
  collection.features.forEach(function (f) { tbody.appendChild(row(f)); });
  redrawHeat();
  if (heatToggle.checked && !map.hasLayer(heat)) heat.addTo(map);
  var next = (collection.links || []).filter(function (l) { return l.rel === 'next'; })[0];
  nextPage = next ? next.href : null;
  more.hidden = !nextPage;
  var count = Object.keys(byId).length;
  document.getElementById('count').textContent = t(nextPage ? 'review.count_truncated' : count === 1 ? 'review.count_one' : 'review.count', { count: count });
}

function load() {
  var params = new URLSearchParams();
  new FormData(filters).forEach(function (value, name) { if (value) params.append(name, value); });
  params.append('limit', PAGE);
  return api('/api/projects/' + project + '/features?' + params.toString()).then(function (collection) {
    if (refused(collection)) return;
    say('');
    show(collection, false);
    if (collection.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 17 });
  });
}

more.addEventListener('click', function () {
  if (!nextPage) return;
  more.disabled = true;
  api(nextPage).then(function (collection) {
    if (!refused(collection)) show(collection, true);
  }).finally(function () { more.disabled = false; });
});

// Workshops' titles and tables' names by id, for the table's columns.
var names = {};
function row(f) {
  var p = f.properties;
  var tr = el('tr', { 'data-id': f.id });
  if (p.hidden) tr.className = 'hidden-feature';
  var title = el('td');
  var zoom = el('button', { type: 'button', 'class': 'link' }, p.title || label(p.symbol));
  zoom.addEventListener('click', function () { select(f.id); });
  title.appendChild(zoom);
  title.appendChild(el('div', { 'class': 'hint' }, label(p.symbol)));
  tr.appendChild(title);
  // Where it was drawn (workshop · table) and by whom (a nickname, or staff).
  var where = el('td', {}, [names[p.workshop], names[p.group]].filter(Boolean).join(' · '));
  where.appendChild(el('div', { 'class': 'hint' }, (p.author && (p.author.display_name || p.author.username)) || ''));
  tr.appendChild(where);
  // Its state, with the reason of a rejection, and when it was drawn.
  var state = el('td', {}, t('state.' + p.review_state) + (p.hidden ? ' · ' + t('review.hidden') : '') + (p.deleted_at ? ' · ' + t('review.deleted_mark') : ''));
  if (p.review_state === 'rejected' && p.review_reason) state.appendChild(el('div', { 'class': 'reason' }, t('review.reason', { reason: p.review_reason })));
  state.appendChild(el('div', { 'class': 'hint' }, new Date(p.created_at).toLocaleDateString(locale)));
  tr.appendChild(state);
  var actions = el('td', { 'class': 'row-actions' });
  // Moderation is for analysts and admins; facilitators read the history and annotate.
  (moderator ? [['review.accept', function () { return review(f.id, { state: 'accepted' }); }],
   ['review.reject', function () {
      var reason = window.prompt(t('review.reject_reason'));
      return reason ? review(f.id, { state: 'rejected', reason: reason }) : Promise.resolve();
    }],
   [p.hidden ? 'review.unhide' : 'review.hide', function () { return act(f.id, api('/api/features/' + f.id + (p.hidden ? '/unhide' : '/hide'), { method: 'POST', body: '{}' })); }]] : [])
  .concat([['review.history', function () { return history(f.id, tr); }],
   ['review.annotate', function () {
      var body = window.prompt(t('review.annotation_prompt'));
      if (!body) return Promise.resolve();
      return api('/api/features/' + f.id + '/annotations', { method: 'POST', body: JSON.stringify({ body: body }) }).then(function (answer) {
        if (!refused(answer)) say(t('review.annotated'));
      });
    }]
  ]).concat(p.deleted_at && moderator ? [['review.restore', function () { return act(f.id, api('/api/features/' + f.id + '/restore', { method: 'POST', body: '{}' })); }]] : [])
  .forEach(function (action) {
    var button = el('button', { type: 'button', 'data-action': action[0] }, t(action[0]));
    button.addEventListener('click', action[1]);
    actions.appendChild(button);
  });
  tr.appendChild(actions);
  return tr;
}

function review(id, body) {
  return act(id, api('/api/features/' + id + '/review', { method: 'POST', body: JSON.stringify(body) }));
}

// After a moderation, only that drawing is read again and redrawn in place, so that an
// analyst working through later pages keeps their place.
function refresh(id) {
  return api('/api/features/' + id).then(function (f) {
    if (refused(f)) return;
    var old = tbody.querySelector('tr[data-id="' + id + '"]');
    if (!f || !f.id || !old) return load();
    byId[id] = f;
    if (layers[id]) layer.removeLayer(layers[id]);
    layer.addData(f);
    tbody.replaceChild(row(f), old);
    redrawHeat();
  });
}

function history(id, tr) {
  return api('/api/features/' + id + '/history').then(function (entries) {
    if (refused(entries)) return;
    var list = el('ol', { 'class': 'history' });
    entries.forEach(function (e) {
      var who = e.actor.username || e.actor.display_name || e.actor.kind;
      var action = messages['action.' + e.action] ? t('action.' + e.action) : e.action;
      var reason = e.feature && e.feature.properties && e.feature.properties.review_reason;
      var said = e.action === 'review' && reason ? ' · ' + t('review.reason', { reason: reason }) : '';
      list.appendChild(el('li', {}, new Date(e.at).toLocaleString(locale) + ' · ' + action + ' · ' + who + said));
    });
    tr.cells[0].appendChild(list);
  });
}

function select(id) {
  document.querySelectorAll('#features tr').forEach(function (r) { r.classList.toggle('selected', r.dataset.id === id); });
  var l = layers[id];
  if (!l) return;
  if (l.getBounds) map.fitBounds(l.getBounds(), { maxZoom: 18 }); else map.setView(l.getLatLng(), 17);
}

filters.addEventListener('submit', function (e) { e.preventDefault(); load(); });

// Two tabs: the drawings (their table) and the priority areas; the choice is in the
// address (#priority), so a reload stays on it.
function showTab(priority) {
  document.getElementById('drawings').hidden = priority;
  document.getElementById('priority').hidden = !priority;
  document.getElementById('tab-drawings').setAttribute('aria-selected', String(!priority));
  document.getElementById('tab-priority').setAttribute('aria-selected', String(priority));
}
document.getElementById('tab-drawings').addEventListener('click', function () { window.history.replaceState(null, '', '#drawings'); showTab(false); });
document.getElementById('tab-priority').addEventListener('click', function () { window.history.replaceState(null, '', '#priority'); showTab(true); });
showTab(location.hash === '#priority');

Promise.all([
  api('/api/projects/' + project + '/legend'),
  api('/api/projects/' + project + '/workshops'),
  api('/api/projects/' + project)
]).then(function (results) {
  results[0].forEach(function (s) {
    legend[s.key] = s;
    document.getElementById('f-symbol').appendChild(el('option', { value: s.key }, label(s.key)));
  });
  results[1].workshops.forEach(function (w) {
    names[w.id] = w.title;
    document.getElementById('f-workshop').appendChild(el('option', { value: w.id }, w.title));
    w.groups.forEach(function (g) {
      names[g.id] = g.name;
      document.getElementById('f-group').appendChild(el('option', { value: g.id }, w.title + ' · ' + g.name));
    });
  });
  if (results[2].area) L.geoJSON(results[2].area, { style: { color: '#555', weight: 2, dashArray: '6 4', fill: false }, interactive: false }).addTo(map);
  return load();
});
