//! Reading a server's API document from a file or an http(s) URL.

use std::time::Duration;

/// Whether `source` is an http(s) URL rather than a file path.
pub fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Reads the document text from a file or a URL. A URL with credentials in it
/// (`https://user:pass@host/...`) is refused, so that they end up in no shell history, log or
/// error message; save such a document to a file first.
pub fn read(source: &str) -> Result<String, String> {
    if !is_url(source) {
        return std::fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"));
    }
    let url = reqwest::Url::parse(source).map_err(|e| format!("not a valid URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("refusing a URL with credentials in it (user:password@); \
             download the document yourself and pass the file"
            .into());
    }
    let shown = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let response = client
        .get(url)
        .header(
            reqwest::header::ACCEPT,
            "application/json, application/yaml;q=0.9, */*;q=0.5",
        )
        .send()
        .map_err(|e| format!("cannot fetch {shown}: {}", e.without_url()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{shown} answered {status}"));
    }
    let text = response
        .text()
        .map_err(|e| format!("cannot read the answer of {shown}: {}", e.without_url()))?;
    let start = text.trim_start();
    if start.starts_with('<') {
        return Err(format!(
            "{shown} answered an HTML page, not the API document; open it in a browser and \
             find the link to the raw JSON or YAML document"
        ));
    }
    Ok(text)
}
