// The admin page's basemaps, per project: the list (the server's and the project's own, which
// can be removed), an upload with its progress (files of hundreds of MB: XMLHttpRequest, the
// one browser API that reports an upload's progress), and a download of the project's area
// from a tile service: first what it takes, then its progress until it is done.
import { app, t, el, request as api, problem, said, notice as say } from './trama.js';

var status = document.getElementById('status');
function notice(text, error) { say(status, text, error); }
function refused(answer) { return problem(answer.status, answer.body); }

document.querySelectorAll('details.basemaps').forEach(function (section) {
  var slug = section.dataset.project;
  var base = '/api/projects/' + encodeURIComponent(slug) + '/basemaps';
  var list = section.querySelector('.basemap-list');

  function describe(b) {
    return t('admin.basemap_describe', { file: b.file, format: b.format, min: b.min_zoom, max: b.max_zoom });
  }
  function load() {
    api(base).then(function (answer) {
      if (!answer.ok) { notice(refused(answer), true); return; }
      list.textContent = '';
      var basemaps = answer.body.basemaps || [];
      if (!basemaps.length) list.appendChild(el('li', { 'class': 'hint' }, t('admin.basemap_none')));
      basemaps.forEach(function (b) {
        var item = el('li');
        item.appendChild(el('strong', {}, b.label));
        item.appendChild(document.createTextNode(' · ' + describe(b) + (b.own ? '' : ' · ' + t('admin.basemap_server'))));
        // What would leave the map blank: an unknown schema, an area or zooms it lacks.
        (b.warnings || []).forEach(function (w) {
          item.appendChild(el('p', { 'class': 'warning' }, t('admin.basemap_warning_' + w.code, { min: b.min_zoom, max: b.max_zoom })));
        });
        if (b.own) {
          var remove = el('button', { type: 'button', 'class': 'link' }, t('admin.basemap_remove'));
          remove.addEventListener('click', function () {
            if (!window.confirm(t('admin.basemap_remove_confirm'))) return;
            api(base + '/' + encodeURIComponent(b.id), { method: 'DELETE' }).then(function (a) {
              if (!a.ok) { notice(refused(a), true); return; }
              notice(t('admin.saved'));
              load();
            });
          });
          item.appendChild(document.createTextNode(' '));
          item.appendChild(remove);
        }
        list.appendChild(item);
      });
    });
  }
  section.addEventListener('toggle', function () { if (section.open) load(); });

  var upload = section.querySelector('form.basemap-upload');
  upload.addEventListener('submit', function (e) {
    e.preventDefault();
    var file = upload.elements.file.files[0];
    if (!file) return;
    var bar = upload.querySelector('progress');
    var button = upload.querySelector('button[type=submit]');
    var request = new XMLHttpRequest();
    // The file's name comes along only to name it if it is refused.
    request.open('POST', base + '?label=' + encodeURIComponent(upload.elements.label.value) + '&filename=' + encodeURIComponent(file.name));
    request.setRequestHeader('X-CSRF-Token', app.dataset.csrf);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.upload.onprogress = function (p) {
      if (!p.lengthComputable) return;
      var percent = Math.round(100 * p.loaded / p.total);
      bar.value = percent;
      notice(percent < 100 ? t('admin.basemap_uploading', { percent: percent }) : t('admin.basemap_checking'));
    };
    request.onload = function () {
      bar.hidden = true;
      button.disabled = false;
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (err) { body = {}; }
      if (request.status === 201) { notice(t('admin.basemap_added')); upload.reset(); load(); return; }
      notice(refused({ status: request.status, body: body }), true);
    };
    request.onerror = function () { bar.hidden = true; button.disabled = false; notice(refused({ status: 0 }), true); };
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    request.send(file);
  });

  var download = section.querySelector('form.basemap-fetch');
  var state = download.querySelector('.fetch-state');
  var bar = download.querySelector('progress');
  var stop = download.querySelector('[data-fetch=stop]');
  function plan(dryRun) {
    var f = download.elements;
    return {
      url: f.url.value.trim(), label: f.label.value.trim(), contact: f.contact.value.trim(),
      attribution: f.attribution.value.trim() || null,
      min_zoom: Number(f.min_zoom.value), max_zoom: Number(f.max_zoom.value), dry_run: dryRun
    };
  }
  function estimated(e) {
    return t('admin.fetch_estimated', { tiles: e.tiles, mb: Math.ceil(e.bytes / 1e6), minutes: Math.ceil(e.seconds / 60) });
  }
  function send(dryRun) {
    return api(base + '/fetch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(plan(dryRun)) });
  }
  download.querySelector('[data-fetch=estimate]').addEventListener('click', function () {
    if (!download.reportValidity()) return;
    send(true).then(function (answer) {
      state.textContent = answer.ok ? estimated(answer.body.estimate) : refused(answer);
    });
  });
  function follow() {
    api(base + '/fetch').then(function (answer) {
      if (!answer.ok) { state.textContent = refused(answer); return; }
      var job = answer.body, p = job.progress;
      bar.hidden = false;
      bar.value = p.total ? Math.round(100 * p.done / p.total) : 0;
      if (job.running) {
        stop.hidden = false;
        state.textContent = t('admin.fetch_progress', { done: p.done, total: p.total, mb: (p.bytes / 1e6).toFixed(1) });
        setTimeout(follow, 2000);
        return;
      }
      stop.hidden = true;
      bar.hidden = true;
      state.textContent = job.error ? t('admin.fetch_failed', { error: said({ code: job.error_code, params: job.error_params }) || job.error }) : t('admin.fetch_done');
      if (!job.error) load();
    });
  }
  download.addEventListener('submit', function (e) {
    e.preventDefault();
    send(false).then(function (answer) {
      if (!answer.ok) { state.textContent = refused(answer); return; }
      state.textContent = estimated(answer.body.estimate);
      follow();
    });
  });
  stop.addEventListener('click', function () { api(base + '/fetch', { method: 'DELETE' }); });
});
