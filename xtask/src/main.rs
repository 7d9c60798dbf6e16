//! `cargo xtask <command>`: see [`xtask::cli::USAGE`].

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    xtask::cli::run(&args)
}
