//! Pictograms (SVG) as an admin uploads them: accepted or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trama::domain::pictogram::sanitize_svg;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sanitize_svg(text);
    }
});
