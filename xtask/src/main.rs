//! Project tasks: `cargo xtask <command>`.
//!
//! Minimal for now; the spec tools (lint, import, codegen, coverage) have their own issue.

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  help    this text

The spec is openapi/trivoreid.yaml; build.rs generates the client from it on every build.
Validate it with: python3 -m openapi_spec_validator --schema 3.0 openapi/trivoreid.yaml";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
