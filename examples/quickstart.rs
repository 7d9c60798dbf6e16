//! Quickstart: a read-only tour of a Trivore ID server.
//!
//! Needs a properties file with `service.address`, `mgmtapi.id` and `mgmtapi.secret`:
//!
//! ```text
//! cargo run --example quickstart -- /path/to/client_sdk.properties
//! ```
//!
//! Without an argument it reads `$TRIVOREID_PROPERTIES`, or else
//! `/etc/trivoreid/client_sdk.properties`.

use trivoreid::prelude::*;
use trivoreid::{Filter, TrivoreId};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("quickstart failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), trivoreid::Error> {
    let api = match std::env::args_os().nth(1) {
        Some(path) => TrivoreId::from_properties_file(path)?,
        None => TrivoreId::from_default_properties()?,
    };
    println!("Connected to {}", api.config().server());

    let namespaces = api.namespace_list().count(5).page().await?;
    println!(
        "{} namespaces; the first {}:",
        namespaces.total_results.unwrap_or_default(),
        namespaces.resources.len()
    );
    for ns in &namespaces.resources {
        println!(
            "  {} ({})",
            ns.code.as_deref().unwrap_or("?"),
            ns.name.as_deref().unwrap_or("")
        );
    }

    // Stream users page by page; stop after 20.
    let mut users = api
        .user_list()
        .filter(Filter::pr("emails"))
        .paginate()
        .page_size(10)
        .items();
    let mut shown = 0;
    while let Some(user) = users.try_next().await? {
        println!(
            "  user {} {}",
            user.id.as_deref().unwrap_or("?"),
            user.username.as_deref().unwrap_or("")
        );
        shown += 1;
        if shown == 20 {
            break;
        }
    }

    let groups = api.group_list().count(5).page().await?;
    println!("{} groups", groups.total_results.unwrap_or_default());
    Ok(())
}
