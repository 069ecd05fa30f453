// Importing a map into a workshop from the workshop list: check first (a dry run lists the
// categories found and every problem with its item and line), then import all or nothing.
(function () {
  'use strict';
  var app = document.getElementById('app');
  var messages = window.TramaMessages, t = window.TramaT;
  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }
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
  document.querySelectorAll('form.import-form').forEach(function (form) {
    var report = form.parentNode.querySelector('.import-report');
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var dryRun = e.submitter && e.submitter.value === 'true';
      var file = form.elements.file.files[0];
      if (!file) return;
      var extension = file.name.split('.').pop().toLowerCase();
      var params = new URLSearchParams({ format: extension === 'json' ? 'geojson' : extension, dry_run: dryRun });
      if (form.elements.field.value) params.set('field', form.elements.field.value);
      if (form.elements.default_symbol.value) params.set('default_symbol', form.elements.default_symbol.value);
      var map = mapping(form.elements.map.value);
      if (Object.keys(map).length) params.set('map', JSON.stringify(map));
      file.text().then(function (text) {
        return fetch('/api/workshops/' + form.dataset.workshop + '/import?' + params, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'X-CSRF-Token': app.dataset.csrf },
          body: text
        });
      }).then(function (r) { return r.json().catch(function () { return {}; }).then(function (answer) { return [r.status, answer]; }); }, function () { return [0, {}]; })
        .then(function (result) {
          var status = result[0], answer = result[1];
          report.textContent = '';
          if (dryRun && status === 200) {
            report.appendChild(el('p', t('import.report', { ready: answer.ready, problems: answer.problems.length })));
            var categories = Object.keys(answer.categories).map(function (c) { return c + ' (' + answer.categories[c] + ')'; });
            if (categories.length) report.appendChild(el('p', t('import.categories') + ': ' + categories.join(', ')));
            var list = el('ul');
            answer.problems.forEach(function (p) {
              // Said in the page's language when the page knows the kind of problem.
              var key = 'import.problem.' + p.code;
              var said = messages[key] ? t(key, { value: p.value }) : p.problem;
              list.appendChild(el('li', where(p) + ': ' + said));
            });
            report.appendChild(list);
          } else if (status === 201) {
            report.appendChild(el('p', t('import.done', { count: answer.imported })));
          } else if (status === 200) {
            report.appendChild(el('p', t('import.again')));
          } else if (status === 400 || status === 422) {
            // The file itself: what is wrong with it, item by item.
            report.appendChild(el('p', t('import.refused') + ' ' + answer.detail));
            var errors = el('ul');
            (answer.errors || []).forEach(function (e) { errors.appendChild(el('li', e.detail)); });
            report.appendChild(errors);
          } else {
            report.appendChild(el('p', t('import.refused') + ' ' + window.TramaProblem(status, answer)));
          }
        });
    });
  });
})();
