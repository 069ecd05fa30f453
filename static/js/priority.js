// Priority areas on the analyst's review map: cell scores as a choropleth, hot spots by
// confidence, computed zones (each can be saved as a priority zone), and the saved zones with
// their status. Computation happens on the server (GET .../priority/cells and /zones).
import { t, el, problem } from './trama.js';
import { shared as R } from './review.js';
import { namedLayerSwitch } from './map.js';

var api = R.api, map = R.map;
var form = document.getElementById('priority-form');
var status = document.getElementById('priority-status');
var savedBody = document.querySelector('#saved-zones tbody');

function number(x, digits) {
  return Number(x).toLocaleString(R.locale, { maximumFractionDigits: digits === undefined ? 2 : digits });
}
function hectares(m2) { return number(m2 / 10000, 1) + ' ha'; }

// Score colours: light to dark red for positive scores, blue for negative ones.
var maxScore = 1;
function scoreColour(score, max) {
  if (score <= 0) return score < 0 ? '#6baed6' : '#f7f7f7';
  var steps = ['#fee5d9', '#fcbba1', '#fc9272', '#fb6a4a', '#de2d26', '#a50f15'];
  var i = Math.min(steps.length - 1, Math.floor(Math.sqrt(score / max) * steps.length));
  return steps[i];
}
var spotColour = { hot: { 99: '#67000d', 95: '#d7301f', 90: '#fc8d59' }, cold: { 99: '#08306b', 95: '#2171b5', 90: '#6baed6' } };

function bySymbol(p) {
  var list = el('ul');
  Object.keys(p.by_symbol || {}).forEach(function (key) {
    list.appendChild(el('li', {}, R.label(key) + ': ' + number(p.by_symbol[key])));
  });
  return list;
}

function cellPopup(p) {
  var box = el('div', { 'class': 'priority-popup' });
  box.appendChild(el('strong', {}, t('priority.score') + ': ' + number(p.score)));
  box.appendChild(el('div', {}, t('priority.groups') + ': ' + p.groups + ' · ' + t('priority.workshops') + ': ' + p.workshops + ' · ' + t('priority.features') + ': ' + p.features));
  box.appendChild(el('div', {}, p.spot ? t('priority.' + p.spot, { confidence: p.confidence }) : t('priority.not_significant')));
  box.appendChild(el('div', { 'class': 'hint' }, 'Gi* z = ' + number(p.gi_z) + ' · p = ' + number(p.gi_p, 4)));
  box.appendChild(bySymbol(p));
  return box;
}

var cells = L.geoJSON(null, {
  style: function (f) {
    return { color: '#999', weight: 0.5, fillColor: scoreColour(f.properties.score, maxScore), fillOpacity: f.properties.score === 0 ? 0.05 : 0.6 };
  },
  onEachFeature: function (f, l) { l.bindPopup(function () { return cellPopup(f.properties); }); }
});
var hot = L.geoJSON(null, {
  filter: function (f) { return !!f.properties.spot; },
  style: function (f) {
    var p = f.properties;
    return { color: spotColour[p.spot][p.confidence], weight: 2, fillColor: spotColour[p.spot][p.confidence], fillOpacity: 0.45 };
  },
  onEachFeature: function (f, l) { l.bindPopup(function () { return cellPopup(f.properties); }); }
});
var zones = L.geoJSON(null, {
  style: { color: '#4a148c', weight: 3, fillOpacity: 0.1 },
  onEachFeature: function (f, l) { l.bindPopup(function () { return zonePopup(f); }); }
});
var saved = L.geoJSON(null, {
  style: { color: '#1b5e20', weight: 3, dashArray: '8 4', fillOpacity: 0.05 },
  // The name is an analyst's free text: given as a text node, never as HTML (Leaflet sets a
  // string tooltip as innerHTML).
  onEachFeature: function (f, l) {
    l.bindTooltip(el('span', {}, f.properties.name + ' · ' + t('priority.status.' + f.properties.status)));
  }
});
// Open beside the map on a laptop; a button on a phone, where the map is small.
var control = namedLayerSwitch(L.control.layers(null, {}, { collapsed: window.innerWidth < 700 }).addTo(map));
[[cells, 'priority.layer_cells'], [hot, 'priority.layer_hot'], [zones, 'priority.layer_zones'], [saved, 'priority.layer_saved']]
  .forEach(function (pair) { control.addOverlay(pair[0], t(pair[1])); });
