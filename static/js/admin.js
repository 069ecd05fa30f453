// Administration forms: each posts its fields as JSON to the API and shows the answer.
import { has, t, request, requestJson, problem, notice } from './trama.js';

var status = document.getElementById('status');
document.querySelectorAll('form[data-api]').forEach(function (form) {
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    // Acts that matter (closing a workshop) are confirmed first.
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var body = {};
    new FormData(form).forEach(function (value, name) { if (value !== '') body[name] = value; });
    // Lists are typed one item per line.
    if (typeof body.groups === 'string') {
      body.groups = body.groups.split('\n').map(function (g) { return g.trim(); }).filter(Boolean);
    }
    // A user's row says "disabled" by its checkbox, checked or not.
    if (form.elements.disabled) body.disabled = form.elements.disabled.checked;
    // A project's privacy: who sees sensitive drawings exactly, and the masking floor.
    if (form.dataset.shape === 'privacy') {
      body = {
        sensitive_exact: body.sensitive_exact,
        masking: { mask_min: Number(body.mask_min), mask_max: Number(body.mask_max), resolution: Number(body.resolution), k: Number(body.k) },
        // Empty: the server's default.
        import_max_items: body.import_max_items ? Number(body.import_max_items) : null,
        photo_max_mb: body.photo_max_mb ? Number(body.photo_max_mb) : null,
        voice_note_max_seconds: body.voice_note_max_seconds ? Number(body.voice_note_max_seconds) : null,
        // Empty: drawings are kept until deleted.
        retention_months: body.retention_months ? Number(body.retention_months) : null
      };
      // What the retention keeps says something only when there is one.
      if (body.retention_months) body.retention_then = new FormData(form).get('retention_then');
    }
    // A workshop's legal basis: the consent's texts in each language, or the mandate; the
    // uses it covers.
    if (form.dataset.shape === 'basis') {
      var uses = ['research', 'publication'].filter(function (use) { return form.elements['use_' + use].checked; });
      if (body.basis === 'public_interest') {
        body = { basis: 'public_interest', mandate: body.mandate || '', uses: uses };
      } else {
        var texts = {};
        ['es', 'en'].forEach(function (language) {
          if (body['text_' + language] || body['withdrawal_' + language]) {
            texts[language] = { text: body['text_' + language] || '', withdrawal: body['withdrawal_' + language] || '' };
          }
        });
        body = { basis: 'consent', given_by: body.given_by, texts: texts, uses: uses };
      }
    }
    // A workshop's joins a minute for a large room; empty gives back the server's.
    if (form.dataset.shape === 'joins') {
      body = { joins_per_minute: body.joins_per_minute ? Number(body.joins_per_minute) : null };
    }
    requestJson(form.dataset.method || 'POST', form.dataset.api, body).then(function (answer) {
      if (answer.ok) { status.textContent = t('admin.saved'); window.location.reload(); return; }
      var errors = answer.body.errors || [];
      if (answer.status === 422 && errors.length) {
        fail(t('admin.not_saved') + ' ' + errors.map(function (e) { return explain(form, e); }).join('; '));
        return;
      }
      // A new project or user whose identifier is taken.
      if (answer.status === 409 && (form.id === 'new-project' || form.id === 'new-user')) {
        fail(t('admin.taken.' + form.id));
        return;
      }
      fail(problem(answer.status, answer.body));
    });
  });
});

function fail(text) { notice(status, text, true); }

// A problem with one field of `form`, in the page's language: its label, then what to fix.
function explain(form, error) {
  var name = error.pointer.split('/')[1] || '';
  // A consent text's problem names its language: /texts/es/text is the field text_es.
  var text = error.pointer.match(/^\/texts\/([a-z-]+)\/(text|withdrawal)$/);
  if (text) name = text[2] + '_' + text[1];
  var field = form.elements[name];
  var label = field && field.id && form.querySelector('label[for="' + field.id + '"]');
  var key = 'admin.invalid.' + name;
  return (label ? label.textContent + ': ' : '') + (has(key) ? t(key) : error.detail);
}

// Pictograms go up as they are; the server refuses any that carries script or reaches out.
var upload = document.getElementById('upload-pictogram');
if (upload) {
  upload.addEventListener('submit', function (e) {
    e.preventDefault();
    var file = document.getElementById('pic-file').files[0];
    if (!file) return;
    file.text().then(function (svg) {
      return request('/api/pictograms/' + encodeURIComponent(document.getElementById('pic-name').value), {
        method: 'PUT',
        headers: { 'Content-Type': 'image/svg+xml' },
        body: svg
      });
    }).then(function (answer) {
      if (answer.ok) { notice(status, t('admin.saved')); return; }
      fail(problem(answer.status, answer.body));
    });
  });
}
