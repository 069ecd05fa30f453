// Administration forms: each posts its fields as JSON to the API and shows the answer.
(function () {
  'use strict';
  var app = document.getElementById('app');
  var messages = JSON.parse(document.getElementById('messages').textContent);
  var status = document.getElementById('status');
  document.querySelectorAll('form[data-api]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {};
      new FormData(form).forEach(function (value, name) { if (value !== '') body[name] = value; });
      // Lists are typed one item per line.
      if (typeof body.groups === 'string') {
        body.groups = body.groups.split('\n').map(function (g) { return g.trim(); }).filter(Boolean);
      }
      fetch(form.dataset.api, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': app.dataset.csrf },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (answer) {
          if (r.ok) { status.textContent = messages['admin.saved']; window.location.reload(); return; }
          var detail = answer.errors && answer.errors.length
            ? answer.errors.map(function (e) { return e.pointer + ': ' + e.detail; }).join('; ')
            : answer.detail;
          status.textContent = detail;
          status.className = 'status error';
        });
      });
    });
  });
})();
