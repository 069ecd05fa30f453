// The legend editor: one row per symbol; saving PUTs the whole list and shows every problem
// next to the field it is about (the API's JSON pointers say which).
import { app, has, t, el, request, problem, notice } from './trama.js';
import * as questionEditor from './legend-questions.js';

var project = app.dataset.project;
var icons = app.dataset.icons.split(',').filter(Boolean);
var tbody = document.querySelector('.legend-table tbody');
var status = document.getElementById('status');
var kinds = ['risk', 'resource', 'actor', 'relation', 'other'];
var shapes = ['point', 'line', 'polygon'];

// Each cell says its column's name (`data-label`), which a phone shows above the field, where
// the rows are cards and the table's header is not seen.
function cell(row, child, column) {
  var td = el('td', column ? { 'data-label': t(column) } : {});
  td.appendChild(child);
  row.appendChild(td);
  return child;
}
// `label` says an option in words (the values are the API's).
function select(name, options, value, label, words) {
  var s = el('select', { name: name, 'aria-label': words });
  options.forEach(function (o) { var opt = el('option', { value: o }, label ? label(o) : o); if (o === value) opt.selected = true; s.appendChild(opt); });
  return s;
}

function addRow(symbol) {
  symbol = symbol || { key: '', labels: {}, kind: 'risk', geometry_types: ['point'], color: '#c62828', icon: null, weight: 1, sensitive: false };
  var row = el('tr', { 'class': 'symbol-row' });
  // What the row does not edit (labels in other languages) is kept as it was.
  row.symbol = symbol;
  cell(row, el('input', { name: 'key', value: symbol.key, required: '', 'aria-label': t('legend.key'), size: '14' }), 'legend.key');
  cell(row, el('input', { name: 'label_es', value: symbol.labels.es || '', 'aria-label': t('legend.label_es') }), 'legend.label_es');
  cell(row, el('input', { name: 'label_en', value: symbol.labels.en || '', 'aria-label': t('legend.label_en') }), 'legend.label_en');
  cell(row, select('kind', kinds, symbol.kind, function (kind) { return t('draw.kind.' + kind); }, t('legend.kind')), 'legend.kind');
  var geometry = el('div');
  shapes.forEach(function (shape) {
    var label = el('label');
    var box = el('input', { type: 'checkbox', name: 'geometry', value: shape });
    box.checked = symbol.geometry_types.indexOf(shape) >= 0;
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + t('geometry.' + shape)));
    geometry.appendChild(label);
  });
  cell(row, geometry, 'legend.geometry');
  cell(row, el('input', { type: 'color', name: 'color', value: symbol.color, 'aria-label': t('legend.color') }), 'legend.color');
  cell(row, select('icon', [''].concat(icons), symbol.icon || '', null, t('legend.icon')), 'legend.icon');
  cell(row, el('input', { type: 'number', name: 'weight', value: String(symbol.weight), step: '0.5', min: '-100', max: '100', 'aria-label': t('legend.weight') }), 'legend.weight');
  var sensitive = cell(row, el('input', { type: 'checkbox', name: 'sensitive', 'aria-label': t('legend.sensitive') }), 'legend.sensitive');
  sensitive.checked = !!symbol.sensitive;
  // Its questions, in a row of their own below it, opened on demand.
  var questions = cell(row, el('button', { type: 'button', 'aria-expanded': 'false', 'class': 'questions-toggle' }), 'legend.questions');
  function count() {
    var asked = row.readQuestions ? row.readQuestions() : (symbol.questions || []);
    questions.textContent = t('legend.questions_count', { count: asked.length });
  }
  count();
  var editorRow = el('tr', { 'class': 'questions-row', hidden: '' });
  var editorCell = el('td', { colspan: '11' });
  editorRow.appendChild(editorCell);
  row.openQuestions = function () {
    if (!row.readQuestions) {
      row.readQuestions = questionEditor.edit(editorCell, symbol.questions || [], project);
      editorCell.addEventListener('questions-changed', count);
    }
    editorRow.hidden = false;
    questions.setAttribute('aria-expanded', 'true');
  };
  questions.addEventListener('click', function () {
    if (editorRow.hidden) row.openQuestions();
    else { editorRow.hidden = true; questions.setAttribute('aria-expanded', 'false'); }
    count();
  });
  var remove = cell(row, el('button', { type: 'button' }, t('legend.remove')));
  remove.addEventListener('click', function () { row.remove(); editorRow.remove(); });
  tbody.appendChild(row);
  tbody.appendChild(editorRow);
}

