//! `Properties::parse` on any bytes (as lossy UTF-8): never panics, agrees with itself across
//! line endings and a BOM, and what it parsed survives render/parse. The same bytes also make
//! structured entries that must read back after rendering with escapes, comments and
//! continuations.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use trivoreid_fuzz::{checks, input};

fuzz_target!(|data: &[u8]| {
    checks::properties::check_parse(&String::from_utf8_lossy(data));

    let mut u = Unstructured::new(data);
    let Ok(entries) = input::entries(&mut u) else {
        return;
    };
    let Ok(layout) = input::layout(&mut u, entries.len()) else {
        return;
    };
    checks::properties::check_round_trip(&entries, &layout);
});
