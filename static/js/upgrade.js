// On plain HTTP, a device that trusts the room's own authority (`trama serve --tls`, the /tls
// page) moves to HTTPS at the same address: there the browser runs the service worker, and
// a reload with the Wi-Fi down keeps the page. A device that does not trust it gets no answer
// (the handshake fails) and stays where it is, as it always could.
if (location.protocol === 'http:' && location.hostname !== 'localhost' && !/^127\./.test(location.hostname)) {
  var https = 'https://' + location.host;
  var stop = new AbortController();
  setTimeout(function () { stop.abort(); }, 2500);
  fetch(https + '/tls/ping', { mode: 'no-cors', cache: 'no-store', signal: stop.signal }).then(function () {
    location.replace(https + location.pathname + location.search + location.hash);
  }, function () { /* not trusted here, or not served: plain HTTP it is */ });
}
