// Trama's service worker: the pages people draw, project and review on stay usable when the
// room's Wi-Fi drops, across a reload with the server out of reach.
// - pages (/draw, /workshops/{id}/wall, /review/{slug}): from the server, or the last copy
//   when it does not answer within 4 s;
// - scripts, styles, pictograms (/static/, /pictograms/): the copy kept at once, refreshed
//   behind;
// - basemap tiles: the copy kept, else the server (at most 4,000 tiles kept);
// - the API's reads those pages start from (legend, drawings, who I am): from the server,
//   else the last copy when it fails or does not answer within 8 s.
// Writes always go to the server: the draw page keeps its own queue (localStorage) and sends
// it when the connection is back. Leaving, signing out, signing in or joining deletes every
// copy, and so does the server's saying that the session ended (a 401, or a page sent to the
// sign-in), so a shared phone keeps nothing of its last user. Browsers run service workers only on HTTPS pages and
// on the laptop itself (localhost): see the README.
'use strict';

var PAGES = 'trama-pages-v1';
var STATIC = 'trama-static-v1';
var TILES = 'trama-tiles-v1';
var API = 'trama-api-v1';
var MAX_TILES = 4000;

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

function isPage(path) {
  return path === '/draw' || /^\/workshops\/[^/]+\/wall$/.test(path) || /^\/review\/[^/]+$/.test(path);
}

function isTile(path) { return /^\/api\/basemaps\/[^/]+\/tiles\//.test(path); }

// The reads the kept pages start from, and only those (no user lists, exports, events):
// who I am, the project, its legend and pictograms, its drawings, its workshops.
var KEPT_READS = [
  /^\/api\/me$/,
  /^\/api\/projects\/[^/]+$/,
  /^\/api\/projects\/[^/]+\/(legend|features|workshops)$/,
  /^\/api\/projects\/[^/]+\/legend\/pictograms$/,
  /^\/api\/workshops\/[^/]+$/,
  /^\/api\/pictograms\/[^/]+$/
];
function isKeptRead(path) {
  return KEPT_READS.some(function (pattern) { return pattern.test(path); });
}

// The network within `ms`, else what `fallback` gives.
function networkFirst(request, cacheName, ms) {
  return caches.open(cacheName).then(function (cache) {
    var network = fetch(request).then(function (response) {
      // The server says there is no session any more (it expired, a password was reset, the
      // account was disabled, the participant left on another device): a 401, or a kept page
      // sent elsewhere (a navigation's redirect reaches the worker opaque; these pages
      // redirect only to the sign-in or the home page). Nothing of that session stays on the
      // device, exact places included.
      if (response.status === 401 || response.type === 'opaqueredirect' || response.redirected) {
        return forgetEverything().catch(function () {}).then(function () { return response; });
      }
      if (response.ok) cache.put(request, response.clone());
      return response;
    });
    var late = new Promise(function (resolve, reject) { setTimeout(function () { reject(new Error('slow')); }, ms); });
    return Promise.race([network, late]).catch(function (error) {
      return cache.match(request).then(function (kept) {
        return kept || cache.match(request, { ignoreSearch: request.mode === 'navigate' });
      }).then(function (kept) {
        if (kept) return kept;
        // Nothing kept: wait for the network after all (it may still answer).
        return network.catch(function () { throw error; });
      });
    });
  });
}

function staleWhileRevalidate(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (kept) { fresh.catch(function () {}); return kept; }
      return fresh;
    });
  });
}

function cacheFirst(request) {
  return caches.open(TILES).then(function (cache) {
    return cache.match(request).then(function (kept) {
      if (kept) return kept;
      return fetch(request).then(function (response) {
        if (response.status === 200) {
          cache.put(request, response.clone()).then(function () { return trim(cache); });
        }
        return response;
      });
    });
  });
}

// Keeps the tile cache under its limit, forgetting the oldest kept first.
function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.length - MAX_TILES;
    return Promise.all(keys.slice(0, Math.max(0, extra)).map(function (k) { return cache.delete(k); }));
  });
}

function forgetEverything() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('trama-') === 0; }).map(function (n) { return caches.delete(n); }));
  });
}

// The page that registered the worker was loaded before it: the page asks for it, and what it
// loaded, to be kept now rather than at its next visit.
self.addEventListener('message', function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(Promise.all(urls.map(function (href) {
    var url = new URL(href, self.location.origin);
    if (url.origin !== self.location.origin) return null;
    var path = url.pathname;
    var name = isPage(path) ? PAGES : path.indexOf('/static/') === 0 || path.indexOf('/pictograms/') === 0 ? STATIC : isTile(path) ? TILES : isKeptRead(path) ? API : null;
    if (!name) return null;
    return fetch(url.href, { credentials: 'same-origin' }).then(function (response) {
      if (response.ok) return caches.open(name).then(function (cache) { return cache.put(url.href, response); });
    }).catch(function () { /* kept at the next visit */ });
  })));
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  // Whoever leaves, signs in or joins: nothing of the last person stays on the device.
  if (request.method === 'POST' && (path === '/leave' || path === '/logout' || path === '/login' || path.indexOf('/j/') === 0)) {
    event.respondWith(forgetEverything().catch(function () {}).then(function () { return fetch(request); }));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate' && isPage(path)) {
    event.respondWith(networkFirst(request, PAGES, 4000));
  } else if (path.indexOf('/static/') === 0 || path.indexOf('/pictograms/') === 0) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (isTile(path)) {
    event.respondWith(cacheFirst(request));
  } else if (isKeptRead(path) && request.headers.get('accept') !== 'text/event-stream') {
    event.respondWith(networkFirst(request, API, 8000));
  }
});
