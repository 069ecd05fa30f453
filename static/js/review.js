// The analyst's review: filter the project's features, see them on the map and in a table,
// accept, reject, hide or restore them, read their history. Data comes from the API.
import { app, has, t, el, request, problem, notice } from './trama.js';
import * as basemaps from './basemap.js';
import { pageMap } from './map.js';
import * as questions from './questions.js';
import * as attachments from './attachments.js';

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

// The listing comes from the API a page (1,000) at a time, in drawing order; "load more"
// follows its next link and adds that page to what is listed.
var PAGE = 1000;
var more = document.getElementById('more');
var nextPage = null;
// The order drawings came in (the API's drawing order): what breaks a tie of the sorted column.
var listed = 0;
function show(collection, append) {
  if (!append) {
    layer.clearLayers();
    layers = {};
    Object.keys(byId).forEach(function (id) { delete byId[id]; });
    chosen.clear();
    start = 0;
    openId = null;
  }
  layer.addData(collection);
  collection.features.forEach(function (f) { f.seq = listed++; byId[f.id] = f; });
  redrawHeat();
  if (heatToggle.checked && !map.hasLayer(heat)) heat.addTo(map);
  var next = (collection.links || []).filter(function (l) { return l.rel === 'next'; })[0];
  nextPage = next ? next.href : null;
  more.hidden = !nextPage;
  var count = Object.keys(byId).length;
  document.getElementById('count').textContent = t(nextPage ? 'review.count_truncated' : 'review.count', { count: count });
  render();
}

// The legend's questions by key, over every symbol that asks each: private when any symbol
// makes it so (a sensitive question's, one asked on a private or short-text answer; as
// domain::question::sensitive_keys, and as the API refuses), with the options of all.
function questionsByKey(symbols) {
  var byKey = {};
  symbols.forEach(function (s) {
    var private_ = {};
    (s.questions || []).forEach(function (q) {
      var on = q.when && (s.questions || []).filter(function (e) { return e.key === q.when.question; })[0];
      private_[q.key] = !!(q.sensitive || (on && (private_[on.key] || on.type === 'text')));
      var known = byKey[q.key] || (byKey[q.key] = { question: q, type: q.type, private: false, options: [] });
      known.private = known.private || private_[q.key] || q.type === 'text';
      (q.options || []).forEach(function (o) {
        if (!known.options.some(function (k) { return k.key === o.key; })) known.options.push(o);
      });
    });
  });
  return byKey;
}

// The answers one can filter on (each yes or no, each option), and what a priority analysis
// may weigh drawings by (a number's answers, or yes and no); private questions for analysts
// and admins only.
function answerFilter(symbols) {
  var byKey = questionsByKey(symbols);
  var select = document.getElementById('f-answer');
  var weigh = document.getElementById('p-weight');
  var filters = 0, weights = 0;
  Object.keys(byKey).forEach(function (key) {
    var k = byKey[key];
    if (k.private && !moderator) return;
    var asked = questions.labelIn(k.question.labels, locale, key);
    var values = k.type === 'yes_no' ? [[true, t('question.yes')], [false, t('question.no')]]
      : k.type === 'choice' ? k.options.map(function (o) { return [o.key, questions.labelIn(o.labels, locale, o.key)]; }) : null;
    if (values) {
      var group = el('optgroup', { label: asked });
      // The closed list shows one option alone: it says its question too.
      values.forEach(function (v) { group.appendChild(el('option', { value: key + ':' + v[0] }, asked + ' ' + v[1])); });
      select.appendChild(group);
      filters++;
    }
    if (k.type === 'integer' || k.type === 'yes_no') {
      weigh.appendChild(el('option', { value: key }, t('priority.weight_answer', { question: asked })));
      weights++;
    }
  });
  document.getElementById('f-answer-box').hidden = !filters;
  document.getElementById('p-weight-box').hidden = !weights;
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

// The table shows ROWS drawings at a time, sorted by one column; a drawing's actions and
// history open under its row (one at a time), so that each row stays one line: 500 drawings
// are five pages of a table beside the map, not a stack of cards 17,000 px long.
var ROWS = 100;
var start = 0;
var sortKey = 'date';
var sortDirection = -1;
var openId = null;
// The drawings chosen for one decision (moderators), kept across pages and sorting.
var chosen = new Set();
// Workshops' titles and tables' names by id, for the table's columns.
var names = {};
function whereOf(p) { return [names[p.workshop], names[p.group]].filter(Boolean).join(' · '); }
function titleOf(f) { return f.properties.title || label(f.properties.symbol); }
var STATE_ORDER = { submitted: 0, accepted: 1, rejected: 2, merged: 3 };
var collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
function sortValue(f) {
  var p = f.properties;
  if (sortKey === 'title') return titleOf(f);
  if (sortKey === 'where') return whereOf(p);
  if (sortKey === 'state') return STATE_ORDER[p.review_state] * 4 + (p.hidden ? 1 : 0) + (p.deleted_at ? 2 : 0);
  return p.created_at;
}
function sorted() {
  return Object.keys(byId).map(function (id) { return byId[id]; }).sort(function (a, b) {
    var x = sortValue(a), y = sortValue(b);
    var c = typeof x === 'number' ? x - y : collator.compare(x, y);
    return (c || a.seq - b.seq) * sortDirection;
  });
}
var when = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: '2-digit', hour: '2-digit', minute: '2-digit' });