function symbolRows() { return Array.prototype.slice.call(tbody.querySelectorAll('tr.symbol-row')); }

function read() {
  return symbolRows().map(function (row) {
    var get = function (name) { return row.querySelector('[name=' + name + ']'); };
    var labels = Object.assign({}, row.symbol.labels);
    ['es', 'en'].forEach(function (locale) {
      if (get('label_' + locale).value) labels[locale] = get('label_' + locale).value; else delete labels[locale];
    });
    return Object.assign({}, row.symbol, {
      key: get('key').value.trim(),
      labels: labels,
      kind: get('kind').value,
      geometry_types: Array.prototype.filter.call(row.querySelectorAll('[name=geometry]'), function (b) { return b.checked; }).map(function (b) { return b.value; }),
      color: get('color').value,
      icon: get('icon').value || null,
      weight: Number(get('weight').value),
      sensitive: get('sensitive').checked,
      questions: row.readQuestions ? row.readQuestions() : (row.symbol.questions || [])
    });
  });
}

// A problem with one field of one symbol, in the page's language: "Symbol 2 · the key…".
function explain(error) {
  var parts = error.pointer.split('/');
  if (parts[2] === 'questions' && parts[3]) {
    return t('legend.row', { row: Number(parts[1]) + 1 }) + ' · ' + t('legend.question_n', { n: Number(parts[3]) + 1 }) + ': ' + error.detail;
  }
  var said = has('legend.invalid.' + parts[2]) ? t('legend.invalid.' + parts[2]) : error.detail;
  return parts[1] ? t('legend.row', { row: Number(parts[1]) + 1 }) + ' · ' + said : said;
}

function api(method, body) {
  return request('/api/projects/' + project + '/legend', {
    method: method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
}

document.getElementById('add-symbol').addEventListener('click', function () { addRow(); });
document.getElementById('legend').addEventListener('submit', function (e) {
  e.preventDefault();
  tbody.querySelectorAll('.invalid').forEach(function (n) { n.classList.remove('invalid'); });
  api('PUT', read()).then(function (result) {
    var answer = result.body, errors = answer.errors || [];
    if (result.ok) { notice(status, t('admin.saved')); return; }
    errors.forEach(function (error) {
      var parts = error.pointer.split('/');
      var row = symbolRows()[Number(parts[1])];
      if (row && parts[2] === 'questions') {
        row.openQuestions();
        var editor = row.nextElementSibling, at = '/' + parts.slice(3).join('/');
        // The field itself, else the first of what it is about (`/1/labels`: a label).
        var inside = editor.querySelector('[data-pointer="' + at + '"]') ||
          editor.querySelector('[data-pointer^="' + at + '/"]') ||
          editor.querySelector('[data-pointer="/' + parts.slice(3, 5).join('/') + '"]');
        if (inside) inside.classList.add('invalid');
        return;
      }
      var field = row && row.querySelector('[name=' + (parts[2] === 'labels' ? 'label_' + (parts[3] || 'es') : parts[2] === 'geometry_types' ? 'geometry' : parts[2]) + ']');
      if (field) field.classList.add('invalid');
    });
    notice(status, result.status === 422 && errors.length
      ? t('legend.not_saved') + ' ' + errors.map(explain).join('; ')
      : problem(result.status, answer), true);
  });
});

api('GET').then(function (result) {
  if (!result.ok) { notice(status, problem(result.status, result.body), true); return; }
  result.body.forEach(addRow);
});
