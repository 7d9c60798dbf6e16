//! Makes the root crate's build script (`../build.rs`) usable as a module of the xtask, so that
//! `cargo xtask codegen` and `cargo xtask lint` run exactly the code that generates the operation
//! table and the paging glue, instead of a copy that could drift. The only change made to the
//! text is dropping its inner doc comments (`//!`) and inner attributes (`#![...]`), which a file
//! included with `include!` may not have, and pointing its `#[path]` to the shared settings
//! module at that file's real place.

use std::{env, fs, path::Path};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let source = Path::new(&manifest).join("../build.rs");
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = fs::read_to_string(&source)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", source.display()));
    let module: String = text
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !line.starts_with("//!") && !line.starts_with("#![")
        })
        .map(|line| {
            if line
                .trim_start()
                .starts_with("#[path = \"xtask/src/settings.rs\"]")
            {
                let settings = Path::new(&manifest).join("src/settings.rs");
                format!("#[path = {:?}]\n", settings.display().to_string())
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out).join("root_build.rs"), module).expect("cannot write root_build.rs");
}
