// The participant's map: pick a symbol, draw it, answer its questions, give it a title, save.
// Nothing drawn is lost: every save goes through a queue kept in localStorage and is sent
// with its own Idempotency-Key until the server answers, so it is stored exactly once.

import { app, t, el, uuid, said, send as api } from './trama.js';
import * as basemaps from './basemap.js';
import * as symbolsOnMap from './symbols.js';
import { addPlaceSearch } from './places.js';
import { pageMap } from './map.js';
import * as questions from './questions.js';
import * as attachments from './attachments.js';

var project = app.dataset.project;
var locale = app.dataset.locale;
var queueKey = 'trama.queue.' + project;

var status = document.getElementById('status');
function say(text, pending) {
  status.textContent = text;
  status.className = pending ? 'status pending' : 'status';
}

// The map: the basemaps Trama serves (or the operator's online tiles), else a plain
// background with the project's area.
var map = pageMap('map');
// "Where am I?": the phone's own position, shown on this map and never sent anywhere.
// Browsers give it only to HTTPS pages and the laptop itself: elsewhere there is no button.
if (navigator.geolocation && window.isSecureContext) {
  var Locate = L.Control.extend({
    options: { position: 'topleft' },
    onAdd: function () {
      var bar = L.DomUtil.create('div', 'leaflet-bar locate');
      var button = L.DomUtil.create('a', '', bar);
      button.href = '#';
      button.setAttribute('role', 'button');
      button.title = t('map.locate');
      button.setAttribute('aria-label', t('map.locate'));
      button.textContent = '◎';
      L.DomEvent.on(button, 'click', function (e) {
        L.DomEvent.stop(e);
        say(t('map.locate_searching'));
        map.locate({ setView: true, maxZoom: 17, enableHighAccuracy: true, timeout: 15000 });
      });
      return bar;
    }
  });
  new Locate().addTo(map);
  var here = null;
  map.on('locationfound', function (e) {
    if (here) map.removeLayer(here);
    here = L.circle(e.latlng, { radius: e.accuracy, className: 'locate-accuracy', color: '#0b5cad', weight: 2, fillOpacity: 0.15, interactive: false }).addTo(map);
    say(t('map.locate_here', { metres: Math.round(e.accuracy) }));
  });
  map.on('locationerror', function () { say(t('map.locate_failed'), true); });
}
// The search first, so that it stays put at the top right when the basemap switch below it
// opens and closes.
addPlaceSearch(map, app);
// The streets first; the legend's pictograms once they are drawn.
basemaps.add(map, app, { online: t('map.basemap_online'), none: t('map.basemap_none') })
  .then(function () { return symbolsOnMap.loadPictograms(app.dataset.project); });
// The drawing library's hints in the page's language and voice (its own Spanish says
// "Presiona…"; the page says "Tocá…").
map.pm.setLang('trama', {
  tooltips: {
    placeMarker: t('geoman.place_marker'), placeCircleMarker: t('geoman.place_marker'),
    firstVertex: t('geoman.first_vertex'), continueLine: t('geoman.continue_line'),
    finishLine: t('geoman.finish_line'), finishPoly: t('geoman.finish_poly')
  },
  actions: { finish: t('draw.finish'), cancel: t('draw.cancel'), removeLastVertex: t('draw.undo_point') }
}, locale === 'es' ? 'es' : 'en');
map.pm.addControls({ position: 'topleft', drawControls: false, editControls: false, customControls: false });

var legend = {};
var drawn = L.geoJSON(null, {
  style: function (f) { return { color: colour(f), weight: 3, fillOpacity: 0.25 }; },
  pointToLayer: function (f, at) { return symbolsOnMap.marker(at, legend[f.properties.symbol], null); },
  onEachFeature: function (f, layer) {
    layer.bindPopup(function () { return popup(f, layer); }, { minWidth: 220, maxHeight: 320, autoPanPaddingTopLeft: [10, 60], autoPanPaddingBottomRight: [10, 20] });
  }
}).addTo(map);

// Drawings still in the queue (this visit's or an earlier one's), shown dashed until stored.
// One the server refused stays too; its popup says why and offers to retry or discard it.
var pending = L.geoJSON(null, {
  style: function (f) { return { color: colour(f), weight: 3, dashArray: '6 6', fillOpacity: 0.1 }; },
  pointToLayer: function (f, at) { return L.circleMarker(at, { radius: 9, color: colour(f), dashArray: '3 3', fillOpacity: 0.3 }); },
  onEachFeature: function (f, layer) {
    layer.bindPopup(function () { return queuedPopup(f.id); }, { minWidth: 220 });
  }
}).addTo(map);
// An item of the queue is a drawing to store (`feature`), with the keys of its photos and
// voice notes (`photos`, kept in IndexedDB by attachments.js); once the drawing is stored
// (`stored`, its id), what is left of the item is its files to send.
function pend(item) { if (!item.stored) pending.addData(Object.assign({}, item.feature, { id: item.key })); }
function unpend(key) { pending.eachLayer(function (l) { if (l.feature.id === key) pending.removeLayer(l); }); }

