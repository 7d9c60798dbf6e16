//! Gets tokens with the OAuth2 client credentials grant (a service acting as itself) and keeps
//! them fresh with a token source.
//!
//! Needs a properties file (path as the first argument, or `$TRIVOREID_PROPERTIES`, or
//! `/etc/trivoreid/client_sdk.properties`) with `service.address`, `oidc.client.id` and
//! `oidc.client.secret`, for an OIDC client allowed the client credentials grant. Scopes may be
//! given as further arguments.
//!
//! ```text
//! cargo run --example client_credentials -- /path/to/client_sdk.properties [SCOPE ...]
//! ```

use trivoreid::Config;
use trivoreid::oidc::OidcClient;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("client_credentials failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), trivoreid::Error> {
    let mut args = std::env::args().skip(1);
    let config = match args.next() {
        Some(path) => Config::from_properties_file(path)?,
        None => Config::from_default_properties()?,
    };
    let scopes: Vec<String> = args.collect();
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let oidc = OidcClient::discover(&config).await?;
    let source = oidc.client_credentials_source(&scopes).await?;
    let tokens = source.tokens().await;
    println!(
        "got an access token; scopes {:?}; expires in {:?}",
        tokens.scopes(),
        tokens.expires_in()
    );
    // Whenever a fresh token is needed (refreshed `leeway` before expiry):
    let _token = source.access_token().await?;
    println!(
        "token source ready (refreshes so far: {})",
        source.refresh_count()
    );
    Ok(())
}
