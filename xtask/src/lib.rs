//! Project tasks of the trivoreid SDK, run as `cargo xtask <command>`:
//!
//! - `lint`: checks `openapi/` before progenitor sees it ([`lint`]);
//! - `import`: a server's API document, normalized to our conventions and diffed against the spec
//!   by operation, optionally written ([`import`], [`diff`], [`convert`]);
//! - `codegen`: the code build.rs generates, formatted, for review ([`codegen`]);
//! - `coverage`: the spec against the reference operations, by package ([`coverage`]).

use std::path::PathBuf;

pub mod cli;
pub mod codegen;
pub mod convert;
pub mod coverage;
pub mod diff;
pub mod doc;
pub mod fetch;
pub mod import;
pub mod lint;
pub mod naming;
pub mod settings;

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
