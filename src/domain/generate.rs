//! Realistic synthetic drawings over Lomas de Zamora, for the demo, tests and benchmarks.
//!
//! The mix imitates a workshop's output: mostly points, some lines (routes, flows) and
//! polygons (zones, 10-200 vertices), risks clustered around a few hot areas (La Salada and
//! Ingeniero Budge, Villa Fiorito, Villa Centenario) and resources spread over the district.
//! The same seed always gives the same drawings.
//!
//! Long (about 470 lines and its tests) because most of it is data: the district's hot areas,
//! the legend's symbols and their mix, which read best together.

use std::collections::BTreeMap;
use std::f64::consts::TAU;

use geo::{Coord, Geometry, LineString, Point, Polygon};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::geometry::{FeatureGeometry, GeometryKind};
use super::legend::{Symbol, SymbolKind};

/// The district's extent in WGS84 degrees (lon, lat).
pub const LOMAS_BBOX: (f64, f64, f64, f64) = (-58.53, -34.82, -58.35, -34.69);

/// Centres of the hot areas and their spread in degrees (≈ 0.005° is 500 m here).
const HOT_AREAS: &[(&str, f64, f64, f64)] = &[
    ("La Salada / Ingeniero Budge", -58.478, -34.713, 0.006),
    ("Villa Fiorito", -58.447, -34.707, 0.005),
    ("Villa Centenario", -58.428, -34.728, 0.004),
    ("Lomas centro (estación)", -58.402, -34.761, 0.004),
];

/// Table names of a typical workshop.
pub const GROUPS: &[&str] = &[
    "Jóvenes",
    "Mujeres costureras",
    "Docentes",
    "Salud",
    "Vecinos",
];

/// One generated drawing, ready to be written as a GeoJSON Feature.
#[derive(Debug, Clone)]
pub struct GeneratedFeature {
    pub symbol: &'static str,
    pub title: String,
    pub description: Option<String>,
    pub group: &'static str,
    pub geometry: FeatureGeometry,
}

struct SymbolSpec {
    key: &'static str,
    es: &'static str,
    en: &'static str,
    kind: SymbolKind,
    geometry: &'static [GeometryKind],
    color: &'static str,
    icon: &'static str,
    weight: f64,
    sensitive: bool,
    titles: &'static [&'static str],
}

use GeometryKind::{Line as L, Point as P, Polygon as A};

