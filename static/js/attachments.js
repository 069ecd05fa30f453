// Photos and voice notes on drawings (issue 28). A photo is made 2048 px JPEG on the phone
// (quicker over Wi-Fi; the camera's metadata stays on the phone); a note is recorded
// (MediaRecorder) or chosen. Each waits in IndexedDB (localStorage holds 5 MB) until sent,
// once: its key is its Idempotency-Key.

import { t, el, uuid, send as api } from './trama.js';

export var MAX_PER_DRAWING = 10;
var MAX_SIDE = 2048;
var PREVIEW_SIDE = 160;

// The phone's store of photos waiting to be sent: key → Blob.
var opened = null;
function database() {
  if (!opened) {
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open('trama-photos', 1);
      request.onupgradeneeded = function () { request.result.createObjectStore('photos'); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  return opened;
}
function inStore(mode, work) {
  return database().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction('photos', mode);
      var request = work(tx.objectStore('photos'));
      tx.oncomplete = function () { resolve(request.result); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  });
}
function keep(key, blob) { return inStore('readwrite', function (s) { return s.put(blob, key); }); }
// The files still being made and kept (a photo takes a second to shrink): sending one waits.
var saving = {};
function kept(key) { return inStore('readonly', function (s) { return s.get(key); }); }
export function forget(key) { return inStore('readwrite', function (s) { return s.delete(key); }).catch(function () {}); }
// Forgets `key` once it is kept (a photo still being shrunk would be kept after).
function forgetKept(key) {
  return (saving[key] || Promise.resolve()).then(function () { return forget(key); }, function () {});
}

// `file` upright (the browser applies its EXIF orientation) and at most 2048 px a side, as a
// JPEG; the file as it is where the browser cannot decode it (the server then says why).
function shrink(file) {
  if (!window.createImageBitmap) return Promise.resolve({ blob: file, preview: null });
  return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bitmap) {
    var photo = drawn(bitmap, MAX_SIDE);
    var preview = drawn(bitmap, PREVIEW_SIDE).toDataURL('image/jpeg', 0.7);
    if (bitmap.close) bitmap.close();
    return new Promise(function (resolve) {
      photo.toBlob(function (blob) { resolve({ blob: blob || file, preview: preview }); }, 'image/jpeg', 0.85);
    });
  }).catch(function () { return { blob: file, preview: null }; });
}
function drawn(bitmap, side) {
  var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  var canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

// What the browser can record a voice note in, of what the server keeps (Opus in WebM on
// Chrome, Firefox and Android; AAC in MP4 on Safari); null where it cannot record at all
// (a page over plain HTTP other than the laptop itself: the browser gives no microphone).
function recordable() {
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return null;
  return ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'].filter(function (type) {
    return MediaRecorder.isTypeSupported(type);
  })[0] || null;
}
export var MAX_SECONDS = 60;

// m:ss of `seconds`.
function clock(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  return Math.floor(seconds / 60) + ':' + String(seconds % 60).padStart(2, '0');
}

