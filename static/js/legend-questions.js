// The questions of one legend symbol, edited in the legend editor (domain::question): each
// question's key, labels in Spanish and English, kind (a choice of one or several options, a
// whole number with bounds, yes/no, a short text, a date, a time of day), whether it is
// required or sensitive, and when it is asked (always, or when an earlier answer is a given
// one). The editor works on a copy of the list, which `read` returns cleaned for the API.

import { t, el, send, problem } from './trama.js';

var kinds = ['choice', 'integer', 'yes_no', 'text', 'date', 'time'];

// No field is `required`: a collapsed editor's empty field would block the legend's form
// without a word; the API's refusal points at it instead (legend.js opens the editor).

// Fills `box` with an editor of `questions` (not changed: a copy is edited); returns a
// function that reads the list as edited.
export function edit(box, questions, project) {
  var model;
  // A condition holds the earlier question itself, so that renaming it renames the
  // condition too.
  function take(list) {
    model = JSON.parse(JSON.stringify(list || []));
    model.forEach(function (q, i) {
      if (q.when) q.when.ref = model.slice(0, i).filter(function (e) { return e.key === q.when.question; })[0];
    });
  }
  take(questions);
  // What a programme already asks: an XLSForm (KoboToolbox, ODK) read into questions, and
  // what did not come over as it was, row by row.
  var said = el('div', { 'class': 'xlsform-said', role: 'status' });
  function importer() {
    var wrap = el('div', { 'class': 'xlsform' });
    var file = el('input', { type: 'file', accept: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'data-xlsform': '' });
    wrap.appendChild(labelled(t('legend.xlsform'), file));
    file.addEventListener('change', function () {
      if (!file.files.length) return;
      said.textContent = '';
      var chosen = file.files[0];
      // The same file may be chosen again (after a "no" to replacing): it is read each time.
      file.value = '';
      send('/api/projects/' + project + '/legend/xlsform', { method: 'POST', body: chosen }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { said.appendChild(el('p', { 'class': 'error' }, problem(r.status, body))); return; }
          if (model.length && !window.confirm(t('legend.xlsform_replace'))) return;
          take(body.questions);
          render();
          said.appendChild(el('p', {}, t('legend.xlsform_read', { count: body.questions.length })));
          if (body.notes.length) {
            var list = el('ul', {});
            body.notes.forEach(function (n) { list.appendChild(el('li', {}, t('xlsform.note.' + n.code, { row: n.row, name: n.name, value: n.value }))); });
            said.appendChild(list);
          }
        });
      }, function () { said.appendChild(el('p', { 'class': 'error' }, problem(0))); });
    });
    wrap.appendChild(said);
    return wrap;
  }
  var top = importer();
  function render() {
    box.textContent = '';
    if (project) box.appendChild(top);
    model.forEach(function (q, i) { box.appendChild(card(q, i)); });
    var add = el('button', { type: 'button', 'class': 'add-question' }, t('legend.question_add'));
    add.addEventListener('click', function () {
      model.push({ key: '', labels: {}, type: 'yes_no', required: false, sensitive: false });
      render();
      box.querySelectorAll('.question-edit')[model.length - 1].querySelector('input').focus();
    });
    box.appendChild(add);
    // The row's count of questions follows.
    box.dispatchEvent(new Event('questions-changed'));
  }
  // A field bound to `object[field]`, its pointer under the question (`/3/key`).
  function input(object, field, attributes, pointer, parse) {
    var node = el('input', Object.assign({ 'data-pointer': pointer }, attributes));
    var value = object[field];
    if (attributes.type === 'checkbox') node.checked = !!value;
    else if (value !== undefined && value !== null) node.value = String(value);
    node.addEventListener('input', function () {
      if (attributes.type === 'checkbox') object[field] = node.checked;
      else object[field] = parse ? parse(node.value) : node.value;
    });
    node.addEventListener('change', function () {
      if (attributes.type === 'checkbox') object[field] = node.checked;
    });
    return node;
  }
  function labelled(text, node) {
    var wrap = el('label', { 'class': 'field' });
    wrap.appendChild(el('span', {}, text));
    wrap.appendChild(node);
    return wrap;
  }
  function labelInputs(object, at) {
    object.labels = object.labels || {};
    var row = el('div', { 'class': 'row' });
    ['es', 'en'].forEach(function (locale) {
      row.appendChild(labelled(t('legend.label_' + locale), input(object.labels, locale, { type: 'text', maxlength: '200' }, at + '/labels/' + locale)));
    });
    return row;
  }
  function number(text) { var n = parseInt(text, 10); return isNaN(n) ? undefined : n; }
  function card(q, i) {
    var at = '/' + i;
    var box = el('fieldset', { 'class': 'question-edit' });
    box.appendChild(el('legend', {}, t('legend.question_n', { n: i + 1 })));
    var first = el('div', { 'class': 'row' });
    first.appendChild(labelled(t('legend.key'), input(q, 'key', { type: 'text', size: '14', maxlength: '64' }, at + '/key')));
    var kind = el('select', { 'data-pointer': at + '/type' });
    kinds.forEach(function (k) {
      var option = el('option', { value: k }, t('legend.question_type.' + k));
      if (k === q.type) option.selected = true;
      kind.appendChild(option);
    });
    kind.addEventListener('change', function () {
      q.type = kind.value;
      if (q.type === 'choice' && !q.options) q.options = [{ key: '', labels: {} }];
      render();
    });
    first.appendChild(labelled(t('legend.question_type'), kind));
    var flags = el('div', { 'class': 'flags' });
    flags.appendChild(labelled(t('legend.question_required'), input(q, 'required', { type: 'checkbox' }, at + '/required')));
    flags.appendChild(labelled(t('legend.sensitive'), input(q, 'sensitive', { type: 'checkbox' }, at + '/sensitive')));
    first.appendChild(flags);
    box.appendChild(first);
    box.appendChild(labelInputs(q, at));
    if (q.type === 'choice') {
      q.options = q.options || [];
      var several = el('div', { 'class': 'flags' });
      several.appendChild(labelled(t('legend.question_multiple'), input(q, 'multiple', { type: 'checkbox' }, at + '/multiple')));
      box.appendChild(several);
      var list = el('ol', { 'class': 'options', 'data-pointer': at + '/options' });
      q.options.forEach(function (option, j) {
        var item = el('li', { 'class': 'row' });
        item.appendChild(labelled(t('legend.key'), input(option, 'key', { type: 'text', size: '12', maxlength: '64' }, at + '/options/' + j + '/key')));
        item.appendChild(labelInputs(option, at + '/options/' + j));
        var drop = el('button', { type: 'button', 'class': 'link' }, t('legend.remove'));
        drop.addEventListener('click', function () { q.options.splice(j, 1); render(); });
        item.appendChild(drop);
        list.appendChild(item);
      });
      box.appendChild(list);
      var more = el('button', { type: 'button' }, t('legend.option_add'));
      more.addEventListener('click', function () { q.options.push({ key: '', labels: {} }); render(); });
      box.appendChild(more);
    } else if (q.type === 'integer') {
      var bounds = el('div', { 'class': 'row' });
      bounds.appendChild(labelled(t('legend.question_min'), input(q, 'min', { type: 'number', step: '1' }, at + '/min', number)));
      bounds.appendChild(labelled(t('legend.question_max'), input(q, 'max', { type: 'number', step: '1' }, at + '/max', number)));
      box.appendChild(bounds);
    } else if (q.type === 'text') {
      box.appendChild(labelled(t('legend.question_max_length'), input(q, 'max_length', { type: 'number', min: '1', max: '500', step: '1' }, at + '/max_length', number)));
    }
    box.appendChild(condition(q, i, at));
    var actions = el('div', { 'class': 'actions' });
    var remove = el('button', { type: 'button', 'class': 'link' }, t('legend.question_remove'));
    remove.addEventListener('click', function () { model.splice(i, 1); render(); });
    actions.appendChild(remove);
    box.appendChild(actions);
    return box;
  }
  // When the question is asked: always, or when an earlier question's answer is one value
  // (a yes or no, an option, a number).
  function condition(q, i, at) {
    var row = el('div', { 'class': 'row' });
    var earlier = model.slice(0, i).filter(function (e) { return e.key; });
    var which = el('select', { 'data-pointer': at + '/when' });
    which.appendChild(el('option', { value: '' }, t('legend.question_always')));
    earlier.forEach(function (e) {
      var option = el('option', { value: e.key }, t('legend.question_when', { question: e.key }));
      if (q.when && q.when.ref === e) option.selected = true;
      which.appendChild(option);
    });
    which.addEventListener('change', function () {
      var ref = earlier.filter(function (e) { return e.key === which.value; })[0];
      q.when = ref ? { question: ref.key, ref: ref, equals: null } : undefined;
      render();
    });
    row.appendChild(labelled(t('legend.question_asked'), which));
    var asked = q.when && q.when.ref;
    if (asked) {
      var value;
      if (asked.type === 'yes_no' || asked.type === 'choice') {
        var choices = asked.type === 'yes_no'
          ? [[true, t('question.yes')], [false, t('question.no')]]
          : (asked.options || []).map(function (o) { return [o.key, o.key]; });
        value = el('select', { 'data-pointer': at + '/when' });
        choices.forEach(function (c, k) {
          var option = el('option', { value: String(k) }, c[1]);
          if (q.when.equals === c[0]) option.selected = true;
          value.appendChild(option);
        });
        var pick = function () { q.when.equals = choices[Number(value.value)] ? choices[Number(value.value)][0] : null; };
        if (q.when.equals === null) pick();
        value.addEventListener('change', pick);
      } else if (asked.type === 'integer') {
        value = input(q.when, 'equals', { type: 'number', step: '1' }, at + '/when', function (v) {
          var n = number(v);
          return n === undefined ? null : n;
        });
      } else {
        value = input(q.when, 'equals', { type: 'text' }, at + '/when');
      }
      row.appendChild(labelled(t('legend.question_equals'), value));
    }
    return row;
  }
  render();
  return function read() {
    return model.map(function (q) {
      var out = { key: (q.key || '').trim(), labels: clean(q.labels), type: q.type, required: !!q.required, sensitive: !!q.sensitive };
      if (q.type === 'choice') {
        out.multiple = !!q.multiple;
        out.options = (q.options || []).map(function (o) { return { key: (o.key || '').trim(), labels: clean(o.labels) }; });
      }
      if (q.type === 'integer') {
        if (q.min !== undefined && q.min !== null) out.min = q.min;
        if (q.max !== undefined && q.max !== null) out.max = q.max;
      }
      if (q.type === 'text' && q.max_length !== undefined && q.max_length !== null) out.max_length = q.max_length;
      if (q.when && (q.when.ref || q.when.question)) {
        out.when = { question: q.when.ref ? (q.when.ref.key || '').trim() : q.when.question, equals: q.when.equals === undefined ? null : q.when.equals };
      }
      return out;
    });
  };
}

// Labels without the empty ones.
function clean(labels) {
  var out = {};
  Object.keys(labels || {}).forEach(function (locale) { if ((labels[locale] || '').trim()) out[locale] = labels[locale].trim(); });
  return out;
}
