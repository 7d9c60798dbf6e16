//! openidconnect's HTTP through the crate's own reqwest 0.13 (one reqwest in the tree), with
//! redirects off (the openidconnect docs warn of SSRF otherwise) and the status of the last
//! response kept, so that an OAuth error keeps its HTTP status.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use openidconnect::{AsyncHttpClient, HttpClientError, HttpRequest, HttpResponse};
use reqwest::StatusCode;

/// One flow's HTTP client: cheap to make (the reqwest client is shared).
#[derive(Debug)]
pub(crate) struct OidcHttp {
    client: reqwest::Client,
    last_status: Mutex<Option<StatusCode>>,
}

impl OidcHttp {
    pub(crate) fn new(client: &reqwest::Client) -> Self {
        OidcHttp {
            client: client.clone(),
            last_status: Mutex::new(None),
        }
    }

    /// The status of the last response this client received.
    pub(crate) fn last_status(&self) -> Option<StatusCode> {
        *self.last_status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future =
        Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + Sync + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request: reqwest::Request = request.try_into().map_err(Box::new)?;
            let response = self.client.execute(request).await.map_err(Box::new)?;
            *self.last_status.lock().unwrap_or_else(|p| p.into_inner()) = Some(response.status());
            let mut builder = openidconnect::http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?;
            builder.body(body.to_vec()).map_err(HttpClientError::Http)
        })
    }
}