// The picker in `box`: "add a photo" (camera or gallery), "record a voice note" where the
// browser can record, else an audio file; each chosen one with a button to take it out; at
// most `room`. Returns `{ keys(), clear(queued) }` (clearing forgets unqueued files).
export function picker(box, room) {
  box.textContent = '';
  var keys = [];
  var photoId = 'photo-' + uuid(), voiceId = 'voice-' + uuid();
  var photoInput = el('input', { type: 'file', id: photoId, accept: 'image/*', multiple: '', 'class': 'visually-hidden' });
  var add = el('label', { 'for': photoId, 'class': 'button photo-add' }, t('photo.add'));
  var buttons = el('div', { 'class': 'attach-buttons' });
  buttons.appendChild(photoInput);
  buttons.appendChild(add);
  var type = recordable();
  var record = el('button', { type: 'button', 'class': 'voice-record', 'aria-pressed': 'false' }, t('voice.record'));
  var voiceInput = el('input', { type: 'file', id: voiceId, accept: 'audio/*', 'class': 'visually-hidden' });
  var voiceFile = el('label', { 'for': voiceId, 'class': 'button voice-file' }, t('voice.file'));
  if (type) buttons.appendChild(record); else { buttons.appendChild(voiceInput); buttons.appendChild(voiceFile); }
  var list = el('ul', { 'class': 'photo-list' });
  var note = el('p', { 'class': 'hint', role: 'status', 'aria-live': 'polite' });
  box.appendChild(buttons);
  box.appendChild(list);
  box.appendChild(note);
  function full() {
    var left = room - keys.length;
    add.hidden = record.hidden = voiceFile.hidden = left <= 0;
    note.textContent = left <= 0 ? t('photo.full', { count: room }) : '';
  }
  // One chosen file, shown by `shown` (its thumbnail or its player), kept as `blob` once
  // `ready` gives it.
  function chosen(kind, ready) {
    var key = uuid();
    keys.push(key);
    full();
    var n = keys.length;
    var item = el('li', { 'class': kind === 'photo' ? 'photo' : 'photo voice' });
    var shown = kind === 'photo'
      ? el('img', { alt: t('photo.chosen', { n: n }), width: '72', height: '72' })
      : el('audio', { controls: '', preload: 'metadata', 'aria-label': t('voice.chosen', { n: n }) });
    var remove = el('button', { type: 'button', 'class': 'photo-remove', 'aria-label': t(kind === 'photo' ? 'photo.remove' : 'voice.remove', { n: n }) }, '×');
    item.appendChild(shown);
    item.appendChild(remove);
    list.appendChild(item);
    item.scrollIntoView({ block: 'nearest' });
    remove.addEventListener('click', function () {
      keys = keys.filter(function (k) { return k !== key; });
      list.removeChild(item);
      forgetKept(key);
      full();
    });
    saving[key] = ready.then(function (made) {
      shown.src = made.preview;
      return keep(key, made.blob);
    });
    saving[key].then(function () { delete saving[key]; }, function () {
      delete saving[key];
      // No room on the phone for it: said, and left out.
      keys = keys.filter(function (k) { return k !== key; });
      if (item.parentNode) list.removeChild(item);
      note.textContent = t('photo.not_kept');
    });
  }
  photoInput.addEventListener('change', function () {
    var files = Array.prototype.slice.call(photoInput.files || [], 0, Math.max(0, room - keys.length));
    photoInput.value = '';
    files.forEach(function (file) { chosen('photo', shrink(file)); });
  });
  voiceInput.addEventListener('change', function () {
    var file = voiceInput.files && voiceInput.files[0];
    voiceInput.value = '';
    if (file && keys.length < room) chosen('voice', Promise.resolve({ blob: file, preview: URL.createObjectURL(file) }));
  });
  // Recording: a tap starts it, another stops it (or the minute does).
  var recording = null;
  record.addEventListener('click', function () {
    if (recording) { recording.stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var recorder = new MediaRecorder(stream, { mimeType: type });
      var parts = [], started = Date.now();
      var tick = setInterval(function () {
        var seconds = (Date.now() - started) / 1000;
        record.textContent = t('voice.stop', { time: clock(seconds) });
        if (seconds >= MAX_SECONDS) recording.stop();
      }, 250);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) parts.push(e.data); };
      recorder.onstop = function () {
        clearInterval(tick);
        stream.getTracks().forEach(function (track) { track.stop(); });
        recording = null;
        record.textContent = t('voice.record');
        record.setAttribute('aria-pressed', 'false');
        record.classList.remove('recording');
        var blob = new Blob(parts, { type: type.split(';')[0] });
        if (blob.size && keys.length < room) chosen('voice', Promise.resolve({ blob: blob, preview: URL.createObjectURL(blob) }));
      };
      recording = { stop: function () { if (recorder.state !== 'inactive') recorder.stop(); } };
      recorder.start(1000);
      record.textContent = t('voice.stop', { time: clock(0) });
      record.setAttribute('aria-pressed', 'true');
      record.classList.add('recording');
    }, function () {
      // No microphone, or the person said no: the file choice instead.
      note.textContent = t('voice.no_microphone');
      record.replaceWith(voiceInput, voiceFile);
    });
  });
  full();
  return {
    keys: function () { return keys.slice(); },
    clear: function (queued) {
      if (recording) recording.stop();
      if (!queued) keys.forEach(forgetKept);
      keys = [];
      list.textContent = '';
      full();
    }
  };
}