saved.addTo(map);

function zonePopup(f) {
  var p = f.properties;
  var box = el('div', { 'class': 'priority-popup' });
  box.appendChild(el('strong', {}, t('priority.score') + ': ' + number(p.score) + ' · ' + t('priority.area') + ': ' + hectares(p.area_m2)));
  box.appendChild(el('div', {}, t('priority.groups') + ': ' + p.groups + ' · ' + t('priority.workshops') + ': ' + p.workshops + ' · ' + t('priority.features') + ': ' + p.feature_count));
  box.appendChild(bySymbol(p));
  var titles = el('ul', { 'class': 'hint' });
  p.features.slice(0, 12).forEach(function (id) {
    var drawn = R.features[id];
    if (drawn) titles.appendChild(el('li', {}, (drawn.properties.title || R.label(drawn.properties.symbol))));
  });
  box.appendChild(titles);
  if (!R.moderator) return box;
  var save = el('button', { type: 'button', 'class': 'primary', 'data-action': 'save-zone' }, t('priority.save'));
  save.addEventListener('click', function () {
    var name = window.prompt(t('priority.save_name'));
    if (!name) return;
    api('/api/projects/' + R.project + '/priority-zones', {
      method: 'POST',
      body: JSON.stringify({ name: name, geometry: f.geometry, computed: p })
    }).then(function (answer) {
      if (failed(answer)) return;
      map.closePopup();
      loadSaved();
    });
  });
  box.appendChild(save);
  return box;
}

var weighedBy = null;
function compute(e) {
  if (e) e.preventDefault();
  var params = R.filterParams();
  params.set('resolution', form.elements.resolution.value);
  if (form.elements.weight_by.value) params.set('weight_by', form.elements.weight_by.value);
  // What the cells' scores sum, for the map's legend: as computed, whatever is chosen later.
  weighedBy = form.elements.weight_by.value ? form.elements.weight_by.selectedOptions[0].textContent : null;
  var zoneParams = new URLSearchParams(params);
  var rule = form.elements.rule.value;
  zoneParams.set('rule', rule);
  if (rule === 'gi') zoneParams.set('confidence', form.elements.confidence.value);
  if (rule === 'consensus') zoneParams.set('k', form.elements.k.value);
  if (rule === 'top') zoneParams.set('percent', form.elements.percent.value);
  status.textContent = t('priority.computing');
  var base = '/api/projects/' + R.project + '/priority/';
  return Promise.all([api(base + 'cells?' + params), api(base + 'zones?' + zoneParams)]).then(function (answers) {
    var coarser = fittingResolution(answers[0]);
    if (coarser) {
      // Too large at this cell size: the server names the finest coarser one that fits.
      form.elements.resolution.value = coarser;
      return compute().then(function () {
        status.textContent = t('priority.coarsened', { size: form.elements.resolution.selectedOptions[0].textContent }) + ' ' + status.textContent;
      });
    }
    if (answers.some(failed)) return;
    maxScore = largest(answers[0].features, 'score', 1);
    [cells, hot].forEach(function (layer) { layer.clearLayers(); layer.addData(answers[0]); });
    zones.clearLayers();
    zones.addData(answers[1]);
    [cells, hot, zones].forEach(function (layer) { if (!map.hasLayer(layer)) layer.addTo(map); });
    map.removeLayer(cells);
    cells.addTo(map);
    hot.bringToFront();
    zones.bringToFront();
    if (answers[0].features.length) map.fitBounds(cells.getBounds());
    status.textContent = t('priority.result', { cells: answers[0].features.length, zones: answers[1].features.length });
  });
}

/** The largest `property` of `features`, at least `floor`. A loop, not Math.max.apply: a
 *  province's cells at resolution 9 are 150,000 arguments, past the call stack. */
function largest(features, property, floor) {
  var most = floor;
  for (var i = 0; i < features.length; i++) {
    if (features[i].properties[property] > most) most = features[i].properties[property];
  }
  return most;
}

/** The resolution a refusal for size says would fit, when the form offers it. */
function fittingResolution(answer) {
  if (!answer || !answer.failed || answer.status !== 422) return null;
  var error = (answer.errors || []).find(function (e) { return e.pointer === 'resolution'; });
  var fits = error && /^(\d+) would fit/.exec(error.detail);
  var option = fits && form.elements.resolution.querySelector('option[value="' + fits[1] + '"]');
  return option ? fits[1] : null;
}