// Who I am, to offer "delete" on my own drawings only (the server checks it again).
var me = null;
api('/api/me').then(function (r) { return r.json(); }).then(function (who) { me = who; });

// A queued drawing's popup: waiting to be sent, or refused (why, and what can be done).
function queuedPopup(key) {
  var box = el('div', { 'class': 'popup' });
  var item = queue().filter(function (i) { return i.key === key; })[0];
  if (!item) return box;
  var p = item.feature.properties;
  box.appendChild(el('strong', {}, p.title || label(legend[p.symbol])));
  var waiting = (item.photos || []).length;
  if (!item.failed) {
    box.appendChild(el('p', { 'class': 'hint' }, t('draw.queued')));
    if (waiting) box.appendChild(el('p', { 'class': 'hint' }, t('photo.waiting', { count: waiting })));
    return box;
  }
  box.appendChild(el('p', { 'class': 'warning' }, t('draw.not_saved') + ' ' + (item.reason || '')));
  var actions = el('div', { 'class': 'actions' });
  var retry = el('button', { type: 'button' }, t('draw.retry'));
  retry.addEventListener('click', function () {
    map.closePopup();
    store(queue().map(function (i) {
      if (i.key === key) { delete i.failed; delete i.reason; }
      return i;
    }));
    flush();
  });
  var discard = el('button', { type: 'button', 'class': 'link' }, t('draw.discard'));
  discard.addEventListener('click', function () {
    if (!window.confirm(t('draw.discard_confirm'))) return;
    map.closePopup();
    (item.photos || []).forEach(attachments.forget);
    store(queue().filter(function (i) { return i.key !== key; }));
    unpend(key);
    say(t('draw.discarded'));
  });
  actions.appendChild(retry);
  actions.appendChild(discard);
  box.appendChild(actions);
  return box;
}

