// The questions a legend symbol asks of each drawing (domain::question), asked on the draw
// page after the shape: large targets for a thumb (a yes/no and a choice are buttons to tap,
// a number has − and +), in the page's language, a question shown only once the earlier
// answer it depends on makes it apply. The server checks the answers again.

import { t, el } from './trama.js';

// A label in `locale`, else Spanish, else the first there is.
export function labelIn(labels, locale, fallback) {
  labels = labels || {};
  return labels[locale] || labels.es || labels[Object.keys(labels)[0]] || fallback || '';
}

var asked = 0;

// Fills `box` with `symbol`'s questions, answered as `given` (an edit's), and returns a
// function that reads the answers: { key: answer }, empty ones and those that do not apply
// left out.
export function ask(box, symbol, locale, given) {
  box.textContent = '';
  var questions = (symbol && symbol.questions) || [];
  box.hidden = !questions.length;
  given = given || {};
  var fields = questions.map(function (q) {
    var id = 'q' + (++asked) + '-' + q.key;
    var set = el('fieldset', { 'class': 'question', 'data-key': q.key });
    var legend = el('legend', {}, labelIn(q.labels, locale, q.key));
    if (q.required) legend.appendChild(el('span', { 'class': 'required', 'aria-hidden': 'true' }, ' *'));
    set.appendChild(legend);
    if (q.sensitive) set.appendChild(el('p', { 'class': 'hint' }, t('question.private')));
    var read = control(q, id, set, given[q.key], locale);
    box.appendChild(set);
    return { question: q, set: set, read: read, first: set.querySelector('input') };
  });
  function answers() {
    var out = {};
    fields.forEach(function (f) {
      var applies = !f.question.when || holds(f.question.when, out);
      f.set.hidden = !applies;
      // A hidden question is neither required nor sent.
      f.set.disabled = !applies;
      if (!applies) return;
      var value = f.read();
      var empty = value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length);
      if (!empty) out[f.question.key] = value;
      // A required choice of several has no native check: the form is stopped here, with
      // the question named, rather than refused later by the server.
      if (f.first && f.question.required && f.question.multiple) {
        f.first.setCustomValidity(empty ? t('question.required') : '');
      }
    });
    return out;
  }
  // One listener each, whichever drawing the form was last filled for.
  box.onchange = answers;
  box.oninput = answers;
  answers();
  return answers;
}

function holds(condition, answers) {
  var answer = answers[condition.question];
  if (Array.isArray(answer)) return answer.indexOf(condition.equals) >= 0;
  return answer === condition.equals;
}

// The input for question `q` in fieldset `set`, showing `value`; returns its reader.
function control(q, id, set, value, locale) {
  if (q.type === 'yes_no' || q.type === 'choice') {
    var options = q.type === 'yes_no'
      ? [{ key: true, label: t('question.yes') }, { key: false, label: t('question.no') }]
      : q.options.map(function (o) { return { key: o.key, label: labelIn(o.labels, locale, o.key) }; });
    var multiple = q.type === 'choice' && q.multiple;
    var chosen = [].concat(value === undefined || value === null ? [] : value);
    var list = el('div', { 'class': 'choices' });
    var inputs = options.map(function (o, i) {
      var input = el('input', { type: multiple ? 'checkbox' : 'radio', name: id, id: id + '-' + i, value: String(o.key) });
      if (chosen.indexOf(o.key) >= 0) input.checked = true;
      if (q.required && !multiple) input.required = true;
      var label = el('label', { 'for': input.id, 'class': 'choice' });
      label.appendChild(input);
      label.appendChild(el('span', {}, o.label));
      list.appendChild(label);
      return { input: input, key: o.key };
    });
    set.appendChild(list);
    return function () {
      var on = inputs.filter(function (i) { return i.input.checked; }).map(function (i) { return i.key; });
      return multiple ? on : (on.length ? on[0] : null);
    };
  }
  if (q.type === 'integer') {
    var row = el('div', { 'class': 'stepper' });
    var number = el('input', { type: 'number', inputmode: 'numeric', step: '1', id: id, 'aria-label': labelIn(q.labels, locale, q.key) });
    if (q.min !== undefined) number.min = q.min;
    if (q.max !== undefined) number.max = q.max;
    if (q.required) number.required = true;
    if (typeof value === 'number') number.value = value;
    function step(by) {
      var now = parseInt(number.value, 10);
      var next = isNaN(now) ? (q.min !== undefined ? q.min : 0) : now + by;
      if (q.min !== undefined) next = Math.max(q.min, next);
      if (q.max !== undefined) next = Math.min(q.max, next);
      number.value = next;
      number.dispatchEvent(new Event('input', { bubbles: true }));
    }
    var less = el('button', { type: 'button', 'class': 'step', 'aria-label': t('question.less') }, '−');
    var more = el('button', { type: 'button', 'class': 'step', 'aria-label': t('question.more') }, '+');
    less.addEventListener('click', function () { step(-1); });
    more.addEventListener('click', function () { step(1); });
    row.appendChild(less);
    row.appendChild(number);
    row.appendChild(more);
    set.appendChild(row);
    // `valueAsNumber` reads what the field accepts (`1e2` is 100); a decimal stays one, and
    // the field's own step check stops it.
    return function () { var n = number.valueAsNumber; return isNaN(n) ? null : n; };
  }
  var kind = { date: 'date', time: 'time' }[q.type] || 'text';
  var input = el('input', { type: kind, id: id, 'aria-label': labelIn(q.labels, locale, q.key) });
  if (kind === 'text') input.maxLength = q.max_length || 200;
  if (q.required) input.required = true;
  if (typeof value === 'string') input.value = value;
  set.appendChild(input);
  return function () { return input.value.trim(); };
}

// A drawing's answers as a list of "question: answer" for a popup or a card, in `locale`.
export function describe(symbol, answers, locale) {
  var list = el('dl', { 'class': 'answers' });
  var questions = (symbol && symbol.questions) || [];
  questions.forEach(function (q) {
    if (!answers || !(q.key in answers)) return;
    var answer = answers[q.key];
    var text;
    if (q.type === 'yes_no') text = answer ? t('question.yes') : t('question.no');
    else if (q.type === 'choice') {
      text = [].concat(answer).map(function (key) {
        var option = q.options.filter(function (o) { return o.key === key; })[0];
        return option ? labelIn(option.labels, locale, key) : key;
      }).join(', ');
    } else text = String(answer);
    list.appendChild(el('dt', {}, labelIn(q.labels, locale, q.key)));
    list.appendChild(el('dd', {}, text));
  });
  return list.children.length ? list : null;
}