function statusSelect(f) {
  var select = el('select', { 'aria-label': f.properties.name, 'data-zone': f.id });
  ['proposed', 'confirmed', 'intervention_planned', 'closed'].forEach(function (s) {
    var option = el('option', { value: s }, t('priority.status.' + s));
    if (s === f.properties.status) option.selected = true;
    select.appendChild(option);
  });
  select.addEventListener('change', function () {
    var note = window.prompt(t('priority.status_note')) || undefined;
    api('/api/priority-zones/' + f.id, {
      method: 'PATCH',
      headers: { 'If-Match': '"' + f.properties.revision + '"' },
      body: JSON.stringify({ status: select.value, note: note })
    }).then(function (answer) {
      failed(answer);
      loadSaved();
    });
  });
  return select;
}

function loadSaved() {
  if (!savedBody) return Promise.resolve();
  return api('/api/projects/' + R.project + '/priority-zones').then(function (collection) {
    if (failed(collection)) return;
    saved.clearLayers();
    savedBody.textContent = '';
    if (!collection.features) return;
    saved.addData(collection);
    if (!collection.features.length) {
      var empty = el('tr');
      empty.appendChild(el('td', {}, t('priority.none_saved')));
      savedBody.appendChild(empty);
    }
    collection.features.forEach(function (f) {
      var tr = el('tr', { 'data-id': f.id, 'data-revision': f.properties.revision });
      var name = el('td');
      var zoom = el('button', { type: 'button', 'class': 'link' }, f.properties.name);
      zoom.addEventListener('click', function () { map.fitBounds(L.geoJSON(f).getBounds(), { maxZoom: 17 }); });
      name.appendChild(zoom);
      name.appendChild(el('div', { 'class': 'hint' }, hectares(f.properties.computed.area_m2 || 0) + ' · ' + t('priority.score') + ' ' + number(f.properties.computed.score || 0)));
      tr.appendChild(name);
      var cell = el('td');
      cell.appendChild(statusSelect(f));
      var notes = el('button', { type: 'button', 'data-action': 'zone-notes' }, t('priority.notes'));
      notes.addEventListener('click', function () {
        var text = window.prompt(t('priority.notes_prompt'), f.properties.notes || '');
        if (text === null) return;
        api('/api/priority-zones/' + f.id, {
          method: 'PATCH',
          headers: { 'If-Match': '"' + f.properties.revision + '"' },
          body: JSON.stringify({ notes: text })
        }).then(function (answer) { failed(answer); loadSaved(); });
      });
      var history = el('button', { type: 'button', 'data-action': 'zone-history' }, t('review.history'));
      history.addEventListener('click', function () {
        api('/api/priority-zones/' + f.id).then(function (zone) {
          if (failed(zone)) return;
          var list = el('ol', { 'class': 'history' });
          (zone.properties.history || []).forEach(function (e) {
            list.appendChild(el('li', {}, new Date(e.at).toLocaleString(R.locale) + ' · ' +
              t('priority.status.' + e.status) + ' · ' + (e.by || '') + (e.note ? ' · ' + e.note : '')));
          });
          name.appendChild(list);
        });
      });
      cell.appendChild(notes);
      cell.appendChild(history);
      if (f.properties.notes) name.appendChild(el('div', { 'class': 'hint' }, f.properties.notes));
      tr.appendChild(cell);
      savedBody.appendChild(tr);
    });
  });
}

// Scores per unit of an uploaded boundary layer, as a choropleth of density.
var unitsForm = document.getElementById('units-form');
var uploadForm = document.getElementById('upload-form');
var changeForm = document.getElementById('change-form');
var units = L.geoJSON(null, {
  style: function (f) {
    return { color: '#333', weight: 1, fillColor: scoreColour(f.properties.density_per_km2, unitMax), fillOpacity: 0.55 };
  },
  onEachFeature: function (f, l) {
    l.bindPopup(function () {
      var p = f.properties;
      var box = el('div', { 'class': 'priority-popup' });
      box.appendChild(el('strong', {}, p.name));
      box.appendChild(el('div', {}, t('priority.score') + ': ' + number(p.score) + ' · ' + t('priority.density') + ': ' + number(p.density_per_km2)));
      box.appendChild(el('div', {}, t('priority.area') + ': ' + hectares(p.area_m2) + ' · ' + t('priority.features') + ': ' + p.features));
      box.appendChild(bySymbol(p));
      return box;
    });
  }
});
var unitMax = 1;
var changed = L.geoJSON(null, {
  style: function (f) {
    var colour = { 'new': '#2e7d32', persisting: '#ef6c00', gone: '#757575' }[f.properties.change];
    return { color: colour, weight: 3, dashArray: f.properties.change === 'gone' ? '6 4' : null, fillOpacity: 0.15 };
  },
  onEachFeature: function (f, l) {
    l.bindTooltip(t('priority.change.' + f.properties.change) + ' · ' + t('priority.overlap') + ' ' + number(f.properties.overlap * 100, 0) + ' %');
  }
});
control.addOverlay(units, t('priority.layer_units'));
control.addOverlay(changed, t('priority.layer_change'));

