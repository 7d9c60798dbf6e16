//! Signs a user in with the authorization code flow (PKCE S256, state, nonce): prints the URL to
//! open in a browser, listens for the redirect on loopback, exchanges the code and shows the
//! user's claims.
//!
//! Needs a properties file (path as the first argument, or `$TRIVOREID_PROPERTIES`, or
//! `/etc/trivoreid/client_sdk.properties`) with `service.address`, `oidc.client.id`,
//! `oidc.client.secret` (for a confidential client) and `oidc.client.redirect.uri` set to a
//! loopback address registered for the client, e.g. `http://127.0.0.1:8765/callback`.
//!
//! ```text
//! cargo run --example authorization_code -- /path/to/client_sdk.properties
//! ```

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use trivoreid::oidc::OidcClient;
use trivoreid::{Config, SdkError};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("authorization_code failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), trivoreid::Error> {
    let config = match std::env::args_os().nth(1) {
        Some(path) => Config::from_properties_file(path)?,
        None => Config::from_default_properties()?,
    };
    let redirect = config
        .oidc_redirect_uri()
        .cloned()
        .ok_or(SdkError::MissingConfig {
            key: "oidc.client.redirect.uri",
        })?;
    let oidc = OidcClient::discover(&config).await?;
    let request = oidc.authorize_url(Some(&["profile", "email"]))?;

    let addr = format!(
        "{}:{}",
        redirect.host_str().unwrap_or("127.0.0.1"),
        redirect.port_or_known_default().unwrap_or(80)
    );
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|e| SdkError::InvalidArgument {
            name: "oidc.client.redirect.uri",
            reason: format!("cannot listen on {addr}: {e}"),
        })?;
    println!(
        "Open this URL in a browser and sign in:\n\n  {}\n",
        request.url()
    );

    // One request: the browser coming back with ?code=...&state=...
    let (mut socket, _) = listener
        .accept()
        .await
        .map_err(|e| SdkError::InvalidArgument {
            name: "redirect",
            reason: e.to_string(),
        })?;
    let mut buf = vec![0u8; 8192];
    let n = socket.read(&mut buf).await.unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let _ = socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nSigned in. You can close this window.\n")
        .await;

    let mut full = redirect.clone();
    full.set_path(target.split('?').next().unwrap_or("/"));
    full.set_query(target.split_once('?').map(|(_, q)| q));
    let tokens = oidc.exchange_redirect(request, full.as_str()).await?;
    if let Some(claims) = tokens.id_token_claims() {
        println!(
            "verified ID token for subject {}",
            claims.subject().as_str()
        );
    }
    let user = oidc.userinfo(tokens.access_token()).await?;
    println!("{user:#?}");
    Ok(())
}
