//! Signs a user in with the OAuth2 password grant, then calls the Management API as that user.
//!
//! Needs a properties file (path as the first argument, or `$TRIVOREID_PROPERTIES`, or
//! `/etc/trivoreid/client_sdk.properties`) with `service.address`, `oidc.client.id`,
//! `oidc.client.secret`, `password.grant.username` and `password.grant.password`, for an OIDC
//! client that may use the password grant.
//!
//! ```text
//! cargo run --example password_grant -- /path/to/client_sdk.properties
//! ```

use trivoreid::oidc::OidcClient;
use trivoreid::prelude::*;
use trivoreid::{Config, TrivoreId};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("password_grant failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), trivoreid::Error> {
    let config = match std::env::args_os().nth(1) {
        Some(path) => Config::from_properties_file(path)?,
        None => Config::from_default_properties()?,
    };
    let oidc = OidcClient::discover(&config).await?;
    // `None`: every scope the provider supports, as the reference SDK asks for.
    let tokens = oidc.password_grant(None).await?;
    println!(
        "signed in; the access token expires in {:?}",
        tokens.expires_in()
    );

    // The client refreshes the token before it expires, and once after a 401.
    let api = TrivoreId::with_tokens(config, oidc.token_source(tokens)).await?;
    let Some(me) = api.oidc_user() else {
        println!("the userinfo endpoint told nothing about the user");
        return Ok(());
    };
    println!(
        "user {:?} ({:?}) in namespace {:?}",
        me.id, me.preferred_username, me.ns_code
    );
    if let Some(id) = &me.id {
        let profile = api.profile_get().user_id(id).send().await?;
        println!("profile locale: {:?}", profile.locale);
    }
    Ok(())
}
