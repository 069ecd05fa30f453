// Importing a map into a workshop from the workshop list: check first (a dry run lists the
// categories found, every problem with its item and line, and the warnings that do not stop
// the import), then import all or nothing. The file goes as its bytes: a KMZ is a zip, and
// a CSV from Excel may not be UTF-8, which the server decodes and the browser must not.
import { has, t, el as element, request, problem } from './trama.js';

function el(tag, text) { return element(tag, null, text); }
// "Escuelas = escuela" lines as the API's JSON mapping.
function mapping(text) {
  var map = {};
  text.split('\n').forEach(function (line) {
    var at = line.lastIndexOf('=');
    if (at > 0) map[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return map;
}
function where(p) {
  return p.line ? t('import.item', { item: p.item }) + ' (' + t('import.line', { line: p.line }) + ')' : t('import.item', { item: p.item });
}
// "2 polygon, 1 point" (the API's counts of shapes) in the page's words.
function shapes(value) {
  return String(value).split(', ').map(function (part) {
    var at = part.indexOf(' ');
    return t('import.kind.' + part.slice(at + 1), { count: Number(part.slice(0, at)) });
  }).join(', ');
}
// A distance in metres as people read it.
function kilometres(metres) {
  var km = Number(metres) / 1000;
  return (km < 10 ? km.toFixed(1) : Math.round(km)) + ' km';
}
document.querySelectorAll('form.import-form').forEach(function (form) {
  var report = form.parentNode.querySelector('.import-report');
  // A titled list of problems or warnings, each said in the page's language when the page
  // knows its kind.
  // `counts` (of each kind, in all) says how many more there are than those listed.
  function listed(title, kind, entries, prefix, counts) {
    if (!entries.length) return;
    report.appendChild(el('h3', title));
    var list = el('ul');
    list.className = kind;
    entries.forEach(function (p) {
      var key = prefix + p.code;
      var value = p.code === 'outside_area' ? kilometres(p.value)
        : p.code === 'dropped_parts' || p.code === 'reduced_to_point' ? shapes(p.value) : p.value;
      var said = has(key) ? t(key, { value: value }) : p.problem;
      list.appendChild(el('li', (p.item ? where(p) + ': ' : '') + said));
    });
    Object.keys(counts || {}).forEach(function (code) {
      var shown = entries.filter(function (p) { return p.code === code; }).length;
      if (counts[code] > shown) list.appendChild(el('li', t('import.more', { count: counts[code] - shown })));
    });
    report.appendChild(list);
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var dryRun = e.submitter && e.submitter.value === 'true';
    var file = form.elements.file.files[0];
    if (!file) return;
    var extension = file.name.split('.').pop().toLowerCase();
    var params = new URLSearchParams({ format: extension === 'json' ? 'geojson' : extension, dry_run: dryRun });
    ['field', 'default_symbol', 'lon_column', 'lat_column', 'geometry_column'].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    });
    if (form.elements.skip_unlocated.checked) params.set('skip_unlocated', 'true');
    var map = mapping(form.elements.map.value);
    if (Object.keys(map).length) params.set('map', JSON.stringify(map));
    request('/api/workshops/' + form.dataset.workshop + '/import?' + params, { method: 'POST', body: file })
      .then(function (result) {
        var status = result.status, answer = result.body;
        report.textContent = '';
        if (dryRun && status === 200) {
          report.appendChild(el('p', t('import.report', {
            items: answer.items, ready: answer.ready, problems: answer.problems.length, warnings: answer.warnings.length
          })));
          var categories = Object.keys(answer.categories).map(function (c) { return c + ' (' + answer.categories[c] + ')'; });
          if (categories.length) report.appendChild(el('p', t('import.categories') + ': ' + categories.join(', ')));
          listed(t('import.problems'), 'problems', answer.problems, 'import.problem.', answer.problem_counts);
          listed(t('import.left_out'), 'warnings', answer.left_out || [], 'import.problem.', null);
          listed(t('import.warnings'), 'warnings', answer.warnings, 'import.warning.', answer.warning_counts);
        } else if (status === 201) {
          report.appendChild(el('p', t('import.done', { count: answer.imported })));
          listed(t('import.left_out'), 'warnings', answer.left_out || [], 'import.problem.', null);
        } else if (status === 200) {
          report.appendChild(el('p', t('import.again')));
        } else if (status === 400 || status === 422) {
          // The file itself: what is wrong with it, item by item.
          report.appendChild(el('p', t('import.refused') + ' ' + answer.detail));
          var errors = el('ul');
          (answer.errors || []).forEach(function (e) { errors.appendChild(el('li', e.detail)); });
          report.appendChild(errors);
        } else {
          report.appendChild(el('p', t('import.refused') + ' ' + problem(status, answer)));
        }
        // The outcome is below the form: bring it where the person is looking.
        report.scrollIntoView({ block: 'start' });
      });
  });
});
