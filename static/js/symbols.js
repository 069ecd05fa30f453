// A legend's symbols on a map, as the legend shows them: a point as its pictogram on a disc of
// the symbol's colour (ringed in a table's colour where one is given), so that a table can
// read its map; a symbol without a pictogram as a disc. Built as elements, not HTML text:
// the page's policy allows no inline style.
//
// The pictograms come in one request (`loadPictograms`), which a page makes once its map's
// streets are drawn: a request each (16 of them) queued the basemap's tiles behind them on a
// slow network. Until they come, a symbol is its disc; the images are filled in as they do.
import { request } from './trama.js';

// The legend's pictograms by name, as data: URLs, once loaded; the images waiting for them.
var pictograms = null;
var waiting = [];

// An image of pictogram `icon` (filled in when the pictograms come), `className` its class.
export function pictogramImage(icon, className) {
  var img = document.createElement('img');
  img.alt = '';
  if (className) img.className = className;
  img.dataset.icon = icon;
  if (pictograms) fill(img); else waiting.push(img);
  return img;
}

// A symbol whose pictogram is not there stays a disc: its image is hidden, not removed (it
// may not be in the page yet).
function fill(img) {
  var url = pictograms[img.dataset.icon];
  if (url) img.src = url; else img.hidden = true;
}

// Asks for project `project`'s pictograms, once; fills every image waiting for them. When
// they cannot be had (no connection, and no copy kept), asks again a little later.
export function loadPictograms(project) {
  if (pictograms) return Promise.resolve();
  return request('/api/projects/' + encodeURIComponent(project) + '/legend/pictograms').then(function (answer) {
    if (!answer.ok) {
      setTimeout(function () { loadPictograms(project); }, 15000);
      return;
    }
    pictograms = answer.body.pictograms || {};
    waiting.splice(0).forEach(fill);
  });
}

// `symbol` from the legend (color, icon), `ring` a CSS colour or null.
export function marker(at, symbol, ring) {
  var pin = document.createElement('span');
  pin.className = 'pin';
  pin.style.background = (symbol && symbol.color) || '#555';
  if (ring) pin.style.borderColor = ring;
  if (symbol && symbol.icon) pin.appendChild(pictogramImage(symbol.icon));
  return L.marker(at, {
    icon: L.divIcon({ html: pin, className: 'pin-icon', iconSize: [36, 36], iconAnchor: [18, 18], tooltipAnchor: [0, -16], popupAnchor: [0, -16] }),
    keyboard: false
  });
}

// The symbol's name in `locale` (or Spanish, or its key).
export function label(symbol, locale) {
  return symbol ? (symbol.labels[locale] || symbol.labels.es || symbol.key) : '';
}

// Fills `list` (an element) with the symbols among `keys`, pictogram and name.
export function legend(list, symbols, keys, locale) {
  list.textContent = '';
  symbols.filter(function (s) { return keys.indexOf(s.key) >= 0; }).forEach(function (s) {
    var item = document.createElement('li');
    var pin = document.createElement('span');
    pin.className = 'pin small';
    pin.style.background = s.color;
    if (s.icon) pin.appendChild(pictogramImage(s.icon));
    item.appendChild(pin);
    item.appendChild(document.createTextNode(label(s, locale)));
    list.appendChild(item);
  });
}