const SYMBOLS: &[SymbolSpec] = &[
    SymbolSpec {
        key: "taller_clandestino",
        es: "Taller textil clandestino (sospecha)",
        en: "Suspected clandestine sewing workshop",
        kind: SymbolKind::Risk,
        geometry: &[P, A],
        color: "#b71c1c",
        icon: "sewing-workshop",
        weight: 3.0,
        sensitive: true,
        titles: &[
            "Taller en la casa del fondo",
            "Se escuchan máquinas de noche",
            "Galpón con ventanas tapadas",
        ],
    },
    SymbolSpec {
        key: "trabajo_infantil_calle",
        es: "Niñas y niños trabajando en la calle",
        en: "Children working in the street",
        kind: SymbolKind::Risk,
        geometry: &[P],
        color: "#e65100",
        icon: "street-work",
        weight: 2.0,
        sensitive: true,
        titles: &[
            "Chicos vendiendo en el semáforo",
            "Cuidacoches menores",
            "Venta ambulante con niños",
        ],
    },
    SymbolSpec {
        key: "puesto_feria",
        es: "Niñas y niños en puestos de feria",
        en: "Children at market stalls",
        kind: SymbolKind::Risk,
        geometry: &[P, A],
        color: "#ef6c00",
        icon: "market",
        weight: 2.0,
        sensitive: true,
        titles: &[
            "Puestos con chicos cargando bultos",
            "Feria de madrugada",
            "Chicos atendiendo puestos",
        ],
    },
    SymbolSpec {
        key: "lugar_captacion",
        es: "Lugar de captación",
        en: "Recruitment place",
        kind: SymbolKind::Risk,
        geometry: &[P],
        color: "#880e4f",
        icon: "danger",
        weight: 3.0,
        sensitive: true,
        titles: &[
            "Ofrecen trabajo a adolescentes",
            "Remisería que recluta",
            "Parada donde levantan chicos",
        ],
    },
    SymbolSpec {
        key: "zona_riesgo",
        es: "Zona de riesgo",
        en: "Risk area",
        kind: SymbolKind::Risk,
        geometry: &[A],
        color: "#d32f2f",
        icon: "violence",
        weight: 2.0,
        sensitive: false,
        titles: &[
            "Zona de talleres",
            "Manzanas con mucho movimiento de noche",
            "Zona liberada",
        ],
    },
    SymbolSpec {
        key: "ruta_insegura",
        es: "Camino inseguro",
        en: "Unsafe route",
        kind: SymbolKind::Risk,
        geometry: &[L],
        color: "#c62828",
        icon: "route",
        weight: 1.5,
        sensitive: false,
        titles: &["Calle sin luz", "Pasaje donde roban", "Camino al arroyo"],
    },
    SymbolSpec {
        key: "escuela",
        es: "Escuela",
        en: "School",
        kind: SymbolKind::Resource,
        geometry: &[P, A],
        color: "#1565c0",
        icon: "school",
        weight: -1.0,
        sensitive: false,
        titles: &[
            "Escuela primaria",
            "Secundaria del barrio",
            "Escuela técnica",
        ],
    },
    SymbolSpec {
        key: "centro_salud",
        es: "Centro de salud",
        en: "Health centre",
        kind: SymbolKind::Resource,
        geometry: &[P],
        color: "#2e7d32",
        icon: "health-centre",
        weight: -1.0,
        sensitive: false,
        titles: &["Salita", "CAPS del barrio", "Unidad sanitaria"],
    },
    SymbolSpec {
        key: "comedor",
        es: "Comedor comunitario",
        en: "Community kitchen",
        kind: SymbolKind::Resource,
        geometry: &[P],
        color: "#43a047",
        icon: "community-kitchen",
        weight: -0.5,
        sensitive: false,
        titles: &["Comedor de la capilla", "Merendero", "Olla popular"],
    },
    SymbolSpec {
        key: "centro_infantil",
        es: "Centro de desarrollo infantil",
        en: "Child-care centre",
        kind: SymbolKind::Resource,
        geometry: &[P],
        color: "#00897b",
        icon: "child-care",
        weight: -1.0,
        sensitive: false,
        titles: &["Jardín comunitario", "CDI", "Casita de niños"],
    },
    SymbolSpec {
        key: "organizacion_social",
        es: "Organización social",
        en: "Social organisation",
        kind: SymbolKind::Resource,
        geometry: &[P],
        color: "#5e35b1",
        icon: "social-organisation",
        weight: -0.5,
        sensitive: false,
        titles: &[
            "Sociedad de fomento",
            "Club de barrio",
            "Cooperativa textil",
        ],
    },
    SymbolSpec {
        key: "autoridad",
        es: "Comisaría / autoridad",
        en: "Police / authority",
        kind: SymbolKind::Actor,
        geometry: &[P],
        color: "#37474f",
        icon: "police",
        weight: 0.0,
        sensitive: false,
        titles: &["Comisaría", "Delegación municipal", "Destacamento"],
    },
    SymbolSpec {
        key: "intermediario",
        es: "Intermediario / empleador",
        en: "Intermediary / employer",
        kind: SymbolKind::Actor,
        geometry: &[P],
        color: "#6d4c41",
        icon: "actor",
        weight: 1.0,
        sensitive: false,
        titles: &[
            "Donde entregan la ropa",
            "Corte y confección por encargo",
            "Depósito de prendas",
        ],
    },
    SymbolSpec {
        key: "recorrido_trabajo",
        es: "Recorrido de chicos al trabajo",
        en: "Children's route to work",
        kind: SymbolKind::Relation,
        geometry: &[L],
        color: "#f9a825",
        icon: "route",
        weight: 1.0,
        sensitive: false,
        titles: &[
            "De la casa a la feria",
            "Camino de madrugada",
            "Recorrido a los talleres",
        ],
    },
    SymbolSpec {
        key: "cadena_suministro",
        es: "Cadena de suministro taller → feria",
        en: "Supply chain workshop → market",
        kind: SymbolKind::Relation,
        geometry: &[L],
        color: "#8d6e63",
        icon: "transport-stop",
        weight: 0.5,
        sensitive: false,
        titles: &[
            "Llevan la ropa a la feria",
            "Camioneta que reparte",
            "Entrega de prendas",
        ],
    },
    SymbolSpec {
        key: "punto_encuentro",
        es: "Punto de encuentro",
        en: "Meeting point",
        kind: SymbolKind::Other,
        geometry: &[P],
        color: "#0277bd",
        icon: "meeting-point",
        weight: 0.0,
        sensitive: false,
        titles: &["Plaza", "Esquina de la capilla", "Canchita"],
    },
];

