// "Find my street": a search of the basemap's place names (streets, places, schools,
// stations: GET /api/basemaps/{id}/places), offered where a vector basemap is, since only
// those carry names. A chosen place centres the map on it and rings it; nothing of it is sent
// anywhere but the server's own search.
import { t, el, request } from './trama.js';

var RESULTS = 5;

// Adds the search to `map` when `app`'s basemaps (data-basemaps) include a vector one.
export function addPlaceSearch(map, app) {
  var offered = [];
  try { offered = JSON.parse(app.dataset.basemaps || '[]'); } catch (e) { offered = []; }
  var vector = offered.filter(function (b) { return b.vector; })[0];
  if (!vector) return;
  var Search = L.Control.extend({
    options: { position: 'topright' },
    onAdd: function () {
      var box = L.DomUtil.create('div', 'place-search');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var form = el('form', { role: 'search' });
      var input = el('input', { type: 'search', name: 'place', autocomplete: 'off', placeholder: t('map.search_place'), 'aria-label': t('map.search_place') });
      var list = el('ul', { 'class': 'place-results', 'aria-live': 'polite' });
      form.appendChild(input);
      box.appendChild(form);
      box.appendChild(list);
      var timer = null, ring = null;

      function say(text) {
        list.textContent = '';
        if (text) list.appendChild(el('li', { 'class': 'hint' }, text));
      }
      function go(place) {
        var at = [place.geometry.coordinates[1], place.geometry.coordinates[0]];
        map.setView(at, 17);
        if (ring) map.removeLayer(ring);
        ring = L.circleMarker(at, { radius: 16, color: '#0b5cad', weight: 3, fill: false, interactive: false, className: 'place-found' }).addTo(map);
        input.value = place.properties.name;
        say('');
      }
      function search() {
        var q = input.value.trim();
        if (q.length < 2) { say(''); return; }
        var query = new URLSearchParams({ q: q, limit: RESULTS, lang: app.dataset.locale || 'es' });
        request('/api/basemaps/' + encodeURIComponent(vector.id) + '/places?' + query).then(function (answer) {
          if (input.value.trim() !== q) return; // typed on meanwhile
          if (!answer.ok) { say(t('map.search_failed')); return; }
          var corner = answer.body.corner;
          if (corner && !answer.body.features.some(function (f) { return f.properties.kind === 'corner'; })) {
            // A corner asked and not found: say which street the map lacks, or that they do
            // not meet on it.
            var parts = q.split(/\s+(?:y|esquina|esq\.|and|con|&)\s+|\s*&\s*/i);
            var missing = corner.streets[0] ? (corner.streets[1] ? null : parts[1]) : parts[0];
            if (!answer.body.features.length) {
              say(missing ? t('map.search_no_street', { street: missing }) : t('map.search_no_corner'));
              return;
            }
          }
          if (!answer.body.features.length) { say(t('map.search_none')); return; }
          list.textContent = '';
          answer.body.features.forEach(function (place) {
            var item = el('li');
            var choose = el('button', { type: 'button' }, place.properties.name);
            choose.addEventListener('click', function () { go(place); });
            item.appendChild(choose);
            list.appendChild(item);
          });
        });
      }
      input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 300); });
      form.addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); search(); });
      return box;
    }
  });
  new Search().addTo(map);
}
