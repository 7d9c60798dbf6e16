//! Runs the embedded fake Trivore ID as a standalone server for any client (the reference
//! Python SDK, curl, your own code).
//!
//! ```text
//! cargo run --features fake --example fake-server -- [--listen 127.0.0.1:PORT] [--properties FILE]
//! ```
//!
//! Once it listens it prints its URL and credentials, and writes a Trivore `client_sdk.properties`
//! file (`service.address`, `mgmtapi.id`, `mgmtapi.secret`, `oidc.client.id`,
//! `oidc.client.secret`, `password.grant.username`, `password.grant.password`) when `--properties`
//! is given. It runs until interrupted (Ctrl-C).

use std::net::SocketAddr;
use std::process::ExitCode;

use trivoreid::fake::FakeTrivoreId;

fn usage() -> ExitCode {
    eprintln!(
        "usage: fake-server [--listen ADDR:PORT] [--properties FILE]\n\
         \x20 --listen      address to listen on (default 127.0.0.1 and a free port)\n\
         \x20 --properties  write a client_sdk.properties file for this server"
    );
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut listen: Option<SocketAddr> = None;
    let mut properties: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(addr)) => match addr.parse() {
                Ok(addr) => listen = Some(addr),
                Err(e) => {
                    eprintln!("--listen {addr}: {e}");
                    return usage();
                }
            },
            ("--properties", Some(path)) => properties = Some(path),
            _ => return usage(),
        }
    }
    let mut builder = FakeTrivoreId::builder();
    if let Some(addr) = listen {
        builder = builder.listen(addr);
    }
    let fake = match builder.start().await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &properties
        && let Err(e) = write_private(path, &fake.properties())
    {
        eprintln!("cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    let (api_id, api_secret) = fake.management_api();
    let (oidc_id, oidc_secret) = fake.oidc_client();
    let (user, password) = fake.user();
    println!("fake Trivore ID listening on {}", fake.uri());
    println!("  Management API client: {api_id} / {api_secret}");
    println!("  OIDC client:           {oidc_id} / {oidc_secret}");
    println!("  user:                  {user} / {password}");
    if let Some(path) = &properties {
        println!("  properties file:       {path}");
    }
    let _ = tokio::signal::ctrl_c().await;
    println!("stopped");
    ExitCode::SUCCESS
}

/// Writes a file readable only by its owner (it holds secrets).
fn write_private(path: &str, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}