// A drawing's popup: what it is, the workshop's comments on it, a box to add one.
function popup(f, layer) {
  var box = el('div', { 'class': 'popup' });
  box.appendChild(el('strong', {}, f.properties.title || label(legend[f.properties.symbol]) || ''));
  box.appendChild(el('div', { 'class': 'hint' }, label(legend[f.properties.symbol])));
  if (f.properties.description) box.appendChild(el('p', {}, f.properties.description));
  var answered = questions.describe(legend[f.properties.symbol], f.properties.answers, locale);
  if (answered) box.appendChild(answered);
  if (!f.id) return box; // still waiting in the queue
  box.appendChild(attachments.gallery(f.id, f.properties.title || label(legend[f.properties.symbol]), {
    grown: function () { attachments.relayout(layer); }
  }));
  // One's own drawing: change it or delete it, before the comments.
  var author = f.properties.author;
  if (me && author && author.kind === 'participant' && author.id === me.id) {
    var remove = el('button', { type: 'button', 'class': 'link' }, t('draw.delete'));
    remove.addEventListener('click', function () {
      map.closePopup();
      drawn.removeLayer(layer);
      offerUndo(t('draw.deleted_undo'), function () { drawn.addData(f); }, function () { deleteDrawing(f); });
    });
    box.appendChild(remove);
    var edit = el('button', { type: 'button', 'class': 'link' }, t('draw.edit'));
    edit.addEventListener('click', function () { startEdit(f, layer); });
    box.appendChild(edit);
  }
  box.appendChild(el('h3', {}, t('draw.comments')));
  var list = el('ul', { 'class': 'comments' });
  box.appendChild(list);
  // Each comment with who wrote it (a nickname, or staff) and when.
  function listComment(n) {
    var item = el('li', {}, n.body);
    var who = (n.author && (n.author.display_name || n.author.username)) || t('draw.comment_someone');
    var when = new Date(n.created_at).toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    item.appendChild(el('div', { 'class': 'hint' }, who + ' · ' + when));
    // Its photos and voice notes, named as the comment's.
    item.appendChild(attachments.gallery(f.id, t('draw.comment_by', { who: who }), {
      annotation: n.id, grown: function () { attachments.relayout(layer); }
    }));
    list.appendChild(item);
    return item;
  }
  api('/api/features/' + f.id + '/annotations').then(function (r) {
    if (r.status === 401) { forgetKnown(); return []; }
    if (!r.ok) throw new Error('server ' + r.status);
    return r.json();
  }).then(function (notes) {
    remember(function (k) { k.notes[f.id] = notes; });
    notes.forEach(listComment);
  }).catch(function () {
    // Out of reach: the comments the phone last read.
    var last = known();
    ((last && last.notes[f.id]) || []).forEach(listComment);
  });
  var form = el('form', { 'class': 'comment' });
  var area = el('textarea', { rows: '2', maxlength: '5000', 'aria-label': t('draw.comment_label') });
  form.appendChild(area);
  // A photo or a voice note with the comment, sent once the comment is stored; folded, so
  // that a small popup stays small.
  var folded = el('details', { 'class': 'comment-files' });
  folded.appendChild(el('summary', {}, t('draw.comment_attach')));
  var files = el('div', { 'class': 'photos' });
  folded.appendChild(files);
  form.appendChild(folded);
  var commentFiles = attachments.picker(files, 3);
  form.appendChild(el('button', { type: 'submit' }, t('draw.comment_add')));
  // Why a comment was not sent; its text stays in the box to send again.
  var note = el('p', { 'class': 'status error', role: 'status' });
  form.appendChild(note);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!area.value.trim()) return;
    note.textContent = '';
    api('/api/features/' + f.id + '/annotations', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ body: area.value })
    }).then(function (r) {
      if (r.status === 201) {
        return r.json().then(function (stored) {
          remember(function (k) { k.notes[f.id] = (k.notes[f.id] || []).concat([stored]); });
          var keys = commentFiles.keys();
          commentFiles.clear(true);
          area.value = '';
          return Promise.all(keys.map(function (key) {
            return attachments.send(f.id, key, stored.id).catch(function () { return { refused: {} }; });
          })).then(function (sent) {
            if (sent.some(function (s) { return !s.sent; })) note.textContent = t('draw.comment_files_not_sent');
            listComment(stored);
          });
        });
      }
      return r.json().catch(function () { return {}; }).then(function (problem) {
        note.textContent = r.status === 403 ? t('draw.refused.comment') : refusal(r.status, problem, 'draw.refused.unchangeable');
      });
    }, function () { note.textContent = t('draw.comment_offline'); });
  });
  box.appendChild(form);
  return box;
}

// Deletes one's own drawing `f` (already taken off the map), once its undo has passed; put
// back when the server refuses.
function deleteDrawing(f) {
  api('/api/features/' + f.id, { method: 'DELETE', keepalive: true, headers: { 'If-Match': '"' + f.properties.revision + '"' } })
    .then(function (r) {
      if (r.status === 204) {
        rememberDrawings();
        confirmedAt(serverTime(r));
        say(t('draw.deleted'));
        return;
      }
      if (r.status === 412) return reloadDrawing(f.id);
      drawn.addData(f);
      return r.json().catch(function () { return {}; }).then(function (problem) {
        say(refusal(r.status, problem, 'draw.refused.unchangeable'), true);
      });
    }, function () { drawn.addData(f); say(t('draw.delete_offline'), true); });
}

// Editing one's own drawing: its shape on the map (Geoman's edit mode) and its texts in
// the same form as when it was drawn; saved with If-Match so no one's change is lost.
var editing = null;
function startEdit(f, layer) {
  map.closePopup();
  editing = { feature: f, layer: layer };
  if (layer.pm) layer.pm.enable({ allowSelfIntersection: false });
  document.getElementById('instructions').textContent = t('draw.edit_hint');
  warnIfSensitive(legend[f.properties.symbol]);
  document.getElementById('feature-title').value = f.properties.title || '';
  document.getElementById('feature-description').value = f.properties.description || '';
  readAnswers = questions.ask(questionsBox, legend[f.properties.symbol], locale, f.properties.answers);
  form.hidden = false;
}
function finishEdit(queued) {
  if (editing && editing.layer.pm) editing.layer.pm.disable();
  editing = null;
  ready();
  closeForm(queued);
}
function saveEdit() {
  var f = editing.feature;
  var changed = editing.layer.toGeoJSON();
  var body = {
    geometry: changed.geometry,
    properties: {
      title: document.getElementById('feature-title').value,
      description: document.getElementById('feature-description').value,
      answers: readAnswers()
    }
  };
  var layer = editing.layer;
  var photoKeys = chosenPhotos.keys();
  finishEdit(true);
  // Photos added while editing go by the queue, whatever becomes of the change.
  if (photoKeys.length) enqueue({ stored: f.id, photos: photoKeys });
  api('/api/features/' + f.id, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', 'If-Match': '"' + f.properties.revision + '"' },
    body: JSON.stringify(body)
  }).then(function (r) {
    return r.json().then(function (answer) {
      drawn.removeLayer(layer);
      if (r.ok) {
        drawn.addData(answer);
        rememberDrawings();
        confirmedAt(answer.properties && answer.properties.updated_at);
        say(t('draw.updated'));
        return;
      }
      if (r.status === 412) return reloadDrawing(f.id);
      drawn.addData(f);
      say(refusal(r.status, answer, 'draw.refused.unchangeable'));
    });
  }, function () {
    // Not sent: the drawing goes back to what is stored, and the person is told.
    drawn.removeLayer(layer);
    drawn.addData(f);
    say(t('draw.edit_offline'), true);
  });
}

