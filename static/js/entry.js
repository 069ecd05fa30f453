// What the pages a person starts from (home, join, sign-in) do first.
//
// Nothing of the last person stays on a shared phone: what a draw page remembered of its
// workshop (draw.js, "what this phone last knew") is forgotten here, as the service worker
// forgets its copies when someone joins or signs in.
for (var i = localStorage.length - 1; i >= 0; i--) {
  var key = localStorage.key(i);
  if (key && key.indexOf('trama.known.') === 0) localStorage.removeItem(key);
}

// On plain HTTP, a device that trusts the room's own authority (`trama serve --tls`, the /tls
// page) moves to HTTPS at the same address: there the browser runs the service worker, and
// a reload with the Wi-Fi down keeps the page. A device that does not trust it gets no answer
// (the handshake fails) and stays where it is, as it always could. Never once someone has
// started typing or sent a form: their words are not thrown away.
if (location.protocol === 'http:' && location.hostname !== 'localhost' && !/^127\./.test(location.hostname)) {
  var busy = false;
  document.addEventListener('input', function () { busy = true; }, true);
  document.addEventListener('submit', function () { busy = true; }, true);
  var https = 'https://' + location.host;
  var stop = new AbortController();
  setTimeout(function () { stop.abort(); }, 2500);
  fetch(https + '/tls/ping', { mode: 'no-cors', cache: 'no-store', signal: stop.signal }).then(function () {
    if (!busy) location.replace(https + location.pathname + location.search + location.hash);
  }, function () { /* not trusted here, or not served: plain HTTP it is */ });
}
