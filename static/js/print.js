// Printed maps on the workshops page: each workshop's print form asks the server for a PDF
// (POST /api/projects/{slug}/prints), follows its job until the sheets are drawn, and then
// offers the file.
import { t, requestJson, request, problem, said } from './trama.js';

document.querySelectorAll('form.print-form').forEach(function (form) {
  var report = form.parentElement.querySelector('.print-report');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var fields = form.elements;
    var body = {
      workshop: form.dataset.workshop,
      paper: fields.paper.value,
      orientation: fields.orientation.value,
      columns: Number(fields.columns.value) || 1,
      rows: Number(fields.rows.value) || 1,
      drawings: fields.drawings.checked,
      notes: fields.notes.checked,
      lang: document.documentElement.lang || 'es'
    };
    if (fields.scale.value) body.scale = Number(fields.scale.value);
    // A result for the community (analysts): its text and how it shows sensitive places.
    if (fields.result && fields.result.checked) {
      body.result = true;
      body.text = fields.text.value;
      body.sensitive = fields.sensitive.value;
    }
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    say('');
    requestJson('POST', '/api/projects/' + encodeURIComponent(form.dataset.project) + '/prints', body).then(function (answer) {
      if (!answer.ok) { button.disabled = false; say(problem(answer.status, answer.body), true); return; }
      follow(answer.body, button);
    });
  });

  // Asks how far the print is every second until it is done or failed.
  function follow(status, button) {
    if (status.running) {
      var progress = status.progress || {};
      var sheets = progress.sheets || (status.estimate || {}).sheets || 1;
      say(t('print.working', { done: Math.min((progress.sheets_done || 0) + 1, sheets), sheets: sheets }));
      setTimeout(function () {
        request(status.status_url).then(function (answer) {
          if (!answer.ok) { button.disabled = false; say(problem(answer.status, answer.body), true); return; }
          follow(answer.body, button);
        });
      }, 1000);
      return;
    }
    button.disabled = false;
    if (status.error) {
      say(t('print.failed', { detail: said({ code: status.error_code, params: status.error_params }) || status.error }), true);
      return;
    }
    var result = status.result || {};
    say(t('print.ready', { sheets: (result.sheets || []).length, scale: Number(result.scale || 0).toLocaleString(document.documentElement.lang || 'es') }));
    var link = document.createElement('a');
    link.href = status.file_url;
    link.textContent = t('print.download');
    link.className = 'button primary';
    link.setAttribute('download', result.file_name || 'mapa.pdf');
    report.appendChild(document.createTextNode(' '));
    report.appendChild(link);
    link.focus();
  }

  function say(text, error) {
    report.textContent = text;
    report.classList.toggle('error', !!error);
  }
});