// Someone changed drawing `id` meanwhile: show it as it is now (in place of `layer`).
function reloadDrawing(id, layer) {
  say(t('draw.conflict'));
  return api('/api/features/' + id).then(function (x) { return x.json(); }).then(function (fresh) {
    if (layer) drawn.removeLayer(layer);
    if (fresh.type === 'Feature') drawn.addData(fresh);
  });
}

function colour(f) { var s = legend[f.properties.symbol]; return s ? s.color : '#555'; }
function label(symbol) {
  if (!symbol) return '';
  return symbol.labels[locale] || symbol.labels.es || symbol.labels[Object.keys(symbol.labels)[0]] || symbol.key;
}


// What the page starts from: the project's area, the legend, the drawings. The server puts
// them in the page (#initial), so that on a slow network the map is usable when the page
// arrives, without a round trip more; a page without them (kept by the service worker from
// an older version) asks the API, side by side.
function json(path) { return api(path).then(function (r) { return r.json(); }); }
function startingData() {
  var given = document.getElementById('initial');
  if (given) return Promise.resolve(JSON.parse(given.textContent));
  return Promise.all([
    json('/api/projects/' + project), json('/api/projects/' + project + '/legend'), json('/api/projects/' + project + '/features')
  ]).then(function (answers) { return { project: answers[0], legend: answers[1], features: answers[2] }; });
}
// What this phone last knew of its workshop: the drawings the map showed, the comments read,
// whether the workshop was open, as of the page it came from (`as_of`, the server's time in
// ms). A reload with the server out of reach gets the page the service worker kept, as it was
// when it was last loaded; what the phone learnt since is here, so a drawing saved since does
// not vanish and get drawn twice. A page newer than what is known (loaded from the server)
// starts it afresh; leaving the workshop forgets it.
var knownKey = 'trama.known.' + project + '.' + app.dataset.workshop;
function known() { try { return JSON.parse(localStorage.getItem(knownKey)); } catch (_) { return null; } }
// The session ended (left elsewhere, withdrawn, expired): nothing of it stays on the phone.
function forgetKnown() { localStorage.removeItem(knownKey); }
function remember(change) {
  var k = known() || { as_of: 0, features: [], notes: {}, open: true };
  change(k);
  try { localStorage.setItem(knownKey, JSON.stringify(k)); } catch (_) { /* full: the page still works */ }
}
var rememberLater = null;
function rememberDrawings() {
  clearTimeout(rememberLater);
  rememberLater = null;
  remember(function (k) { k.features = drawn.getLayers().map(function (l) { return l.feature; }); });
}
// A change the server confirmed at `at` (its time): a copy of the page the service worker
// fetched before it is older than what the phone knows (a first visit's copy is fetched after
// the page shown, and would otherwise win).
function confirmedAt(at) {
  var ms = typeof at === 'number' ? at : Date.parse(at);
  if (!isNaN(ms)) remember(function (k) { k.as_of = Math.max(k.as_of || 0, ms); });
}
function serverTime(response) {
  // The Date header has whole seconds: the change was within the second after it.
  var date = response && response.headers.get('Date');
  return date ? Date.parse(date) + 999 : NaN;
}
function rememberDrawingsSoon() { clearTimeout(rememberLater); rememberLater = setTimeout(rememberDrawings, 50); }
window.addEventListener('pagehide', function () { if (rememberLater) rememberDrawings(); });
document.querySelectorAll('form[action="/leave"]').forEach(function (leave) {
  // Leaving a shared phone leaves nothing of this person on it: what is still waiting to be
  // sent goes too, once they say so.
  leave.addEventListener('submit', function (e) {
    var waiting = queue();
    localStorage.removeItem(knownKey);
    if (!waiting.length) return;
    e.preventDefault();
    if (!window.confirm(t('draw.leave_unsent', { count: waiting.length }))) return;
    // This queue's photos and notes gone from the phone first, then the queue, then out.
    var keys = [].concat.apply([], waiting.map(function (i) { return i.photos || []; }));
    Promise.all(keys.map(attachments.forget)).then(function () {
      localStorage.removeItem(queueKey);
      leave.submit();
    });
  });
});
function showWorkshopState(open) {
  workshopState.hidden = open;
  if (!open) workshopState.textContent = t('draw.workshop_closed');
}