function render() {
  var all = sorted();
  if (start >= all.length) start = Math.max(0, Math.floor((all.length - 1) / ROWS) * ROWS);
  var shown = all.slice(start, start + ROWS);
  tbody.textContent = '';
  shown.forEach(function (f) {
    tbody.appendChild(row(f));
    if (f.id === openId) tbody.appendChild(details(f));
  });
  document.getElementById('page-of').textContent = all.length
    ? t('review.page_of', { from: start + 1, to: start + shown.length, count: all.length }) : '';
  document.getElementById('prev-page').disabled = start === 0;
  document.getElementById('next-page').disabled = start + ROWS >= all.length;
  document.querySelector('.pager').hidden = all.length <= ROWS && !moderator;
  document.querySelectorAll('#features th[aria-sort]').forEach(function (th) {
    var key = th.querySelector('button').dataset.sort;
    th.setAttribute('aria-sort', key === sortKey ? (sortDirection > 0 ? 'ascending' : 'descending') : 'none');
  });
  updateChoice(shown);
}

function row(f) {
  var p = f.properties;
  var tr = el('tr', { 'data-id': f.id });
  if (p.hidden) tr.classList.add('hidden-feature');
  if (f.id === openId) tr.classList.add('selected');
  if (moderator) {
    var pick = el('td', { 'class': 'pick' });
    var box = el('input', { type: 'checkbox', 'aria-label': t('review.choose', { title: titleOf(f) }) });
    box.checked = chosen.has(f.id);
    box.addEventListener('change', function () {
      if (box.checked) chosen.add(f.id); else chosen.delete(f.id);
      updateChoice();
    });
    pick.appendChild(box);
    tr.appendChild(pick);
  }
  var title = el('td', { 'class': 'title' });
  var s = legend[p.symbol];
  var dot = el('span', { 'class': 'dot', 'aria-hidden': 'true' });
  dot.style.background = s ? s.color : '#555';
  title.appendChild(dot);
  var open = el('button', { type: 'button', 'class': 'link', 'aria-expanded': String(f.id === openId) }, titleOf(f));
  open.addEventListener('click', function () { select(f.id === openId ? null : f.id); });
  title.appendChild(open);
  // On a phone the where and when columns are folded into the title's cell.
  title.appendChild(el('span', { 'class': 'hint folded' }, whereOf(p) + ' · ' + when.format(new Date(p.created_at))));
  tr.appendChild(title);
  tr.appendChild(el('td', { 'class': 'where' }, whereOf(p)));
  var state = el('td', { 'class': 'state' });
  state.appendChild(el('span', { 'class': 'badge ' + p.review_state }, t('state.' + p.review_state)));
  if (p.hidden) state.appendChild(el('span', { 'class': 'badge hidden-mark' }, t('review.hidden')));
  if (p.deleted_at) state.appendChild(el('span', { 'class': 'badge deleted-mark' }, t('review.deleted_mark')));
  tr.appendChild(state);
  tr.appendChild(el('td', { 'class': 'date' }, when.format(new Date(p.created_at))));
  return tr;
}

