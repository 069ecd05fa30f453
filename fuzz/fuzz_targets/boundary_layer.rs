//! Boundary layers (analysts' barrios and census tracts) on any JSON: units or problems.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trama::domain::boundary::BoundaryLayer;

fuzz_target!(|data: &[u8]| {
    if let Ok(layer) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = BoundaryLayer::parse("Barrios", &layer, "name");
    }
});