// Sends file `key` to drawing `featureId` (once it is kept): resolves `{ sent: true }` once
// the server has it, `{ refused: problem }` when it will never take it (then it is
// forgotten), `{ held: problem }` when the session ended or the workshop closed (kept), and
// rejects when the server is out of reach (to be sent again later). A file the phone no
// longer has is `{ sent: false }`.
export function send(featureId, key, annotationId) {
  return (saving[key] || Promise.resolve()).catch(function () {}).then(function () {
    return kept(key);
  }).then(function (blob) {
    if (!blob) return { sent: false };
    var of = annotationId ? '?annotation=' + annotationId : '';
    return api('/api/features/' + featureId + '/attachments' + of, {
      method: 'POST',
      headers: { 'Content-Type': blob.type || 'application/octet-stream', 'Idempotency-Key': key },
      body: blob
    }).then(function (response) {
      if (response.status === 201) return forget(key).then(function () { return { sent: true }; });
      // The session ended, or the workshop closed: kept for when it reopens.
      if (response.status === 401 || response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (problem) {
          problem.status = response.status;
          return { held: problem };
        });
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        return response.json().catch(function () { return {}; }).then(function (problem) {
          return forget(key).then(function () { return { refused: problem }; });
        });
      }
      throw new Error('server ' + response.status);
    });
  });
}

// A stored drawing's photos (or, with `options.annotation`, one comment's) as thumbnails, each
// opening the photo, named for screen readers
// ("Foto 1 de 2: Comedor San José"). `options.publicView`: as a projected screen sees the
// drawing (none of a sensitive one, whoever is signed in); `options.removable`: each with a
// button to remove it (analysts; the server decides); `options.grown`: called when the list
// has grown (a popup lays itself out again). Fills in as the list arrives; says nothing when
// there are none or they cannot be read.
export function gallery(featureId, title, options) {
  options = options || {};
  var list = el('ul', { 'class': 'photo-list photo-gallery' });
  var query = options.publicView ? '?view=public' : options.door ? '?door=' + options.door : '';
  api('/api/features/' + featureId + '/attachments' + query).then(function (r) {
    return r.ok ? r.json() : { attachments: [] };
  }).then(function (answer) {
    // The drawing's own, or one comment's (`options.annotation`).
    var all = (answer.attachments || []).filter(function (a) { return (a.annotation || null) === (options.annotation || null); });
    var photos = all.filter(function (a) { return a.kind === 'photo'; });
    var notes = all.filter(function (a) { return a.kind === 'voice_note'; });
    photos.forEach(function (photo, i) {
      var name = t('photo.named', { n: i + 1, count: photos.length, title: title });
      var link = el('a', { href: photo.url + query, target: '_blank', rel: 'noopener' });
      var ratio = photo.width && photo.height ? photo.height / photo.width : 1;
      var image = el('img', {
        src: photo.thumbnail_url + query, alt: name,
        width: '96', height: String(Math.round(96 * Math.min(ratio, 1.5)))
      });
      if (options.grown) image.addEventListener('load', options.grown);
      link.appendChild(image);
      shown(photo, name, link, 'photo');
    });
    notes.forEach(function (voice, i) {
      var name = t('voice.named', { n: i + 1, count: notes.length, title: title, time: clock((voice.duration_ms || 0) / 1000) });
      // Loaded when played: a popup of a drawing with notes costs nothing until then.
      var player = el('audio', { controls: '', preload: 'none', src: voice.url + query, 'aria-label': name, title: name });
      shown(voice, name, player, 'photo voice');
    });
    if (all.length && options.grown) options.grown();
  }).catch(function () { /* out of reach: the drawing says what it can without them */ });
  // One attachment in the list, removable by those who may.
  function shown(attachment, name, content, className) {
    var item = el('li', { 'class': className });
    item.appendChild(content);
    if (options.removable) {
      var remove = el('button', { type: 'button', 'class': 'photo-remove', 'aria-label': t('photo.remove_named', { name: name }) }, '×');
      remove.addEventListener('click', function () {
        if (!window.confirm(t('photo.remove_confirm'))) return;
        api(attachment.url, { method: 'DELETE' }).then(function (r) {
          if (r.ok) list.removeChild(item);
        });
      });
      item.appendChild(remove);
    }
    list.appendChild(item);
  }
  return list;
}

// Lays the open popup of `layer` out again once photos arrived, panning it into view: the
// steps of Leaflet 1.9's DivOverlay.update after the content (`update()` would rebuild it).
export function relayout(layer) {
  var popup = layer.getPopup && layer.getPopup();
  if (!popup || !layer.isPopupOpen()) return;
  popup._updateLayout();
  popup._updatePosition();
  popup._adjustPan();
}
