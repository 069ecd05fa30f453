// The wall: the workshop's map projected in the room, live. Features arrive as GeoJSON from
// the API; server-sent events only say which ones changed.
(function () {
  'use strict';
  var app = document.getElementById('app');
  var project = app.dataset.project;
  var workshop = app.dataset.workshop;
  var messages = JSON.parse(document.getElementById('messages').textContent);
  var palette = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#1f78b4'];
  var groupColour = {};
  document.querySelectorAll('#groups li').forEach(function (li, i) {
    groupColour[li.dataset.group] = palette[i % palette.length];
    var swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = groupColour[li.dataset.group];
    li.insertBefore(swatch, li.firstChild);
  });

  var map = L.map('map').setView([-34.76, -58.41], 13);
  TramaBasemaps.add(map, app, { online: messages['map.basemap_online'], none: messages['map.basemap_none'] });
  var byId = {};
  var layer = L.geoJSON(null, {
    style: function (f) { return { color: groupColour[f.properties.group] || '#555', weight: 3, fillOpacity: 0.3 }; },
    pointToLayer: function (f, at) {
      return L.circleMarker(at, { radius: 10, color: '#fff', weight: 2, fillColor: groupColour[f.properties.group] || '#555', fillOpacity: 0.9 });
    },
    onEachFeature: function (f, l) {
      byId[f.id] = l;
      var title = document.createElement('strong');
      title.textContent = f.properties.title || f.properties.symbol;
      l.bindTooltip(title);
    }
  }).addTo(map);

  function get(path) { return fetch(path, { credentials: 'same-origin' }).then(function (r) { return r.json(); }); }

  function reload() {
    return get('/api/projects/' + project + '/features?workshop=' + workshop).then(function (collection) {
      layer.clearLayers();
      byId = {};
      layer.addData(collection);
      if (collection.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
    });
  }

  function show(id) {
    return get('/api/features/' + id).then(function (feature) {
      if (byId[id]) layer.removeLayer(byId[id]);
      if (feature.type === 'Feature' && !feature.properties.deleted_at && !feature.properties.hidden) {
        layer.addData(feature);
        if (Object.keys(byId).length === 1) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
      }
    });
  }

  reload();
  var live = document.getElementById('live');
  var events = new EventSource('/api/workshops/' + workshop + '/events');
  events.onopen = function () { live.textContent = messages['wall.live']; };
  events.onerror = function () { live.textContent = messages['wall.offline']; };
  events.addEventListener('features', function (e) {
    var change = JSON.parse(e.data);
    if (change.more) { reload(); return; }
    change.feature_ids.forEach(show);
  });
  events.addEventListener('reload', reload);
})();
