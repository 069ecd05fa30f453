// Trama's style for vector basemaps in the Protomaps basemap schema (v4: layers earth,
// landuse, water, roads, buildings, pois, places; https://docs.protomaps.com/basemaps/layers),
// as a published PMTiles build's extract has it, and in the OpenMapTiles schema (below). Written for people who have not read a map
// before: streets white with their names, avenues wider and warmer, blocks and buildings
// visible, water blue, railways dashed, and the landmarks people orient by — schools, health
// centres, churches, stations, markets — as coloured dots with their names. Labels in the
// page's language where the data has it (name:es), else the local name; drawn with the
// browser's own fonts (nothing is loaded from elsewhere).
var P = window.protomapsL;

// What a feature is: `kind` in the Protomaps schema, `class` in OpenMapTiles'.
function kind(f) { return f.props.kind || f.props['class']; }
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
  { kinds: ['train_station', 'station', 'bus_station', 'bus_stop', 'halt', 'bus', 'railway'], dot: '#2166ac', text: '#053061' },
  { kinds: ['marketplace', 'supermarket', 'convenience', 'market', 'grocery', 'shop'], dot: '#1a9850', text: '#00441b' },
  { kinds: ['police', 'townhall', 'town_hall', 'community_centre', 'social_facility', 'library'], dot: '#4d4d4d', text: '#1a1a1a' }
];
var landmarkKinds = landmarks.reduce(function (all, l) { return all.concat(l.kinds); }, []);
function landmarkOf(f) {
  return landmarks.filter(function (l) { return l.kinds.indexOf(kind(f)) >= 0; })[0] || landmarks[5];
}

// The rules of `schema` ('protomaps' or 'openmaptiles'; see src/basemap/schema.rs).
export function paint(schema) {
  return schema === 'openmaptiles' ? paintOpenMapTiles() : paintProtomaps();
}
export function labels(locale, schema) {
  return schema === 'openmaptiles' ? labelsOpenMapTiles(locale) : labelsProtomaps(locale);
}

function paintProtomaps() {
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

function labelsProtomaps(locale) {
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

// The OpenMapTiles schema (https://openmaptiles.org/schema/), as tilemaker, Planetiler and
// MapTiler write it from an OpenStreetMap extract: the same look as above, from its layers
// (water, waterway, landcover, landuse, park, building, transportation, transportation_name,
// place, poi, water_name) and their `class`.
var MOTORWAYS = ['motorway', 'trunk'];
var MAJOR = ['primary', 'secondary', 'tertiary'];
var MINOR = ['minor', 'service', 'residential', 'unclassified', 'living_street', 'track'];
function paintOpenMapTiles() {
  return [
    { dataLayer: 'landcover', filter: is(['grass', 'wood', 'forest', 'park']), symbolizer: new P.PolygonSymbolizer({ fill: '#cfe6b8' }) },
    { dataLayer: 'park', symbolizer: new P.PolygonSymbolizer({ fill: '#cfe6b8' }) },
    { dataLayer: 'landuse', filter: is(['cemetery', 'pitch', 'stadium', 'playground']), symbolizer: new P.PolygonSymbolizer({ fill: '#cfe6b8' }) },
    { dataLayer: 'landuse', filter: is(['school', 'kindergarten', 'college', 'university']), symbolizer: new P.PolygonSymbolizer({ fill: '#f6e3cc' }) },
    { dataLayer: 'landuse', filter: is(['hospital']), symbolizer: new P.PolygonSymbolizer({ fill: '#f8d9d6' }) },
    { dataLayer: 'landuse', filter: is(['industrial', 'railway']), symbolizer: new P.PolygonSymbolizer({ fill: '#e6e0e8' }) },
    { dataLayer: 'water', symbolizer: new P.PolygonSymbolizer({ fill: '#9cc7ec' }) },
    { dataLayer: 'waterway', symbolizer: new P.LineSymbolizer({ color: '#9cc7ec', width: grow({ 12: 1, 16: 4 }) }) },
    { dataLayer: 'building', minzoom: 14, symbolizer: new P.PolygonSymbolizer({ fill: '#ddd5cc', stroke: '#c9beb2', width: 0.5, opacity: 0.9 }) },
    { dataLayer: 'transportation', filter: is(['path']), minzoom: 15, symbolizer: new P.LineSymbolizer({ color: '#a0846c', width: 1.2, dash: [3, 3] }) },
    { dataLayer: 'transportation', filter: is(MINOR), symbolizer: new P.LineSymbolizer({ color: '#bdb6ab', width: grow({ 12: 1, 14: 4, 17: 14 }) }) },
    { dataLayer: 'transportation', filter: is(MAJOR.concat(MOTORWAYS)), symbolizer: new P.LineSymbolizer({ color: '#d19c55', width: grow({ 10: 1.5, 14: 7, 17: 20 }) }) },
    { dataLayer: 'transportation', filter: is(MINOR), minzoom: 13, symbolizer: new P.LineSymbolizer({ color: '#ffffff', width: grow({ 13: 1, 14: 2.6, 17: 11 }) }) },
    { dataLayer: 'transportation', filter: is(MAJOR), symbolizer: new P.LineSymbolizer({ color: '#fdd9a0', width: grow({ 10: 1, 14: 5, 17: 16 }) }) },
    { dataLayer: 'transportation', filter: is(MOTORWAYS), symbolizer: new P.LineSymbolizer({ color: '#f4a7a0', width: grow({ 10: 1, 14: 5, 17: 16 }) }) },
    { dataLayer: 'transportation', filter: is(['rail', 'transit']), symbolizer: new P.LineSymbolizer({ color: '#6e6e6e', width: grow({ 11: 1, 16: 3 }), dash: [6, 4] }) }
  ];
}
function labelsOpenMapTiles(locale) {
  var names = ['name:' + (locale || 'es'), 'name', 'name:latin'];
  return [
    { dataLayer: 'place', symbolizer: new P.CenteredTextSymbolizer({ labelProps: names, fill: '#5a4a3a', stroke: '#ffffff', width: 3, font: '700 14px sans-serif', textTransform: 'uppercase' }) },
    { dataLayer: 'poi', filter: function (z, f) { return landmarkKinds.indexOf(kind(f)) >= 0 || landmarkKinds.indexOf(f.props.subclass) >= 0; }, minzoom: 14,
      symbolizer: new P.GroupSymbolizer([
        new P.CircleSymbolizer({ radius: 6, fill: function (z, f) { return landmarkOf(f).dot; }, stroke: '#ffffff', width: 2 }),
        new P.OffsetTextSymbolizer({ labelProps: names, fill: function (z, f) { return landmarkOf(f).text; }, stroke: '#ffffff', width: 3, font: '600 13px sans-serif', offsetX: 8, offsetY: 4 })
      ]) },
    { dataLayer: 'transportation_name', filter: is(MAJOR.concat(MOTORWAYS)), minzoom: 12, symbolizer: new P.LineLabelSymbolizer({ labelProps: names, fill: '#3d2b12', stroke: '#ffffff', width: 3, font: '600 13px sans-serif' }) },
    { dataLayer: 'transportation_name', filter: is(MINOR), minzoom: 14, symbolizer: new P.LineLabelSymbolizer({ labelProps: names, fill: '#333333', stroke: '#ffffff', width: 3, font: '500 12px sans-serif' }) },
    { dataLayer: 'water_name', minzoom: 13, symbolizer: new P.CenteredTextSymbolizer({ labelProps: names, fill: '#1f5f99', stroke: '#ffffff', width: 2, font: 'italic 500 12px sans-serif' }) }
  ];
}

export const background = '#f4f1ea';