// A drawing's own line under its row: its symbol, author, a rejection's reason, what can be
// done to it, and its history when asked.
function details(f) {
  var p = f.properties;
  var tr = el('tr', { 'class': 'details', 'data-for': f.id });
  var td = el('td', { colspan: moderator ? 5 : 4 });
  var about = [label(p.symbol), (p.author && (p.author.display_name || p.author.username)) || ''].filter(Boolean).join(' · ');
  td.appendChild(el('p', { 'class': 'hint' }, about));
  var answered = questions.describe(legend[p.symbol], p.answers, locale);
  if (answered) td.appendChild(answered);
  td.appendChild(attachments.gallery(f.id, p.title || label(p.symbol), { removable: moderator }));
  if (p.review_state === 'rejected' && p.review_reason) td.appendChild(el('p', { 'class': 'reason' }, t('review.reason', { reason: p.review_reason })));
  var actions = el('div', { 'class': 'row-actions' });
  // Moderation is for analysts and admins; facilitators read the history and annotate.
  (moderator ? [['review.accept', function () { return review(f.id, { state: 'accepted' }); }],
   ['review.reject', function () {
      var reason = window.prompt(t('review.reject_reason'));
      return reason ? review(f.id, { state: 'rejected', reason: reason }) : Promise.resolve();
    }],
   [p.hidden ? 'review.unhide' : 'review.hide', function () { return act(f.id, api('/api/features/' + f.id + (p.hidden ? '/unhide' : '/hide'), { method: 'POST', body: '{}' })); }]] : [])
  .concat([['review.history', function () { return history(f.id, td); }],
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
  td.appendChild(actions);
  tr.appendChild(td);
  return tr;
}

document.querySelectorAll('#features th button[data-sort]').forEach(function (button) {
  button.addEventListener('click', function () {
    var key = button.dataset.sort;
    sortDirection = key === sortKey ? -sortDirection : (key === 'date' ? -1 : 1);
    sortKey = key;
    start = 0;
    render();
  });
});
document.getElementById('prev-page').addEventListener('click', function () { start = Math.max(0, start - ROWS); render(); });
document.getElementById('next-page').addEventListener('click', function () { start += ROWS; render(); });

// One decision for the drawings chosen: the page's box chooses the page, the pager's link
// every drawing listed; the bar says how many and sends them in one request per 1,000.
var bulk = document.getElementById('bulk');
var pageBox = document.getElementById('select-page');
var allLink = document.getElementById('select-all');
function updateChoice(shown) {
  if (!moderator) return;
  shown = shown || sorted().slice(start, start + ROWS);
  var onPage = shown.filter(function (f) { return chosen.has(f.id); }).length;
  pageBox.checked = shown.length > 0 && onPage === shown.length;
  pageBox.indeterminate = onPage > 0 && onPage < shown.length;
  document.getElementById('bulk-count').textContent = t('review.chosen', { count: chosen.size });
  bulk.querySelectorAll('button[data-bulk]').forEach(function (b) { b.disabled = chosen.size === 0; });
  var total = Object.keys(byId).length;
  allLink.hidden = total === 0;
  allLink.disabled = false;
  allLink.textContent = chosen.size === total && total ? t('review.choose_none') : t('review.choose_all', { count: total });
}
if (moderator) {
  pageBox.addEventListener('change', function () {
    sorted().slice(start, start + ROWS).forEach(function (f) {
      if (pageBox.checked) chosen.add(f.id); else chosen.delete(f.id);
    });
    render();
  });
  allLink.addEventListener('click', function () {
    var total = Object.keys(byId).length;
    if (chosen.size === total) chosen.clear(); else Object.keys(byId).forEach(function (id) { chosen.add(id); });
    render();
  });
  bulk.addEventListener('submit', function (e) { e.preventDefault(); });
  bulk.querySelectorAll('button[data-bulk]').forEach(function (button) {
    button.addEventListener('click', function () { decide(button.dataset.bulk); });
  });
}
function decide(action) {
  var reasonField = document.getElementById('bulk-reason');
  var reason = reasonField.value.trim();
  if (action === 'reject' && !reason) {
    say(t('review.bulk_reason_needed'), true);
    reasonField.focus();
    return Promise.resolve();
  }
  var ids = Array.from(chosen);
  var parts = [];
  for (var i = 0; i < ids.length; i += 1000) parts.push(ids.slice(i, i + 1000));
  var done = 0, unchanged = 0, refusals = [];
  bulk.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
  return parts.reduce(function (previous, part) {
    return previous.then(function () {
      var body = { ids: part, action: action };
      if (action === 'reject') body.reason = reason;
      return api('/api/projects/' + project + '/features/moderation', { method: 'POST', body: JSON.stringify(body) }).then(function (answer) {
        // A refused part leaves each of its drawings as it was.
        if (answer && answer.failed) { part.forEach(function () { refusals.push(problem(answer.status, answer)); }); return; }
        done += answer.moderated.length;
        unchanged += answer.unchanged.length;
        answer.refused.forEach(function (r) { refusals.push(problem(r.status, r)); });
      });
    });
  }, Promise.resolve()).then(function () {
    var text = t('review.bulk_done', { count: done });
    if (unchanged) text += ' ' + t('review.bulk_unchanged', { count: unchanged });
    if (refusals.length) text += ' ' + t('review.bulk_refused', { count: refusals.length, why: refusals[0] });
    // Read again in the same order, on the same page (the sort is the page's own state).
    var keep = start;
    if (action === 'reject') reasonField.value = '';
    return load().then(function () {
      start = keep;
      render();
      say(text, refusals.length > 0);
    });
  });
}

function review(id, body) {
  return act(id, api('/api/features/' + id + '/review', { method: 'POST', body: JSON.stringify(body) }));
}

// After a moderation, only that drawing is read again and redrawn in place, so that an
// analyst working through later pages keeps their place.
function refresh(id) {
  return api('/api/features/' + id).then(function (f) {
    if (refused(f)) return;
    if (!f || !f.id || !byId[id]) return load();
    f.seq = byId[id].seq;
    byId[id] = f;
    if (layers[id]) layer.removeLayer(layers[id]);
    layer.addData(f);
    render();
    redrawHeat();
  });
}

function history(id, cell) {
  return api('/api/features/' + id + '/history').then(function (entries) {
    if (refused(entries)) return;
    var old = cell.querySelector('.history');
    if (old) old.remove();
    var list = el('ol', { 'class': 'history' });
    entries.forEach(function (e) {
      var who = e.actor.username || e.actor.display_name || e.actor.kind;
      var action = has('action.' + e.action) ? t('action.' + e.action) : e.action;
      var reason = e.feature && e.feature.properties && e.feature.properties.review_reason;
      var said = e.action === 'review' && reason ? ' · ' + t('review.reason', { reason: reason }) : '';
      list.appendChild(el('li', {}, new Date(e.at).toLocaleString(locale) + ' · ' + action + ' · ' + who + said));
    });
    cell.appendChild(list);
  });
}

// Opens drawing `id`'s line (on its page of the table) and shows it on the map; null closes.
function select(id) {
  openId = id;
  if (id) {
    var index = sorted().findIndex(function (f) { return f.id === id; });
    if (index >= 0) start = Math.floor(index / ROWS) * ROWS;
  }
  render();
  if (!id) return;
  var tr = tbody.querySelector('tr[data-id="' + id + '"]');
  if (tr) tr.scrollIntoView({ block: 'nearest' });
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
  answerFilter(results[0]);
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
