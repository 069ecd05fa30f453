// Trama's style for vector basemaps in the Protomaps basemap schema (v4: layers earth,
// landuse, water, roads, buildings, pois, places; https://docs.protomaps.com/basemaps/layers),
// as a published PMTiles build's extract has it. Written for people who have not read a map
// before: streets white with their names, avenues wider and warmer, blocks and buildings
// visible, water blue, railways dashed, and the landmarks people orient by — schools, health
// centres, churches, stations, markets — as coloured dots with their names. Labels in the
// page's language where the data has it (name:es), else the local name; drawn with the
// browser's own fonts (nothing is loaded from elsewhere).
var P = window.protomapsL;

function kind(f) { return f.props.kind; }
function is(kinds) { return function (z, f) { return kinds.indexOf(kind(f)) >= 0; }; }
// Width in pixels growing with the zoom: `at` maps zooms to widths, linear between.
function grow(at) {
  return function (z) {
    var zooms = Object.keys(at).map(Number).sort(function (a, b) { return a - b; });
    if (z <= zooms[0]) return at[zooms[0]];
    for (var i = 1; i < zooms.length; i++) {
      if (z <= zooms[i]) {
        var a = zooms[i - 1], b = zooms[i];
        return at[a] + (at[b] - at[a]) * (z - a) / (b - a);
      }
    }
    return at[zooms[zooms.length - 1]];
  };
}

// Landmarks, by the kinds the schema gives them: dot colour, label colour.
var landmarks = [
  { kinds: ['school', 'kindergarten', 'college', 'university'], dot: '#b35806', text: '#7f3b08' },
  { kinds: ['hospital', 'clinic', 'doctors', 'pharmacy', 'dentist'], dot: '#d7301f', text: '#99000d' },
  { kinds: ['place_of_worship'], dot: '#6a51a3', text: '#3f007d' },
  { kinds: ['train_station', 'station', 'bus_station', 'bus_stop', 'halt'], dot: '#2166ac', text: '#053061' },
  { kinds: ['marketplace', 'supermarket', 'convenience', 'market'], dot: '#1a9850', text: '#00441b' },
  { kinds: ['police', 'townhall', 'community_centre', 'social_facility', 'library'], dot: '#4d4d4d', text: '#1a1a1a' }
];
var landmarkKinds = landmarks.reduce(function (all, l) { return all.concat(l.kinds); }, []);
function landmarkOf(f) {
  return landmarks.filter(function (l) { return l.kinds.indexOf(kind(f)) >= 0; })[0] || landmarks[5];
}

export function paint() {
  return [
    { dataLayer: 'earth', symbolizer: new P.PolygonSymbolizer({ fill: '#f4f1ea' }) },
    { dataLayer: 'landuse', filter: is(['park', 'grass', 'garden', 'playground', 'pitch', 'recreation_ground', 'cemetery', 'forest', 'wood']), symbolizer: new P.PolygonSymbolizer({ fill: '#cfe6b8' }) },
    { dataLayer: 'landuse', filter: is(['school', 'kindergarten', 'college', 'university']), symbolizer: new P.PolygonSymbolizer({ fill: '#f6e3cc' }) },
    { dataLayer: 'landuse', filter: is(['hospital', 'clinic']), symbolizer: new P.PolygonSymbolizer({ fill: '#f8d9d6' }) },
    { dataLayer: 'landuse', filter: is(['industrial', 'railway']), symbolizer: new P.PolygonSymbolizer({ fill: '#e6e0e8' }) },
    { dataLayer: 'water', symbolizer: new P.PolygonSymbolizer({ fill: '#9cc7ec' }) },
    { dataLayer: 'water', filter: function (z, f) { return f.geomType === 2; }, symbolizer: new P.LineSymbolizer({ color: '#9cc7ec', width: grow({ 12: 1, 16: 4 }) }) },
    { dataLayer: 'buildings', minzoom: 14, symbolizer: new P.PolygonSymbolizer({ fill: '#ddd5cc', stroke: '#c9beb2', width: 0.5, opacity: 0.9 }) },
    // Streets: a grey edge under a white (or warm) fill, so that blocks show between them.
    { dataLayer: 'roads', filter: is(['path']), minzoom: 15, symbolizer: new P.LineSymbolizer({ color: '#a0846c', width: 1.2, dash: [3, 3] }) },
    { dataLayer: 'roads', filter: is(['minor_road', 'other']), symbolizer: new P.LineSymbolizer({ color: '#bdb6ab', width: grow({ 12: 1, 14: 4, 17: 14 }) }) },
    { dataLayer: 'roads', filter: is(['major_road', 'highway']), symbolizer: new P.LineSymbolizer({ color: '#d19c55', width: grow({ 10: 1.5, 14: 7, 17: 20 }) }) },
    { dataLayer: 'roads', filter: is(['minor_road', 'other']), minzoom: 13, symbolizer: new P.LineSymbolizer({ color: '#ffffff', width: grow({ 13: 1, 14: 2.6, 17: 11 }) }) },
    { dataLayer: 'roads', filter: is(['major_road']), symbolizer: new P.LineSymbolizer({ color: '#fdd9a0', width: grow({ 10: 1, 14: 5, 17: 16 }) }) },
    { dataLayer: 'roads', filter: is(['highway']), symbolizer: new P.LineSymbolizer({ color: '#f4a7a0', width: grow({ 10: 1, 14: 5, 17: 16 }) }) },
    { dataLayer: 'roads', filter: is(['rail']), symbolizer: new P.LineSymbolizer({ color: '#6e6e6e', width: grow({ 11: 1, 16: 3 }), dash: [6, 4] }) }
  ];
}

export function labels(locale) {
  var names = ['name:' + (locale || 'es'), 'name'];
  return [
    { dataLayer: 'places', symbolizer: new P.CenteredTextSymbolizer({ labelProps: names, fill: '#5a4a3a', stroke: '#ffffff', width: 3, font: '700 14px sans-serif', textTransform: 'uppercase' }) },
    { dataLayer: 'pois', filter: function (z, f) { return landmarkKinds.indexOf(kind(f)) >= 0; }, minzoom: 14,
      symbolizer: new P.GroupSymbolizer([
        new P.CircleSymbolizer({ radius: 6, fill: function (z, f) { return landmarkOf(f).dot; }, stroke: '#ffffff', width: 2 }),
        new P.OffsetTextSymbolizer({ labelProps: names, fill: function (z, f) { return landmarkOf(f).text; }, stroke: '#ffffff', width: 3, font: '600 13px sans-serif', offsetX: 8, offsetY: 4 })
      ]) },
    { dataLayer: 'roads', filter: is(['major_road', 'highway']), minzoom: 12, symbolizer: new P.LineLabelSymbolizer({ labelProps: names, fill: '#3d2b12', stroke: '#ffffff', width: 3, font: '600 13px sans-serif' }) },
    { dataLayer: 'roads', filter: is(['minor_road', 'other']), minzoom: 14, symbolizer: new P.LineLabelSymbolizer({ labelProps: names, fill: '#333333', stroke: '#ffffff', width: 3, font: '500 12px sans-serif' }) },
    { dataLayer: 'water', minzoom: 13, symbolizer: new P.CenteredTextSymbolizer({ labelProps: names, fill: '#1f5f99', stroke: '#ffffff', width: 2, font: 'italic 500 12px sans-serif' }) }
  ];
}

export const background = '#f4f1ea';
