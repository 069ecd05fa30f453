// The participant's map: pick a symbol, draw it, give it a title, save.
// Nothing drawn is lost: every save goes through a queue kept in localStorage and is sent
// with its own Idempotency-Key until the server answers, so it is stored exactly once.
(function () {
  'use strict';

  var app = document.getElementById('app');
  var project = app.dataset.project;
  var csrf = app.dataset.csrf;
  var locale = app.dataset.locale;
  var messages = JSON.parse(document.getElementById('messages').textContent);
  var queueKey = 'trama.queue.' + project;

  function t(key, vars) {
    return (messages[key] || key).replace(/\{(\w+)\}/g, function (_, name) {
      return vars && name in vars ? String(vars[name]) : '';
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Random v4 UUID from getRandomValues: crypto.randomUUID needs HTTPS, and workshops often
  // run over plain HTTP on a local network.
  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  var status = document.getElementById('status');
  function say(text, pending) {
    status.textContent = text;
    status.className = pending ? 'status pending' : 'status';
  }

  // The map: the basemaps Trama serves (or the operator's online tiles), else a plain
  // background with the project's area.
  var map = L.map('map', { zoomControl: false }).setView([-34.76, -58.41], 13);
  L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
  // Leaflet names its popups' close button in English: in the page's language instead.
  map.on('popupopen', function (e) {
    var close = e.popup.getElement() && e.popup.getElement().querySelector('.leaflet-popup-close-button');
    if (close) { close.setAttribute('aria-label', t('map.close')); close.setAttribute('title', t('map.close')); }
  });
  TramaBasemaps.add(map, app, { online: t('map.basemap_online'), none: t('map.basemap_none') });
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
    pointToLayer: function (f, at) { return TramaSymbols.marker(at, legend[f.properties.symbol], null); },
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
  function pend(item) { pending.addData(Object.assign({}, item.feature, { id: item.key })); }
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
    if (!item.failed) {
      box.appendChild(el('p', { 'class': 'hint' }, t('draw.queued')));
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
    if (!f.id) return box; // still waiting in the queue
    box.appendChild(el('h3', {}, t('draw.comments')));
    var list = el('ul', { 'class': 'comments' });
    box.appendChild(list);
    api('/api/features/' + f.id + '/annotations').then(function (r) { return r.json(); }).then(function (notes) {
      // Each comment with who wrote it (a nickname, or staff) and when.
      notes.forEach(function (n) {
        var item = el('li', {}, n.body);
        var who = (n.author && (n.author.display_name || n.author.username)) || t('draw.comment_someone');
        var when = new Date(n.created_at).toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
        item.appendChild(el('div', { 'class': 'hint' }, who + ' · ' + when));
        list.appendChild(item);
      });
    });
    var form = el('form', { 'class': 'comment' });
    var area = el('textarea', { rows: '2', maxlength: '5000', 'aria-label': t('draw.comment_label') });
    form.appendChild(area);
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
        if (r.status === 201) { list.appendChild(el('li', {}, area.value)); area.value = ''; return; }
        return r.json().catch(function () { return {}; }).then(function (problem) {
          note.textContent = r.status === 403 ? t('draw.refused.comment') : refusal(r.status, problem, 'draw.refused.unchangeable');
        });
      }, function () { note.textContent = t('draw.comment_offline'); });
    });
    box.appendChild(form);
    var author = f.properties.author;
    if (me && author && author.kind === 'participant' && author.id === me.id) {
      var remove = el('button', { type: 'button', 'class': 'link' }, t('draw.delete'));
      remove.addEventListener('click', function () {
        api('/api/features/' + f.id, { method: 'DELETE', headers: { 'If-Match': '"' + f.properties.revision + '"' } })
          .then(function (r) {
            if (r.status === 204) { drawn.removeLayer(layer); say(t('draw.deleted')); return; }
            map.closePopup();
            if (r.status === 412) return reloadDrawing(f.id, layer);
            return r.json().catch(function () { return {}; }).then(function (problem) {
              say(refusal(r.status, problem, 'draw.refused.unchangeable'), true);
            });
          }, function () { say(t('draw.delete_offline'), true); });
      });
      box.appendChild(remove);
      var edit = el('button', { type: 'button', 'class': 'link' }, t('draw.edit'));
      edit.addEventListener('click', function () { startEdit(f, layer); });
      box.appendChild(edit);
    }
    return box;
  }

  // Editing one's own drawing: its shape on the map (Geoman's edit mode) and its texts in
  // the same form as when it was drawn; saved with If-Match so no one's change is lost.
  var editing = null;
  function startEdit(f, layer) {
    map.closePopup();
    editing = { feature: f, layer: layer };
    if (layer.pm) layer.pm.enable({ allowSelfIntersection: false });
    document.getElementById('instructions').textContent = t('draw.edit_hint');
    document.getElementById('feature-title').value = f.properties.title || '';
    document.getElementById('feature-description').value = f.properties.description || '';
    form.hidden = false;
  }
  function finishEdit() {
    if (editing && editing.layer.pm) editing.layer.pm.disable();
    editing = null;
    ready();
    form.hidden = true;
    form.reset();
  }
  function saveEdit() {
    var f = editing.feature;
    var changed = editing.layer.toGeoJSON();
    var body = {
      geometry: changed.geometry,
      properties: {
        title: document.getElementById('feature-title').value,
        description: document.getElementById('feature-description').value
      }
    };
    var layer = editing.layer;
    finishEdit();
    api('/api/features/' + f.id, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'If-Match': '"' + f.properties.revision + '"' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (answer) {
        drawn.removeLayer(layer);
        if (r.ok) { drawn.addData(answer); say(t('draw.updated')); return; }
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

  function api(path, options) {
    options = options || {};
    options.credentials = 'same-origin';
    options.headers = Object.assign({ 'X-CSRF-Token': csrf }, options.headers || {});
    return fetch(path, options);
  }

  var areaBounds = null;
  api('/api/projects/' + project).then(function (r) { return r.json(); }).then(function (p) {
    if (p.area) {
      var area = L.geoJSON(p.area, { style: { color: '#555', weight: 2, dashArray: '6 4', fill: false }, interactive: false }).addTo(map);
      areaBounds = area.getBounds();
      map.fitBounds(areaBounds);
    }
  });

  api('/api/projects/' + project + '/legend').then(function (r) { return r.json(); }).then(function (symbols) {
    symbols.forEach(function (s) { legend[s.key] = s; });
    renderPalette(symbols);
    return api('/api/projects/' + project + '/features');
  }).then(function (r) { return r.json(); }).then(function (collection) {
    drawn.addData(collection);
    queue().forEach(pend);
    var unsaved = queue().filter(function (i) { return i.failed; }).length;
    if (unsaved) say(t('draw.unsaved', { count: unsaved }));
    app.dataset.loaded = 'true'; // for tests and assistive tools: the map shows what there is
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
        var button = el('button', { type: 'button', 'class': 'symbol', 'aria-pressed': 'false', 'data-symbol': symbol.key });
        var swatch = el('span', { 'class': 'swatch', 'aria-hidden': 'true' });
        swatch.style.background = symbol.color;
        button.appendChild(swatch);
        if (symbol.icon) {
          var icon = el('img', { src: '/pictograms/' + symbol.icon + '.svg', alt: '', 'class': 'pictogram', width: '28', height: '28' });
          icon.addEventListener('error', function () { icon.remove(); });
          button.appendChild(icon);
        }
        button.appendChild(el('span', {}, label(symbol)));
        button.addEventListener('click', function () { choose(symbol, symbol.geometry_types[0], button); });
        group.appendChild(button);
        if (symbol.geometry_types.length > 1) {
          var row = el('div', { 'class': 'shapes' });
          symbol.geometry_types.forEach(function (type) {
            var shape = el('button', { type: 'button', 'data-shape': type }, { point: '•', line: '〰', polygon: '⬠' }[type] + ' ' + t('draw.shape.' + type));
            shape.setAttribute('aria-label', label(symbol) + ': ' + t('draw.shape.' + type));
            shape.addEventListener('click', function () { choose(symbol, type, button); });
            row.appendChild(shape);
          });
          group.appendChild(row);
        }
      });
      palette.appendChild(group);
    });
  }

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
  document.getElementById('draw-cancel').addEventListener('click', function () { ready(); });
  document.getElementById('draw-finish').addEventListener('click', function () {
    var d = drawer();
    if (d && d._finishShape) d._finishShape();
  });

  // Back to the start: no symbol chosen, the first instruction again.
  function ready() {
    map.pm.disableDraw();
    drawActions.hidden = true;
    document.querySelectorAll('.symbol').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
    document.getElementById('instructions').textContent = t('draw.pick_symbol');
  }

  // A finished drawing asks for its title before it is saved.
  var form = document.getElementById('feature-form');
  var sketch = null;
  map.on('pm:create', function (e) {
    sketch = { layer: e.layer, symbol: chosen.symbol.key };
    document.getElementById('feature-symbol').textContent = t('draw.form_symbol', { symbol: label(chosen.symbol) });
    ready();
    // Far from the project's area, a slip of the finger is likelier than a real place: ask.
    var at = e.layer.getBounds ? e.layer.getBounds() : L.latLngBounds([e.layer.getLatLng()]);
    if (areaBounds && !areaBounds.intersects(at) && !window.confirm(t('draw.outside_area'))) {
      map.removeLayer(e.layer);
      sketch = null;
      return;
    }
    form.hidden = false;
    document.getElementById('feature-title').focus();
  });
  document.getElementById('feature-cancel').addEventListener('click', function () {
    if (editing) { var f = editing.feature, l = editing.layer; finishEdit(); drawn.removeLayer(l); drawn.addData(f); return; }
    if (sketch) map.removeLayer(sketch.layer);
    sketch = null;
    form.hidden = true;
    form.reset();
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (editing) { saveEdit(); return; }
    if (!sketch) return;
    var feature = sketch.layer.toGeoJSON();
    feature.properties = {
      symbol: sketch.symbol,
      title: document.getElementById('feature-title').value,
      description: document.getElementById('feature-description').value
    };
    map.removeLayer(sketch.layer);
    sketch = null;
    form.hidden = true;
    form.reset();
    enqueue(feature);
  });

  // The queue: first in, first out; an item leaves it only when the server has it.
  function queue() { try { return JSON.parse(localStorage.getItem(queueKey)) || []; } catch (_) { return []; } }
  function store(items) { localStorage.setItem(queueKey, JSON.stringify(items)); }
  function enqueue(feature) {
    var items = queue();
    var item = { key: uuid(), feature: feature };
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
    api('/api/projects/' + project + '/features', {
      method: 'POST',
      headers: { 'Content-Type': 'application/geo+json', 'Idempotency-Key': item.key },
      body: JSON.stringify(item.feature)
    }).then(function (response) {
      if (response.status === 201) {
        response.json().then(function (stored) {
          unpend(item.key);
          drawn.addData(stored);
        });
        store(queue().filter(function (i) { return i.key !== item.key; }));
        say(queue().length ? t('draw.pending', { count: queue().length }) : t('draw.saved'));
        flushing = false;
        flush();
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
      say(t('draw.pending', { count: queue().length }), true);
    });
  }
  window.addEventListener('online', flush);
  setInterval(flush, 4000);
})();