var areaBounds = null;
startingData().then(function (start) {
  var last = known();
  if (last && start.as_of && last.as_of >= start.as_of) {
    // A kept page no newer than what the phone knows: show what it knows.
    start.features = { type: 'FeatureCollection', features: last.features };
    start.open = last.open;
  } else {
    remember(function (k) {
      k.as_of = start.as_of || 0;
      k.features = (start.features && start.features.features) || [];
      k.notes = {};
      k.open = start.open !== false;
    });
  }
  if (start.open === false) showWorkshopState(false);
  if (start.project.area) {
    var area = L.geoJSON(start.project.area, { style: { color: '#555', weight: 2, dashArray: '6 4', fill: false }, interactive: false }).addTo(map);
    areaBounds = area.getBounds();
    map.fitBounds(areaBounds);
  }
  start.legend.forEach(function (s) { legend[s.key] = s; });
  renderPalette(start.legend);
  drawn.addData(start.features);
  drawn.on('layeradd layerremove', rememberDrawingsSoon);
  // Files held back while the workshop was closed or the session ended are tried again with
  // each visit to an open workshop (sent, or held again).
  if (start.open !== false) {
    store(queue().map(function (i) {
      if (i.stored && i.closed) { delete i.failed; delete i.reason; delete i.closed; }
      return i;
    }));
  }
  queue().forEach(pend);
  var unsaved = queue().filter(function (i) { return i.failed && !i.stored; }).length;
  var held = queue().reduce(function (n, i) { return n + (i.stored && i.failed ? i.photos.length : 0); }, 0);
  if (unsaved) say(t('draw.unsaved', { count: unsaved }));
  else if (held) say(t('photo.held', { count: held }), true);
  app.dataset.loaded = 'true'; // for tests and assistive tools: the map shows what there is
  performance.mark('trama:usable');
  flush();
});

