// A legend's symbols on a map, as the legend shows them: a point as its pictogram on a disc of
// the symbol's colour (ringed in a table's colour where one is given), so that a table can
// read its map; a symbol without a pictogram as a disc. Built as elements, not HTML text:
// the page's policy allows no inline style.

// `symbol` from the legend (color, icon), `ring` a CSS colour or null.
export function marker(at, symbol, ring) {
  var pin = document.createElement('span');
  pin.className = 'pin';
  pin.style.background = (symbol && symbol.color) || '#555';
  if (ring) pin.style.borderColor = ring;
  if (symbol && symbol.icon) {
    var img = document.createElement('img');
    img.src = '/pictograms/' + symbol.icon + '.svg';
    img.alt = '';
    img.addEventListener('error', function () { img.remove(); });
    pin.appendChild(img);
  }
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
    if (s.icon) {
      var img = document.createElement('img');
      img.src = '/pictograms/' + s.icon + '.svg';
      img.alt = '';
      pin.appendChild(img);
    }
    item.appendChild(pin);
    item.appendChild(document.createTextNode(label(s, locale)));
    list.appendChild(item);
  });
}
