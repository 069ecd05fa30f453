//! Legends as an analyst uploads them, on any JSON: symbols or problems.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trama::domain::legend::{Symbol, validate_legend};

fuzz_target!(|data: &[u8]| {
    if let Ok(symbols) = serde_json::from_slice::<Vec<Symbol>>(data) {
        let _ = validate_legend(&symbols);
    }
});