// The palette, grouped by kind; a symbol drawn in more than one way offers each shape.
var chosen = null;
var shapes = { point: 'CircleMarker', line: 'Line', polygon: 'Polygon' };
function renderPalette(symbols) {
  var palette = document.getElementById('palette');
  ['risk', 'resource', 'actor', 'relation', 'other'].forEach(function (kind) {
    var ofKind = symbols.filter(function (s) { return s.kind === kind; });
    if (!ofKind.length) return;
    var group = el('div', { 'class': 'kind' });
    group.appendChild(el('h2', {}, t('draw.kind.' + kind)));
    ofKind.forEach(function (symbol) {
      var item = el('div', { 'class': 'symbol-item', 'data-search': searchable(label(symbol) + ' ' + symbol.key) });
      var button = el('button', { type: 'button', 'class': 'symbol', 'aria-pressed': 'false', 'data-symbol': symbol.key });
      var swatch = el('span', { 'class': 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = symbol.color;
      button.appendChild(swatch);
      if (symbol.icon) {
        var icon = symbolsOnMap.pictogramImage(symbol.icon, 'pictogram');
        icon.width = 28;
        icon.height = 28;
        button.appendChild(icon);
      }
      button.appendChild(el('span', {}, label(symbol)));
      button.addEventListener('click', function () { choose(symbol, symbol.geometry_types[0], button); });
      item.appendChild(button);
      if (symbol.geometry_types.length > 1) {
        var row = el('div', { 'class': 'shapes' });
        symbol.geometry_types.forEach(function (type) {
          var shape = el('button', { type: 'button', 'data-shape': type }, { point: '•', line: '〰', polygon: '⬠' }[type] + ' ' + t('draw.shape.' + type));
          shape.setAttribute('aria-label', label(symbol) + ': ' + t('draw.shape.' + type));
          shape.addEventListener('click', function () { choose(symbol, type, button); });
          row.appendChild(shape);
        });
        item.appendChild(row);
      }
      group.appendChild(item);
    });
    palette.appendChild(group);
  });
}

// Text as the search compares it: lower case, without accents ("línea" finds "Linea").
function searchable(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// The legend's search: only the symbols whose name has what was typed, their kinds' titles
// with them, and a line when none has it.
var search = document.getElementById('legend-search');
search.addEventListener('input', function () {
  var wanted = searchable(search.value.trim());
  var shown = 0;
  document.querySelectorAll('#palette .kind').forEach(function (group) {
    var inGroup = 0;
    group.querySelectorAll('.symbol-item').forEach(function (item) {
      var match = !wanted || item.dataset.search.indexOf(wanted) >= 0;
      item.hidden = !match;
      if (match) inGroup++;
    });
    group.hidden = !inGroup;
    shown += inGroup;
  });
  document.getElementById('legend-none').hidden = shown > 0;
});

// The table colour as a filter: only this table's drawings on the map, or every table's.
// Each drawing's element is marked when it is added; the box hides the others' by a class.
drawn.on('layeradd', function (e) {
  var element = e.layer.getElement && e.layer.getElement();
  if (element) element.classList.toggle('other-table', e.layer.feature.properties.group !== app.dataset.group);
});
var onlyMine = document.getElementById('only-mine');
onlyMine.addEventListener('change', function () {
  map.getContainer().classList.toggle('only-mine', onlyMine.checked);
});

function choose(symbol, type, button) {
  document.querySelectorAll('.symbol').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
  button.setAttribute('aria-pressed', 'true');
  chosen = { symbol: symbol, type: type };
  document.getElementById('instructions').textContent = t('draw.' + type);
  map.pm.disableDraw();
  // One drawing per choice: afterwards a tap on a drawing opens it (its comments, edit,
  // delete) instead of dropping another point on it.
  map.pm.enableDraw(shapes[type], {
    continueDrawing: false,
    snappable: false,
    finishOn: type === 'line' ? 'dblclick' : null,
    templineStyle: { color: symbol.color },
    hintlineStyle: { color: symbol.color, dashArray: '5 5' },
    pathOptions: { color: symbol.color }
  });
  drawActions.hidden = type === 'point';
  app.classList.toggle('drawing', !drawActions.hidden);
}

// Lines and zones: undo the last point, cancel, finish, as buttons (Geoman's own are in its
// toolbar, which this page does not show). `_removeLastVertex` and `_finishShape` are its
// documented-in-source actions behind those buttons.
var drawActions = document.getElementById('draw-actions');
function drawer() { return chosen && map.pm.Draw[shapes[chosen.type]]; }
document.getElementById('draw-undo').addEventListener('click', function () {
  var d = drawer();
  if (d && d._removeLastVertex) d._removeLastVertex();
});
// Cancelling a line or zone in progress can be undone for a few seconds: its points come back.
document.getElementById('draw-cancel').addEventListener('click', function () {
  var d = drawer(), was = chosen;
  var points = d && d._layer && d._layer.getLatLngs ? d._layer.getLatLngs().slice() : [];
  ready();
  if (!points.length || !was) return;
  offerUndo(t('draw.cancelled'), function () {
    var button = document.querySelector('[data-symbol="' + was.symbol.key + '"]');
    choose(was.symbol, was.type, button || document.createElement('button'));
    // Geoman adds a point where a tap was (`_createVertex`, as behind its own clicks).
    var again = drawer();
    if (again && again._createVertex) points.forEach(function (at) { again._createVertex({ latlng: at }); });
  }, function () {});
});

// What cannot be taken back at once waits a few seconds with "Undo": a slip of the finger
// (a tap beside a button, a delete meant for another drawing) is undone, not lost. One at a
// time: a new one lets the earlier happen.
var UNDO_MS = 6000;
var undoBar = document.getElementById('undo');
var pendingUndo = null;
function offerUndo(text, undo, commit) {
  if (pendingUndo) pendingUndo.commit();
  var settled = false, timer = null;
  function settle(then) {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    undoBar.hidden = true;
    app.classList.remove('undoing');
    pendingUndo = null;
    then();
  }
  pendingUndo = { commit: function () { settle(commit); } };
  timer = setTimeout(pendingUndo.commit, UNDO_MS);
  undoBar.querySelector('.undo-text').textContent = text;
  undoBar.querySelector('button').onclick = function () { settle(undo); };
  undoBar.hidden = false;
  app.classList.add('undoing');
}
// Leaving the page carries out what was waiting (the request outlives the page).
window.addEventListener('pagehide', function () { if (pendingUndo) pendingUndo.commit(); });
document.getElementById('draw-finish').addEventListener('click', function () {
  var d = drawer();
  if (d && d._finishShape) d._finishShape();
});

// Back to the start: no symbol chosen, the first instruction again.
function ready() {
  map.pm.disableDraw();
  drawActions.hidden = true;
  app.classList.remove('drawing');
  document.querySelectorAll('.symbol').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
  document.getElementById('instructions').textContent = t('draw.pick_symbol');
}

// A sensitive symbol's words are hidden like its place from the other tables, yet an address
// or a shop's name in a title would still point at it for those who see it: say so first.
function warnIfSensitive(symbol) {
  document.getElementById('sensitive-warning').hidden = !(symbol && symbol.sensitive);
}

// A finished drawing asks its symbol's questions and its title before it is saved.
var form = document.getElementById('feature-form');
var questionsBox = document.getElementById('feature-questions');
var readAnswers = function () { return {}; };
var photosBox = document.getElementById('feature-photos');
var chosenPhotos = attachments.picker(photosBox, attachments.MAX_PER_DRAWING);
var sketch = null;
// `queued`: the chosen photos went into the queue (else they are forgotten).
function closeForm(queued) {
  form.hidden = true;
  form.reset();
  questions.ask(questionsBox, null, locale);
  readAnswers = function () { return {}; };
  chosenPhotos.clear(queued);
}
map.on('pm:create', function (e) {
  sketch = { layer: e.layer, symbol: chosen.symbol.key };
  document.getElementById('feature-symbol').textContent = t('draw.form_symbol', { symbol: label(chosen.symbol) });
  warnIfSensitive(chosen.symbol);
  readAnswers = questions.ask(questionsBox, chosen.symbol, locale, {});
  ready();
  // Far from the project's area, a slip of the finger is likelier than a real place: ask.
  var at = e.layer.getBounds ? e.layer.getBounds() : L.latLngBounds([e.layer.getLatLng()]);
  if (areaBounds && !areaBounds.intersects(at) && !window.confirm(t('draw.outside_area'))) {
    map.removeLayer(e.layer);
    sketch = null;
    return;
  }
  form.hidden = false;
  form.scrollTop = 0;
  // The shape just drawn stays in sight above the title form (it used to hide under it).
  var covered = Math.max(0, map.getContainer().getBoundingClientRect().bottom - form.getBoundingClientRect().top);
  var target = e.layer.getBounds ? e.layer.getBounds().getCenter() : e.layer.getLatLng();
  map.panInside(target, { paddingTopLeft: [20, 20], paddingBottomRight: [20, covered + 20], animate: false });
  // The first question, or the title: where the person goes on.
  (questionsBox.querySelector('input') || document.getElementById('feature-title')).focus();
});
document.getElementById('feature-cancel').addEventListener('click', function () {
  if (editing) { var f = editing.feature, l = editing.layer; finishEdit(); drawn.removeLayer(l); drawn.addData(f); return; }
  if (sketch) map.removeLayer(sketch.layer);
  sketch = null;
  closeForm();
});
form.addEventListener('submit', function (e) {
  e.preventDefault();
  if (editing) { saveEdit(); return; }
  if (!sketch) return;
  var feature = sketch.layer.toGeoJSON();
  feature.properties = {
    symbol: sketch.symbol,
    title: document.getElementById('feature-title').value,
    description: document.getElementById('feature-description').value,
    answers: readAnswers()
  };
  var photoKeys = chosenPhotos.keys();
  map.removeLayer(sketch.layer);
  sketch = null;
  closeForm(true);
  enqueue({ feature: feature, photos: photoKeys });
});

// The queue: first in, first out; an item leaves it only when the server has it.
function queue() { try { return JSON.parse(localStorage.getItem(queueKey)) || []; } catch (_) { return []; } }
function store(items) { localStorage.setItem(queueKey, JSON.stringify(items)); }
function enqueue(what) {
  var items = queue();
  var item = Object.assign({ key: uuid() }, what);
  items.push(item);
  store(items);
  pend(item);
  flush();
}

// What a refusal means for the person drawing, in the page's language; the server's own
// words (written for developers, in English) only when nothing more specific is known.
// `conflict` says what a 409 means here: a closed workshop for a new drawing, a deleted
// drawing or closed workshop for an edit.
function refusal(status, problem, conflict) {
  if (status === 401) forgetKnown();
  var known = { 401: 'draw.refused.session', 403: 'draw.refused.forbidden', 409: conflict, 413: 'draw.refused.too_big', 429: 'draw.refused.too_fast' }[status];
  if (known) return t(known);
  var errors = problem.errors || [];
  if (status === 422 && errors.some(function (e) { return /\/geometry/.test(e.pointer || ''); })) return t('draw.refused.shape');
  return t('draw.failed', { detail: errors[0] ? errors[0].detail : problem.detail });
}

// The facilitator closes or reopens the workshop: said at the top of the screen at once,
// and on reopening, drawings refused as "closed" are sent again.
var workshopState = document.getElementById('workshop-state');
var events = new EventSource('/api/workshops/' + app.dataset.workshop + '/events');
events.addEventListener('workshop', function (e) {
  var change = JSON.parse(e.data);
  workshopState.hidden = false;
  workshopState.textContent = change.open ? t('draw.workshop_reopened') : t('draw.workshop_closed');
  remember(function (k) { k.open = change.open; });
  if (!change.open) return;
  setTimeout(function () { workshopState.hidden = true; }, 8000);
  store(queue().map(function (i) {
    if (i.closed) { delete i.failed; delete i.reason; delete i.closed; }
    return i;
  }));
  flush();
});

var flushing = false;
function flush() {
  if (flushing) return;
  var items = queue().filter(function (item) { return !item.failed; });
  if (!items.length) return;
  flushing = true;
  var item = items[0];
  if (item.stored) { sendPhoto(item); return; }
  api('/api/projects/' + project + '/features', {
    method: 'POST',
    headers: { 'Content-Type': 'application/geo+json', 'Idempotency-Key': item.key },
    body: JSON.stringify(item.feature)
  }).then(function (response) {
    if (response.status === 201) {
      return response.json().then(function (stored) {
        unpend(item.key);
        drawn.addData(stored);
        rememberDrawings();
        confirmedAt(stored.properties && stored.properties.updated_at);
        // Stored: what is left of the item is its photos, sent next.
        store(queue().map(function (i) {
          if (i.key === item.key) { delete i.feature; i.stored = stored.id; }
          return i;
        }).filter(function (i) { return !(i.stored && !(i.photos || []).length); }));
        sayWaiting();
        flushing = false;
        flush();
      });
    } else if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      // Refused for good (invalid drawing, closed workshop): keep it, marked, and say why.
      return response.json().then(function (problem) {
        var reason = refusal(response.status, problem, 'draw.refused.closed');
        store(queue().map(function (i) {
          if (i.key === item.key) { i.failed = problem.detail; i.reason = reason; i.closed = response.status === 409; }
          return i;
        }));
        say(reason);
        flushing = false;
      });
    } else if (response.status === 429) {
      // Too many at once: the drawings wait in the queue and go by themselves later.
      say(t('draw.slow_down'), true);
      flushing = false;
    } else {
      throw new Error('server ' + response.status);
    }
  }).catch(function () {
    flushing = false;
    sayWaiting(true);
  });
}

// Sends the first photo of `item` (its drawing stored); one the server will never take is
// said and dropped, one not sent waits with the rest.
function sendPhoto(item) {
  var key = item.photos[0];
  attachments.send(item.stored, key).then(function (result) {
    if (result.held) {
      // The session ended or the workshop closed: kept, and sent again when it reopens.
      var reason = refusal(result.held.status, result.held, 'draw.refused.closed');
      store(queue().map(function (i) {
        if (i.key === item.key) { i.failed = result.held.detail || reason; i.reason = reason; i.closed = true; }
        return i;
      }));
      say(reason, true);
      flushing = false;
      flush();
      return;
    }
    if (result.refused) {
      var problem = result.refused;
      say(t('photo.refused', { detail: problem.status === 409 ? t('photo.full', { count: attachments.MAX_PER_DRAWING }) : (said(problem) || problem.detail || '') }), true);
    }
    store(queue().map(function (i) {
      if (i.key === item.key) i.photos = i.photos.filter(function (k) { return k !== key; });
      return i;
    }).filter(function (i) { return !(i.stored && !i.photos.length); }));
    if (!result.refused) sayWaiting();
    flushing = false;
    flush();
  }, function () {
    flushing = false;
    sayWaiting(true);
  });
}

// What waits to be sent: drawings first, then photos; "saved" when nothing does. `away`: the
// server did not answer.
function sayWaiting(away) {
  var items = queue();
  var drawings = items.filter(function (i) { return !i.stored; }).length;
  var photosLeft = items.reduce(function (n, i) { return n + (i.stored ? i.photos.length : 0); }, 0);
  if (drawings) say(t('draw.pending', { count: drawings }), true);
  else if (photosLeft) say(away ? t('photo.pending', { count: photosLeft }) : t('photo.waiting', { count: photosLeft }), true);
  else say(t('draw.saved'));
}
window.addEventListener('online', flush);
setInterval(flush, 4000);

// For tests and assistive tools: the page's map.
export { map };