function failed(answer) {
  if (answer && answer.failed) { status.textContent = problem(answer.status, answer); return true; }
  return false;
}

function loadLayers() {
  return api('/api/projects/' + R.project + '/boundaries').then(function (answer) {
    var select = unitsForm.elements.layer;
    select.textContent = '';
    (answer.layers || []).forEach(function (layer) {
      select.appendChild(el('option', { value: layer.id }, layer.name + ' (' + layer.unit_count + ')'));
    });
  });
}

if (uploadForm) uploadForm.addEventListener('submit', function (e) {
  e.preventDefault();
  var file = uploadForm.elements.file.files[0];
  if (!file) return;
  file.text().then(function (text) {
    var query = new URLSearchParams({ name: uploadForm.elements.name.value, name_property: uploadForm.elements.name_property.value });
    return api('/api/projects/' + R.project + '/boundaries?' + query, { method: 'POST', body: text });
  }).then(function (answer) {
    if (failed(answer)) return;
    status.textContent = t('priority.uploaded', { count: answer.unit_count });
    uploadForm.reset();
    return loadLayers();
  });
});

unitsForm.addEventListener('submit', function (e) {
  e.preventDefault();
  var params = R.filterParams();
  params.set('layer', unitsForm.elements.layer.value);
  if (form.elements.weight_by.value) params.set('weight_by', form.elements.weight_by.value);
  status.textContent = t('priority.computing');
  api('/api/projects/' + R.project + '/priority/units?' + params).then(function (answer) {
    if (failed(answer)) return;
    unitMax = largest(answer.features, 'density_per_km2', 1e-9);
    units.clearLayers();
    units.addData(answer);
    if (!map.hasLayer(units)) units.addTo(map);
    if (answer.features.length) map.fitBounds(units.getBounds());
    status.textContent = '';
  });
});

// The workshops of the page's filter, as the choices of the change's two sets.
function fillWorkshops() {
  var options = document.querySelectorAll('#f-workshop option');
  ['before', 'after'].forEach(function (name) {
    var select = changeForm.elements[name];
    select.textContent = '';
    options.forEach(function (o) { if (o.value) select.appendChild(el('option', { value: o.value }, o.textContent)); });
  });
}
new MutationObserver(fillWorkshops).observe(document.getElementById('f-workshop'), { childList: true });
fillWorkshops();

changeForm.addEventListener('submit', function (e) {
  e.preventDefault();
  var chosen = function (name) {
    return Array.from(changeForm.elements[name].selectedOptions).map(function (o) { return o.value; }).join(',');
  };
  var params = new URLSearchParams({ before: chosen('before'), after: chosen('after'), rule: form.elements.rule.value, resolution: form.elements.resolution.value });
  if (form.elements.rule.value === 'gi') params.set('confidence', form.elements.confidence.value);
  if (form.elements.rule.value === 'consensus') params.set('k', form.elements.k.value);
  if (form.elements.rule.value === 'top') params.set('percent', form.elements.percent.value);
  if (form.elements.weight_by.value) params.set('weight_by', form.elements.weight_by.value);
  status.textContent = t('priority.computing');
  api('/api/projects/' + R.project + '/priority/change?' + params).then(function (answer) {
    if (failed(answer)) return;
    changed.clearLayers();
    changed.addData(answer);
    if (!map.hasLayer(changed)) changed.addTo(map);
    if (answer.features.length) map.fitBounds(changed.getBounds(), { maxZoom: 16 });
    status.textContent = t('priority.change_result', { zones: answer.features.length });
  });
});

form.addEventListener('submit', compute);

