//! `POST …/features` bodies on both parsers (the direct one and the JSON tree's): a draft or
//! a list of problems, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trama::domain::feature::{FeatureLimits, parse_submission, parse_submission_text};

fuzz_target!(|data: &[u8]| {
    let limits = FeatureLimits::default();
    let _ = parse_submission_text(data, limits);
    if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = parse_submission(&tree, limits);
    }
});
