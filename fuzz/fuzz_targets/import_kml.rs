//! The Kml import reader on any bytes: items or problems, never a panic or a stack overflow.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use trama::domain::feature::FeatureLimits;
use trama::domain::import::{ImportFormat, Mapping, read};
use trama::domain::legend::Symbol;

static LEGEND: LazyLock<Vec<Symbol>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../tests/fixtures/legend.json")).expect("legend")
});

fuzz_target!(|data: &[u8]| {
    let mapping = Mapping {
        default_symbol: Some("escuela".into()),
        ..Mapping::default()
    };
    let _ = read(ImportFormat::Kml, data, &mapping, &LEGEND, FeatureLimits::default());
});
