// A page's Leaflet map with Leaflet's own texts in the page's language: Leaflet writes its
// zoom buttons ("Zoom in"), its popups' close button ("Close popup") and its layer switch's
// button ("Layers") in English, and a screen reader reads them aloud as they are.
import { t } from './trama.js';

// A map in the element `id`, showing Lomas de Zamora until the page fits it to its data.
export function pageMap(id) {
  var map = L.map(id, { zoomControl: false }).setView([-34.76, -58.41], 13);
  L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
  // While a popup is open the map's buttons may step aside (a phone's CSS does).
  map.on('popupopen', function () { map.getContainer().classList.add('popup-open'); });
  map.on('popupclose', function () { map.getContainer().classList.remove('popup-open'); });
  map.on('popupopen', function (e) {
    var close = e.popup.getElement() && e.popup.getElement().querySelector('.leaflet-popup-close-button');
    if (close) { close.setAttribute('aria-label', t('map.close')); close.setAttribute('title', t('map.close')); }
  });
  return map;
}

// Names a layer switch's (L.control.layers) button in the page's language; returns it.
export function namedLayerSwitch(control) {
  var toggle = control.getContainer().querySelector('.leaflet-control-layers-toggle');
  if (toggle) { toggle.title = t('map.layers'); toggle.setAttribute('aria-label', t('map.layers')); }
  return control;
}
