//! A filter tree made from the bytes (attributes and values from `arbitrary`, nested up to 8
//! levels): rendered with `to_query`, re-parsed by an independent parser, it must be the same
//! tree, or fail exactly when the tree is invalid. Any string value must stay one literal.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use trivoreid_fuzz::{checks, input};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let (Ok(attr), Ok(value)) = (input::attribute(&mut u), input::string(&mut u, 64)) {
        checks::filter::check_value_literal(&attr, &value);
    }
    if let Ok(model) = input::model(&mut u, 8) {
        checks::filter::check_model(&model);
    }
});