/// The demo legend: risks, resources, actors and relations, in Spanish and English.
pub fn demo_legend() -> Vec<Symbol> {
    SYMBOLS
        .iter()
        .map(|s| Symbol {
            key: s.key.to_owned(),
            labels: BTreeMap::from([
                ("es".to_owned(), s.es.to_owned()),
                ("en".to_owned(), s.en.to_owned()),
            ]),
            kind: s.kind,
            geometry_types: s.geometry.to_vec(),
            color: s.color.to_owned(),
            icon: Some(s.icon.to_owned()),
            weight: s.weight,
            sensitive: s.sensitive,
            questions: Vec::new(),
        })
        .collect()
}

const DESCRIPTIONS: &[&str] = &[
    "Lo vimos varias veces esta semana.",
    "Nos contaron en la escuela.",
    "Pasa sobre todo los fines de semana.",
    "Hay que confirmarlo con la sala de salud.",
    "Se mudó el año pasado de la otra cuadra.",
];

/// Generates `count` drawings from `seed`. The iterator is lazy: a million features stream
/// without being held in memory.
pub fn generate(count: usize, seed: u64) -> impl Iterator<Item = GeneratedFeature> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count).map(move |_| one(&mut rng))
}

fn one(rng: &mut StdRng) -> GeneratedFeature {
    let roll: f64 = rng.random();
    let kind = if roll < 0.6 {
        P
    } else if roll < 0.8 {
        L
    } else {
        A
    };
    let candidates: Vec<&SymbolSpec> = SYMBOLS
        .iter()
        .filter(|s| s.geometry.contains(&kind))
        .collect();
    let spec = candidates[rng.random_range(0..candidates.len())];
    let centre = if spec.kind == SymbolKind::Risk || rng.random_bool(0.3) {
        let (_, x, y, spread) = HOT_AREAS[rng.random_range(0..HOT_AREAS.len())];
        clamp(Coord {
            x: x + normal(rng) * spread,
            y: y + normal(rng) * spread,
        })
    } else {
        let (min_x, min_y, max_x, max_y) = LOMAS_BBOX;
        Coord {
            x: rng.random_range(min_x..max_x),
            y: rng.random_range(min_y..max_y),
        }
    };
    let geometry = match kind {
        P => Geometry::Point(Point(centre)),
        L => Geometry::LineString(walk(rng, centre)),
        A => Geometry::Polygon(star_polygon(rng, centre)),
    };
    GeneratedFeature {
        symbol: spec.key,
        title: spec.titles[rng.random_range(0..spec.titles.len())].to_owned(),
        description: rng
            .random_bool(0.4)
            .then(|| DESCRIPTIONS[rng.random_range(0..DESCRIPTIONS.len())].to_owned()),
        group: GROUPS[rng.random_range(0..GROUPS.len())],
        // Rounded as the server stores a drawing, so data loaded without the API (benchmarks'
        // top-ups) looks like data drawn through it.
        geometry: FeatureGeometry::from_trusted(
            super::geometry::rounded_if_sound(geometry.clone(), "").unwrap_or(geometry),
        ),
    }
}

/// A standard normal sample (Box-Muller), to cluster drawings around hot areas.
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

fn clamp(c: Coord<f64>) -> Coord<f64> {
    let (min_x, min_y, max_x, max_y) = LOMAS_BBOX;
    Coord {
        x: c.x.clamp(min_x, max_x),
        y: c.y.clamp(min_y, max_y),
    }
}

/// A street-like route: 5-50 steps of 30-150 m.
fn walk(rng: &mut StdRng, start: Coord<f64>) -> LineString<f64> {
    let steps = rng.random_range(5..=50);
    let mut heading = rng.random_range(0.0..TAU);
    let mut at = start;
    let mut coords = vec![at];
    for _ in 0..steps {
        heading += rng.random_range(-0.6..0.6);
        let step = rng.random_range(0.0003..0.0015);
        at = clamp(Coord {
            x: at.x + step * heading.cos(),
            y: at.y + step * heading.sin(),
        });
        if coords.last() != Some(&at) {
            coords.push(at);
        }
    }
    if coords.len() < 2 {
        coords.push(Coord {
            x: start.x + 0.0005,
            y: start.y,
        });
    }
    LineString::new(coords)
}

