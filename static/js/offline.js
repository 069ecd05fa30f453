// Offline: registers Trama's service worker where the browser runs one (HTTPS pages, and the
// laptop itself), so that a reload with the server out of reach still shows the page; and
// shows the page's #connection notice while the server cannot be reached (checked every 10 s,
// and when the device says its network changed).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () { /* pages work without it */ });
  // At the first visit the page loaded before the worker ran: once it runs, it is asked to
  // keep this page and what it loaded so far (the map's tiles, the legend).
  navigator.serviceWorker.ready.then(function (registration) {
    if (navigator.serviceWorker.controller || !registration.active) return;
    var loaded = performance.getEntriesByType('resource').map(function (e) { return e.name; });
    registration.active.postMessage({ keep: [location.href].concat(loaded) });
  });
}
var notice = document.getElementById('connection');
function show(reachable) {
  notice.hidden = reachable;
  document.body.classList.toggle('offline', !reachable);
}
function check() {
  var abort = new AbortController();
  var timer = setTimeout(function () { abort.abort(); }, 4000);
  fetch('/healthz', { cache: 'no-store', signal: abort.signal })
    .then(function (r) { show(r.ok); }, function () { show(false); })
    .then(function () { clearTimeout(timer); });
}
if (notice) {
  check();
  setInterval(check, 10000);
  window.addEventListener('online', check);
  window.addEventListener('offline', function () { show(false); });
}