// Only the chosen rule's setting is shown: confidence for hot spots, k for consensus, the
// percentage for the top cells.
var ruleFields = { gi: 'confidence', consensus: 'k', top: 'percent' };
function showRuleFields() {
  Object.keys(ruleFields).forEach(function (rule) {
    var field = form.elements[ruleFields[rule]];
    var hidden = form.elements.rule.value !== rule;
    field.hidden = hidden;
    form.querySelector('label[for="' + field.id + '"]').hidden = hidden;
  });
}
form.elements.rule.addEventListener('change', showRuleFields);
showRuleFields();

// A legend for every coloured layer on the map, in the order they are drawn: what each colour
// means, with its numbers and units. Redrawn when a layer is shown, hidden or recomputed.
var mapLegend = L.control({ position: 'bottomright' });
mapLegend.onAdd = function () {
  var box = L.DomUtil.create('div', 'map-legend');
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  return box;
};
mapLegend.addTo(map);
function swatch(colour, outline, dashed) {
  var s = el('span', { 'class': 'legend-swatch' + (outline ? ' outline' : '') + (dashed ? ' dashed' : '') });
  if (outline) s.style.borderColor = colour; else s.style.background = colour;
  return s;
}
function entry(list, colour, text, outline, dashed) {
  var item = el('li');
  item.appendChild(swatch(colour, outline, dashed));
  item.appendChild(document.createTextNode(text));
  list.appendChild(item);
}
// The score steps of `scoreColour` for a largest value `max`: step i holds scores up to
// max·((i+1)/6)².
function ramp(list, max) {
  entry(list, '#6baed6', t('priority.legend_negative'));
  var steps = ['#fee5d9', '#fcbba1', '#fc9272', '#fb6a4a', '#de2d26', '#a50f15'];
  steps.forEach(function (colour, i) {
    var low = max * Math.pow(i / steps.length, 2), high = max * Math.pow((i + 1) / steps.length, 2);
    entry(list, colour, number(low, 1) + ' – ' + number(high, 1));
  });
}
function drawLegend() {
  var box = mapLegend.getContainer();
  box.textContent = '';
  var sections = [];
  function section(title) {
    var part = el('div');
    part.appendChild(el('strong', {}, title));
    var list = el('ul');
    part.appendChild(list);
    sections.push(part);
    return list;
  }
  if (map.hasLayer(cells) && cells.getLayers().length) {
    var size = form.elements.resolution.selectedOptions[0].textContent;
    ramp(section(weighedBy ? t('priority.legend_score_weighed', { size: size, weight: weighedBy })
      : t('priority.legend_score', { size: size })), maxScore);
  }
  if (map.hasLayer(hot) && hot.getLayers().length) {
    var spots = section(t('priority.layer_hot') + ' (Getis-Ord Gi*)');
    ['hot', 'cold'].forEach(function (kind) {
      [99, 95, 90].forEach(function (c) { entry(spots, spotColour[kind][c], t('priority.' + kind, { confidence: c })); });
    });
  }
  if (map.hasLayer(units) && units.getLayers().length) ramp(section(t('priority.legend_density')), unitMax);
  if (map.hasLayer(R.heat) && R.heatPoints() > 0) {
    // leaflet.heat's own gradient, from few or light risks to many or heavy ones.
    var heat = section(t('review.heat'));
    entry(heat, '#0000ff', t('priority.legend_heat_low'));
    entry(heat, '#ff0000', t('priority.legend_heat_high'));
  }
  var shapes = [];
  if (map.hasLayer(zones) && zones.getLayers().length) shapes.push(['#4a148c', t('priority.legend_zone'), false]);
  if (map.hasLayer(saved) && saved.getLayers().length) shapes.push(['#1b5e20', t('priority.legend_saved'), true]);
  if (map.hasLayer(changed) && changed.getLayers().length) {
    shapes.push(['#2e7d32', t('priority.change.new'), false], ['#ef6c00', t('priority.change.persisting'), false], ['#757575', t('priority.change.gone'), true]);
  }
  if (shapes.length) {
    var outlines = section(t('priority.legend_title'));
    shapes.forEach(function (s) { entry(outlines, s[0], s[1], true, s[2]); });
  }
  sections.forEach(function (part) { box.appendChild(part); });
  box.hidden = !sections.length;
}
map.on('overlayadd overlayremove layeradd layerremove', function () {
  // Many layers come and go at once (a computation): one redraw after them.
  clearTimeout(drawLegend.timer);
  drawLegend.timer = setTimeout(drawLegend, 50);
});
loadSaved();
loadLayers();