/// A block- or zone-sized polygon of 10-200 vertices.
fn star_polygon(rng: &mut StdRng, centre: Coord<f64>) -> Polygon<f64> {
    let vertices = rng.random_range(10..=200);
    star_polygon_of(rng, centre, vertices)
}

/// A polygon of `vertices` vertices around `centre`, each at its own angle and distance.
/// Each vertex keeps to its own slice of the turn, so angles strictly increase and no gap
/// between neighbours reaches half a turn: the ring is star-shaped around the centre and
/// cannot cross itself. (Angles drawn anywhere in the turn could all fall on one side, and
/// then the edge closing the ring cut through the others: about one polygon in a thousand.)
fn star_polygon_of(rng: &mut StdRng, centre: Coord<f64>, vertices: usize) -> Polygon<f64> {
    let radius = rng.random_range(0.0008..0.004);
    let slice = TAU / vertices as f64;
    let mut coords: Vec<Coord<f64>> = (0..vertices)
        .map(|i| {
            let angle = slice * (i as f64 + rng.random_range(0.0..0.9));
            let r = radius * rng.random_range(0.6..1.0);
            Coord {
                x: centre.x + r * angle.cos(),
                y: centre.y + r * angle.sin() * 0.82,
            }
        })
        .collect();
    coords.push(coords[0]);
    Polygon::new(LineString::new(coords), vec![])
}

/// The drawing as a GeoJSON Feature that `POST /features` accepts (`group` is a group name).
pub fn to_geojson(feature: &GeneratedFeature) -> serde_json::Value {
    let mut properties = serde_json::json!({
        "symbol": feature.symbol,
        "title": feature.title,
        "group": feature.group,
    });
    if let Some(description) = &feature.description {
        properties["description"] = serde_json::json!(description);
    }
    serde_json::json!({
        "type": "Feature",
        "properties": properties,
        "geometry": feature.geometry.to_geojson_value(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::legend::validate_legend;

    #[test]
    fn the_demo_legend_is_valid() {
        validate_legend(&demo_legend()).expect("valid legend");
    }

    #[test]
    fn generated_features_are_valid_and_allowed_by_their_symbol() {
        let legend = demo_legend();
        let features: Vec<_> = generate(2_000, 7).collect();
        let mut kinds = BTreeMap::new();
        for f in &features {
            let json: serde_json::Value =
                serde_json::from_str(&f.geometry.to_geojson_string()).expect("json");
            let g = FeatureGeometry::from_geojson(&json, "", 20_000)
                .expect("generated geometry is valid");
            let symbol = legend
                .iter()
                .find(|s| s.key == f.symbol)
                .expect("known symbol");
            assert!(symbol.allows(g.kind()));
            *kinds.entry(g.kind()).or_insert(0) += 1;
        }
        assert!(
            kinds[&P] > 1_000 && kinds[&L] > 250 && kinds[&A] > 250,
            "{kinds:?}"
        );
    }

    #[test]
    fn generated_polygons_never_cross_themselves() {
        // Few vertices is where a ring could once bunch on one side and close across itself.
        let mut rng = StdRng::seed_from_u64(3);
        for n in 0..20_000 {
            let centre = Coord {
                x: -58.4,
                y: -34.75,
            };
            let polygon = star_polygon_of(&mut rng, centre, 10 + n % 3);
            let geometry = Geometry::Polygon(polygon);
            assert!(
                crate::domain::geometry::rounded_if_sound(geometry.clone(), "").is_ok(),
                "polygon {n} is invalid: {geometry:?}"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_drawings() {
        let a: Vec<_> = generate(50, 42)
            .map(|f| f.geometry.to_geojson_string())
            .collect();
        let b: Vec<_> = generate(50, 42)
            .map(|f| f.geometry.to_geojson_string())
            .collect();
        let c: Vec<_> = generate(50, 43)
            .map(|f| f.geometry.to_geojson_string())
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
