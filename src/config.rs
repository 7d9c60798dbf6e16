//! Configuration: [`Config`], built with [`ConfigBuilder`] from code, from a Java `.properties`
//! file ([`Properties`]) in the format of Trivore's reference SDKs, or from both.
//!
//! The properties file uses the same keys as the reference SDKs (see [`keys`]):
//!
//! ```properties
//! # /etc/trivoreid/client_sdk.properties
//! service.address = https://trivoreid.example.com
//! mgmtapi.id = 5e7d2f...
//! mgmtapi.secret = c2VjcmV0IHdpdGggcGFkZGluZw==
//! oidc.client.id = my-web-app
//! oidc.client.secret = another-secret
//! oidc.client.redirect.uri = https://app.example.com/callback
//! ```
//!
//! Unlike the reference SDK, the file is parsed with the real Java `.properties` rules (comments,
//! `=`, `:` and whitespace separators, escapes, continuation lines), so values such as base64
//! secrets ending in `==` are kept whole instead of being dropped silently. See [`Properties`].
//!
//! ```
//! use std::time::Duration;
//! use trivoreid::config::Config;
//!
//! let config = Config::builder()
//!     .server("https://trivoreid.example.com/")
//!     .management_api("client-id", "client-secret")
//!     .timeout(Duration::from_secs(60))
//!     .build()?;
//! assert_eq!(config.api_base(), "https://trivoreid.example.com/api/rest/v1");
//! // Secrets never show up in `Debug` output.
//! assert!(!format!("{config:?}").contains("client-secret"));
//! # Ok::<(), trivoreid::error::SdkError>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::iter::Peekable;
use std::path::{Path, PathBuf};
use std::str::Chars;
use std::time::Duration;

use url::Url;

use crate::error::SdkError;
use crate::secret::Secret;

/// Where [`Config::from_default_properties`] and [`ConfigBuilder::default_properties`] look for
/// the properties file when the [`PROPERTIES_ENV`] environment variable is not set (the reference
/// SDK's default path).
pub const DEFAULT_PROPERTIES_PATH: &str = "/etc/trivoreid/client_sdk.properties";

/// The environment variable that, when set to a non-empty value, names the properties file to use
/// instead of [`DEFAULT_PROPERTIES_PATH`].
pub const PROPERTIES_ENV: &str = "TRIVOREID_PROPERTIES";

/// The default time allowed for establishing a connection: 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default time allowed for a whole request, from connecting to reading the end of the
/// response body: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The path of the Management API below the service address.
const API_PATH: &str = "/api/rest/v1";

/// Properties files larger than this are refused (a configuration file is a few hundred bytes;
/// this guards against pointing the SDK at a device or a huge file by mistake).
const MAX_PROPERTIES_FILE_SIZE: u64 = 1024 * 1024;

/// What `Debug` output shows in place of a secret.
const REDACTED: &str = "[redacted]";

/// The keys of the properties file, as used by Trivore's reference SDKs, and the names used for
/// the other settings in error messages.
pub mod keys {
    /// The address of the Trivore ID service, e.g. `https://trivoreid.com`.
    pub const SERVICE_ADDRESS: &str = "service.address";
    /// The Management API client id.
    pub const MGMTAPI_ID: &str = "mgmtapi.id";
    /// The Management API client secret.
    pub const MGMTAPI_SECRET: &str = "mgmtapi.secret";
    /// The OpenID Connect client id.
    pub const OIDC_CLIENT_ID: &str = "oidc.client.id";
    /// The OpenID Connect client secret (absent for a public client).
    pub const OIDC_CLIENT_SECRET: &str = "oidc.client.secret";
    /// The OpenID Connect redirect URI.
    pub const OIDC_CLIENT_REDIRECT_URI: &str = "oidc.client.redirect.uri";
    /// The username for the OAuth 2.0 resource owner password credentials grant.
    pub const PASSWORD_GRANT_USERNAME: &str = "password.grant.username";
    /// The password for the OAuth 2.0 resource owner password credentials grant.
    pub const PASSWORD_GRANT_PASSWORD: &str = "password.grant.password";
    /// The name of the connect timeout in error messages (set with
    /// [`ConfigBuilder::connect_timeout`](super::ConfigBuilder::connect_timeout); not read from
    /// the properties file).
    pub const CONNECT_TIMEOUT: &str = "connect_timeout";
    /// The name of the request timeout in error messages (set with
    /// [`ConfigBuilder::timeout`](super::ConfigBuilder::timeout); not read from the properties
    /// file).
    pub const TIMEOUT: &str = "timeout";
}

/// The keys whose values `Debug` of [`Properties`] may show; all other values are redacted.
const NON_SECRET_KEYS: [&str; 5] = [
    keys::SERVICE_ADDRESS,
    keys::MGMTAPI_ID,
    keys::OIDC_CLIENT_ID,
    keys::OIDC_CLIENT_REDIRECT_URI,
    keys::PASSWORD_GRANT_USERNAME,
];

/// The path [`Config::from_default_properties`] reads: the value of the [`PROPERTIES_ENV`]
/// environment variable when it is set and not empty, otherwise [`DEFAULT_PROPERTIES_PATH`].
pub fn default_properties_path() -> PathBuf {
    env_properties_path().unwrap_or_else(|| PathBuf::from(DEFAULT_PROPERTIES_PATH))
}

/// The path named by [`PROPERTIES_ENV`], if it is set and not empty.
fn env_properties_path() -> Option<PathBuf> {
    std::env::var_os(PROPERTIES_ENV)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// A parsed Java `.properties` file: string keys mapped to string values.
///
/// [`parse`](Properties::parse) follows the rules of Java's `java.util.Properties.load`:
///
/// - Lines whose first non-whitespace character is `#` or `!` are comments; blank lines are
///   ignored. Whitespace is space, tab and form feed.
/// - The key ends at the first unescaped `=`, `:` or whitespace. Whitespace around the separator
///   is skipped, so `key=value`, `key = value`, `key: value`, `key value` are all the same, and a
///   key alone on its line has the empty value.
/// - Only the first separator counts: the value may contain `=` and `:` (`key=abc==` gives
///   `abc==`, `uri: https://host` gives `https://host`).
/// - Escapes: `\t`, `\n`, `\r`, `\f`, `\uXXXX` (UTF-16 surrogate pairs such as `\uD83D\uDE00`
///   are combined); any other escaped character stands for itself (`\\`, `\=`, `\:`, `\#`, `\!`,
///   `\ `). An invalid `\u` escape (not four hex digits, or a lone surrogate) is kept as the
///   literal text `\u` followed by whatever came after it; parsing never fails.
/// - A line ending in an odd number of backslashes continues on the next line; the leading
///   whitespace of the continuation line is skipped, and a `#` or `!` there is part of the value
///   (unless nothing came before it, as in Java).
/// - Lines may end in `\n`, `\r\n` or `\r`; a UTF-8 byte order mark at the start is ignored.
/// - When a key appears more than once, the last value wins.
///
/// One deliberate difference from Java: **trailing whitespace of values is removed** (Java keeps
/// it). A secret copied into the file with a stray space at the end is a common and hard-to-see
/// mistake. Write an escaped space (`\ `) or `\t` if a value really must end in whitespace.
///
/// Files are read as UTF-8 (like Java's `load(Reader)`), not ISO-8859-1.
///
/// `Debug` output shows all keys but only the values of the non-secret keys of [`keys`]
/// (`service.address`, the ids, the redirect URI and the username); other values are redacted.
///
/// ```
/// use trivoreid::config::Properties;
///
/// let props = Properties::parse(
///     "# a comment\n\
///      mgmtapi.secret = c2VjcmV0==   \n\
///      service.address: https://example.com\n",
/// );
/// assert_eq!(props.get("mgmtapi.secret"), Some("c2VjcmV0=="));
/// assert_eq!(props.get("service.address"), Some("https://example.com"));
/// assert_eq!(props.len(), 2);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Properties {
    /// The entries, in the order their keys first appeared.
    entries: Vec<(String, String)>,
    /// Key to position in `entries`.
    index: HashMap<String, usize>,
}

impl Properties {
    /// Parses the text of a properties file. Never fails and never panics: whatever cannot be
    /// understood is kept literally. See the [type documentation](Properties) for the rules.
    pub fn parse(text: &str) -> Properties {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut properties = Properties::default();
        let lines = LogicalLines {
            chars: text.chars().peekable(),
        };
        for line in lines {
            let (key, value) = split_entry(&line);
            properties.insert(key, value);
        }
        properties
    }

    /// Reads and parses a properties file.
    ///
    /// # Errors
    ///
    /// [`SdkError::PropertiesFile`] naming the path when the file does not exist, cannot be read
    /// (for example it is a directory), is not valid UTF-8 or is larger than 1 MiB (the last two
    /// with an I/O error of kind [`InvalidData`](io::ErrorKind::InvalidData)).
    pub fn load(path: impl AsRef<Path>) -> Result<Properties, SdkError> {
        let path = path.as_ref();
        let error = |source: io::Error| SdkError::PropertiesFile {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(error)?;
        let mut bytes = Vec::new();
        file.take(MAX_PROPERTIES_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(error)?;
        if bytes.len() as u64 > MAX_PROPERTIES_FILE_SIZE {
            return Err(error(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file is larger than 1 MiB, which is not a plausible properties file",
            )));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            error(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the file is not valid UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            ))
        })?;
        let properties = Properties::parse(&text);
        warn_if_readable_by_others(path, &properties);
        Ok(properties)
    }

    /// The value of `key`, if the file has it. Keys are case-sensitive.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.index
            .get(key)
            .map(|&position| self.entries[position].1.as_str())
    }

    /// The entries as `(key, value)` pairs, in the order the keys first appear in the file.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the file has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets `key` to `value`, replacing an earlier value (which keeps its position).
    fn insert(&mut self, key: String, value: String) {
        match self.index.get(&key) {
            Some(&position) => self.entries[position].1 = value,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }
}

impl fmt::Debug for Properties {
    /// Shows every key, but only the values of known non-secret keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.iter() {
            if key == keys::SERVICE_ADDRESS || key == keys::OIDC_CLIENT_REDIRECT_URI {
                map.entry(&key, &redact_url(value));
            } else if NON_SECRET_KEYS.contains(&key) {
                map.entry(&key, &value);
            } else {
                map.entry(&key, &format_args!("{REDACTED}"));
            }
        }
        map.finish()
    }
}

/// Whitespace in the sense of the properties format: space, tab and form feed.
fn is_properties_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// Splits text into logical lines (comments and blank lines dropped, continuation lines joined),
/// following Java's `Properties.LineReader`. Escapes are still in place.
struct LogicalLines<'a> {
    chars: Peekable<Chars<'a>>,
}

impl LogicalLines<'_> {
    /// Skips the rest of the current natural line, including its line terminator.
    fn skip_rest_of_line(&mut self) {
        let end = self.chars.by_ref().find(|&c| c == '\n' || c == '\r');
        if end == Some('\r') {
            self.chars.next_if_eq(&'\n');
        }
    }
}

impl Iterator for LogicalLines<'_> {
    type Item = Vec<char>;

    fn next(&mut self) -> Option<Vec<char>> {
        let mut line: Vec<char> = Vec::new();
        // Skipping leading whitespace (at the start of a line or of a continuation line).
        let mut skip_whitespace = true;
        // Just after a continuation: an empty line here ends the logical line.
        let mut continued = false;
        // The line so far ends in an odd number of backslashes.
        let mut odd_backslashes = false;
        loop {
            let Some(c) = self.chars.next() else {
                if line.is_empty() {
                    return None;
                }
                if odd_backslashes {
                    // A continuation with nothing to continue on.
                    line.pop();
                }
                return Some(line);
            };
            let end_of_line = c == '\n' || c == '\r';
            if c == '\r' {
                self.chars.next_if_eq(&'\n');
            }
            // After the whole line break: `\r\n` ends the input as `\n` does.
            let last_char = self.chars.peek().is_none();
            if skip_whitespace {
                if is_properties_whitespace(c) || (end_of_line && !continued) {
                    continue;
                }
                skip_whitespace = false;
                continued = false;
            }
            // As in Java (since Java 9), `#` and `!` start a comment wherever the logical line is
            // still empty, even after a continuation of an empty line.
            if line.is_empty() && (c == '#' || c == '!') {
                self.skip_rest_of_line();
                skip_whitespace = true;
                continue;
            }
            if !end_of_line {
                line.push(c);
                odd_backslashes = c == '\\' && !odd_backslashes;
                continue;
            }
            if line.is_empty() {
                // A continuation that led to nothing: start afresh.
                skip_whitespace = true;
                continue;
            }
            if !odd_backslashes {
                return Some(line);
            }
            line.pop();
            if last_char {
                // As in Java, a backslash and a line break ending the input end the logical line
                // even when it is now empty (a line holding only `\` gives the empty key).
                return Some(line);
            }
            odd_backslashes = false;
            skip_whitespace = true;
            continued = true;
        }
    }
}

/// Splits a logical line into its unescaped key and value.
fn split_entry(line: &[char]) -> (String, String) {
    let mut key_end = line.len();
    let mut value_start = line.len();
    let mut has_separator = false;
    let mut odd_backslashes = false;
    for (i, &c) in line.iter().enumerate() {
        if !odd_backslashes && (c == '=' || c == ':') {
            key_end = i;
            value_start = i + 1;
            has_separator = true;
            break;
        }
        if !odd_backslashes && is_properties_whitespace(c) {
            key_end = i;
            value_start = i + 1;
            break;
        }
        odd_backslashes = c == '\\' && !odd_backslashes;
    }
    while let Some(&c) = line.get(value_start) {
        if is_properties_whitespace(c) {
            value_start += 1;
        } else if !has_separator && (c == '=' || c == ':') {
            has_separator = true;
            value_start += 1;
        } else {
            break;
        }
    }
    (
        unescape(&line[..key_end], false),
        unescape(&line[value_start..], true),
    )
}

/// Resolves backslash escapes. With `trim_end`, unescaped trailing whitespace is removed.
fn unescape(chars: &[char], trim_end: bool) -> String {
    let mut out = String::with_capacity(chars.len());
    // Length of `out` up to and including the last character that is not unescaped whitespace.
    let mut significant_len = 0;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c != '\\' {
            out.push(c);
            if !c.is_whitespace() {
                significant_len = out.len();
            }
            continue;
        }
        let Some(&escaped) = chars.get(i) else {
            // A lone backslash at the very end: nothing to escape, drop it (as Java does).
            break;
        };
        i += 1;
        match escaped {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'u' => match unicode_escape(chars, i) {
                Some((decoded, consumed)) => {
                    out.push(decoded);
                    i += consumed;
                }
                None => out.push_str("\\u"),
            },
            other => out.push(other),
        }
        significant_len = out.len();
    }
    if trim_end {
        out.truncate(significant_len);
    }
    out
}

/// Decodes the `XXXX` of a `\uXXXX` escape starting at `at` (just after the `u`), combining a
/// surrogate pair written as two escapes. Returns the character and the number of characters
/// consumed, or `None` when the escape is invalid.
fn unicode_escape(chars: &[char], at: usize) -> Option<(char, usize)> {
    let first = hex4(chars, at)?;
    if let Some(c) = char::from_u32(first) {
        return Some((c, 4));
    }
    let is_high_surrogate = (0xD800..0xDC00).contains(&first);
    if is_high_surrogate && chars.get(at + 4) == Some(&'\\') && chars.get(at + 5) == Some(&'u') {
        let second = hex4(chars, at + 6)?;
        if (0xDC00..0xE000).contains(&second) {
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            return char::from_u32(combined).map(|c| (c, 10));
        }
    }
    None
}

/// The value of the four hex digits at `at`, if there are four.
fn hex4(chars: &[char], at: usize) -> Option<u32> {
    chars
        .get(at..at.checked_add(4)?)?
        .iter()
        .try_fold(0u32, |value, c| Some(value * 16 + c.to_digit(16)?))
}

/// A URL for `Debug` output: anything up to the last `@` after the scheme (possible
/// credentials) and any query or fragment are replaced by `[redacted]`. Errs on the side of
/// hiding too much, since the text may not even be a valid URL.
fn redact_url(raw: &str) -> String {
    let authority_start = raw.find("://").map_or(0, |i| i + 3);
    let (head, rest) = raw.split_at(authority_start);
    let mut out = match rest.rfind('@') {
        Some(at) => format!("{head}{REDACTED}{}", &rest[at..]),
        None => raw.to_owned(),
    };
    let query_start = out[authority_start..]
        .find(['?', '#'])
        .map(|i| i + authority_start);
    if let Some(start) = query_start {
        out.truncate(start);
        out.push('?');
        out.push_str(REDACTED);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------

/// The validated configuration of a Trivore ID client.
///
/// Build one with [`Config::builder`], or read one from a properties file with
/// [`Config::from_properties_file`] or [`Config::from_default_properties`].
///
/// `Debug` shows the server, the ids and the timeouts; secrets are shown as `[redacted]`.
#[derive(Clone)]
pub struct Config {
    server: Url,
    management_api: Option<(String, Secret)>,
    access_token: Option<Secret>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<Secret>,
    oidc_redirect_uri: Option<Url>,
    password_grant: Option<(String, Secret)>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: crate::retry::RetryPolicy,
    allow_insecure_http: bool,
}

impl Config {
    /// A builder with nothing set.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the configuration from a properties file.
    ///
    /// # Errors
    ///
    /// [`SdkError::PropertiesFile`] when the file cannot be read (see [`Properties::load`]), or a
    /// validation error as for [`ConfigBuilder::build`].
    pub fn from_properties_file(path: impl AsRef<Path>) -> Result<Config, SdkError> {
        Config::from_properties(&Properties::load(path)?)
    }

    /// Reads the configuration from the file named by the [`PROPERTIES_ENV`] environment variable
    /// when it is set and not empty, otherwise from [`DEFAULT_PROPERTIES_PATH`].
    ///
    /// # Errors
    ///
    /// [`SdkError::PropertiesFile`] naming the path when the file is missing or unreadable, or a
    /// validation error as for [`ConfigBuilder::build`]. Use
    /// [`ConfigBuilder::default_properties`] to make the default file optional.
    pub fn from_default_properties() -> Result<Config, SdkError> {
        Config::from_properties_file(default_properties_path())
    }

    /// Builds the configuration from parsed properties.
    ///
    /// # Errors
    ///
    /// A validation error as for [`ConfigBuilder::build`].
    pub fn from_properties(properties: &Properties) -> Result<Config, SdkError> {
        ConfigBuilder::default().resolve(Some(properties))
    }

    /// The address of the Trivore ID service (`service.address`).
    ///
    /// Its path never ends in `/` except when it is the root, so `https://host/idp/` is stored as
    /// `https://host/idp`. Beware that [`Url::join`] on this URL replaces its last path segment;
    /// use [`api_base`](Config::api_base) or append to the string instead.
    pub fn server(&self) -> &Url {
        &self.server
    }

    /// The base URL of the Management API: the service address followed by `/api/rest/v1`,
    /// without a trailing slash. `https://host`, `https://host/` give
    /// `https://host/api/rest/v1`; `https://host/idp/` gives `https://host/idp/api/rest/v1`.
    pub fn api_base(&self) -> String {
        format!("{}{API_PATH}", self.server.as_str().trim_end_matches('/'))
    }

    /// The Management API client id and secret (`mgmtapi.id`, `mgmtapi.secret`).
    pub fn management_api(&self) -> Option<(&str, &Secret)> {
        self.management_api
            .as_ref()
            .map(|(id, secret)| (id.as_str(), secret))
    }

    /// A ready access token to send as a bearer token (set with
    /// [`ConfigBuilder::access_token`]).
    pub fn access_token(&self) -> Option<&Secret> {
        self.access_token.as_ref()
    }

    /// The OpenID Connect client id (`oidc.client.id`).
    pub fn oidc_client_id(&self) -> Option<&str> {
        self.oidc_client_id.as_deref()
    }

    /// The OpenID Connect client secret (`oidc.client.secret`); `None` for a public client.
    pub fn oidc_client_secret(&self) -> Option<&Secret> {
        self.oidc_client_secret.as_ref()
    }

    /// The OpenID Connect redirect URI (`oidc.client.redirect.uri`).
    pub fn oidc_redirect_uri(&self) -> Option<&Url> {
        self.oidc_redirect_uri.as_ref()
    }

    /// The username and password for the password grant (`password.grant.username`,
    /// `password.grant.password`).
    pub fn password_grant(&self) -> Option<(&str, &Secret)> {
        self.password_grant
            .as_ref()
            .map(|(username, password)| (username.as_str(), password))
    }

    /// The time allowed for establishing a connection (default 10 seconds).
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The retry policy (see [`RetryPolicy`](crate::retry::RetryPolicy)).
    pub fn retry(&self) -> crate::retry::RetryPolicy {
        self.retry
    }

    /// Whether credentials may go over plain `http://` to a host that is not loopback.
    pub fn allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// The time allowed for a whole request (default 30 seconds).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl fmt::Debug for Config {
    /// Shows the server, the ids and the timeouts; secrets are shown as `[redacted]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server.as_str())
            .field("management_api", &self.management_api)
            .field("access_token", &self.access_token)
            .field("oidc_client_id", &self.oidc_client_id)
            .field("oidc_client_secret", &self.oidc_client_secret)
            .field(
                "oidc_redirect_uri",
                &self.oidc_redirect_uri.as_ref().map(Url::as_str),
            )
            .field("password_grant", &self.password_grant)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// ConfigBuilder
// ---------------------------------------------------------------------------------------------

/// Where the builder takes values it was not given.
#[derive(Clone, Debug)]
enum PropertiesSource {
    /// A file that must exist.
    File(PathBuf),
    /// The file named by [`PROPERTIES_ENV`], or else [`DEFAULT_PROPERTIES_PATH`] if it exists.
    Default,
    /// Properties already parsed.
    Parsed(Properties),
}

/// Builds a [`Config`]; get one with [`Config::builder`].
///
/// Setters only store what they are given; everything is checked by [`build`](Self::build).
/// Values set on the builder always take precedence over a properties file given with
/// [`properties_file`](Self::properties_file), [`default_properties`](Self::default_properties)
/// or [`properties`](Self::properties), whatever the order of the calls. Credential pairs are
/// taken as a unit: when the builder sets a pair (for example
/// [`management_api`](Self::management_api)), neither half is taken from the file, so a
/// builder's id is never combined with a file's secret.
///
/// Empty or whitespace-only values count as not set. Ids, usernames and URLs are trimmed;
/// secrets and passwords are used exactly as given.
///
/// `Debug` output redacts secrets, and credentials, queries and fragments in URLs.
///
/// ```
/// use trivoreid::config::{Config, DEFAULT_CONNECT_TIMEOUT};
///
/// let config = Config::builder()
///     .server("https://trivoreid.example.com")
///     .oidc_client_id("public-app")
///     .oidc_redirect_uri("https://app.example.com/callback")
///     .build()?;
/// assert_eq!(config.oidc_client_id(), Some("public-app"));
/// assert!(config.oidc_client_secret().is_none());
/// assert_eq!(config.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
/// # Ok::<(), trivoreid::error::SdkError>(())
/// ```
#[derive(Clone, Default)]
pub struct ConfigBuilder {
    server: Option<String>,
    management_api: Option<(String, Secret)>,
    access_token: Option<Secret>,
    oidc_client: Option<(String, Option<Secret>)>,
    oidc_redirect_uri: Option<String>,
    password_grant: Option<(String, Secret)>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: Option<crate::retry::RetryPolicy>,
    allow_insecure_http: bool,
    properties: Option<PropertiesSource>,
}

impl ConfigBuilder {
    /// Sets the retry policy (default [`RetryPolicy::default`](crate::retry::RetryPolicy); off:
    /// [`RetryPolicy::none`](crate::retry::RetryPolicy::none)).
    pub fn retry(mut self, policy: crate::retry::RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Allows credentials over plain `http://` to a host that is not loopback (default: refused,
    /// as anyone on the way could read them).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets the address of the Trivore ID service (`service.address`), e.g.
    /// `https://trivoreid.com`. A trailing slash and a path prefix (`https://host/idp/`) are
    /// fine; credentials, a query or a fragment are not.
    pub fn server(mut self, url: impl AsRef<str>) -> Self {
        self.server = Some(url.as_ref().to_owned());
        self
    }

    /// Sets the Management API client id and secret (`mgmtapi.id`, `mgmtapi.secret`).
    pub fn management_api(mut self, id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.management_api = Some((id.into(), secret.into()));
        self
    }

    /// Sets a ready access token to send as a bearer token.
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// Sets the OpenID Connect client id and secret (`oidc.client.id`, `oidc.client.secret`) of
    /// a confidential client. Replaces an earlier [`oidc_client_id`](Self::oidc_client_id).
    pub fn oidc_client(mut self, id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.oidc_client = Some((id.into(), Some(secret.into())));
        self
    }

    /// Sets the OpenID Connect client id of a public client, which has no secret. Replaces an
    /// earlier [`oidc_client`](Self::oidc_client), secret included.
    pub fn oidc_client_id(mut self, id: impl Into<String>) -> Self {
        self.oidc_client = Some((id.into(), None));
        self
    }

    /// Sets the OpenID Connect redirect URI (`oidc.client.redirect.uri`).
    pub fn oidc_redirect_uri(mut self, uri: impl AsRef<str>) -> Self {
        self.oidc_redirect_uri = Some(uri.as_ref().to_owned());
        self
    }

    /// Sets the username and password for the password grant (`password.grant.username`,
    /// `password.grant.password`).
    pub fn password_grant(
        mut self,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        self.password_grant = Some((username.into(), password.into()));
        self
    }

    /// Sets the time allowed for establishing a connection (default 10 seconds; must not be
    /// zero).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the time allowed for a whole request (default 30 seconds; must not be zero).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Takes the values the builder was not given from this properties file, which
    /// [`build`](Self::build) reads and which must exist. Replaces an earlier
    /// [`default_properties`](Self::default_properties) or [`properties`](Self::properties).
    pub fn properties_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.properties = Some(PropertiesSource::File(path.into()));
        self
    }

    /// Takes the values the builder was not given from the default properties file, read by
    /// [`build`](Self::build): the file named by the [`PROPERTIES_ENV`] environment variable
    /// (which must then exist), or else [`DEFAULT_PROPERTIES_PATH`] if that file exists. An
    /// existing file that cannot be read is an error. Replaces an earlier
    /// [`properties_file`](Self::properties_file) or [`properties`](Self::properties).
    pub fn default_properties(mut self) -> Self {
        self.properties = Some(PropertiesSource::Default);
        self
    }

    /// Takes the values the builder was not given from already parsed properties. Replaces an
    /// earlier [`properties_file`](Self::properties_file) or
    /// [`default_properties`](Self::default_properties).
    pub fn properties(mut self, properties: Properties) -> Self {
        self.properties = Some(PropertiesSource::Parsed(properties));
        self
    }

    /// Reads the properties file, if one was given, and validates everything.
    ///
    /// # Errors
    ///
    /// - [`SdkError::PropertiesFile`]: the properties file cannot be read.
    /// - [`SdkError::MissingConfig`]: no `service.address`.
    /// - [`SdkError::InvalidConfig`]: `service.address` is not an absolute `http` or `https` URL
    ///   with a host, or has credentials, a query or a fragment; `oidc.client.redirect.uri` is
    ///   not an absolute URL or has credentials or a fragment; a timeout is zero.
    /// - [`SdkError::IncompleteCredentials`]: only one of `mgmtapi.id` and `mgmtapi.secret`, or of
    ///   `password.grant.username` and `password.grant.password`, is set, or
    ///   `oidc.client.secret` is set without `oidc.client.id`.
    ///
    /// No error message contains a secret.
    pub fn build(&self) -> Result<Config, SdkError> {
        let loaded = match &self.properties {
            Some(PropertiesSource::File(path)) => Some(Properties::load(path)?),
            Some(PropertiesSource::Default) => load_default_properties()?,
            Some(PropertiesSource::Parsed(_)) | None => None,
        };
        let file = match &self.properties {
            Some(PropertiesSource::Parsed(properties)) => Some(properties),
            _ => loaded.as_ref(),
        };
        self.resolve(file)
    }

    /// Merges the builder's values over the file's and validates the result.
    fn resolve(&self, file: Option<&Properties>) -> Result<Config, SdkError> {
        let from_file = |key: &str| {
            file.and_then(|properties| properties.get(key))
                .filter(|value| !is_blank(value))
        };

        let server = trimmed(self.server.as_deref())
            .or_else(|| from_file(keys::SERVICE_ADDRESS).map(str::trim))
            .ok_or(SdkError::MissingConfig {
                key: keys::SERVICE_ADDRESS,
            })?;
        let server = parse_server(server)?;

        let (id, secret) = match &self.management_api {
            Some((id, secret)) if !is_blank(id) || !is_blank(secret.expose()) => {
                (trimmed(Some(id)), non_blank_secret(secret))
            }
            _ => (
                from_file(keys::MGMTAPI_ID).map(str::trim),
                from_file(keys::MGMTAPI_SECRET).map(Secret::from),
            ),
        };
        let management_api = pair(id, secret, keys::MGMTAPI_ID, keys::MGMTAPI_SECRET)?;

        let access_token = self.access_token.as_ref().and_then(non_blank_secret);

        let (oidc_client_id, oidc_client_secret) = match &self.oidc_client {
            Some((id, secret))
                if !is_blank(id) || secret.as_ref().is_some_and(|s| !is_blank(s.expose())) =>
            {
                (
                    trimmed(Some(id)),
                    secret.as_ref().and_then(non_blank_secret),
                )
            }
            _ => (
                from_file(keys::OIDC_CLIENT_ID).map(str::trim),
                from_file(keys::OIDC_CLIENT_SECRET).map(Secret::from),
            ),
        };
        if oidc_client_id.is_none() && oidc_client_secret.is_some() {
            return Err(SdkError::IncompleteCredentials {
                present: keys::OIDC_CLIENT_SECRET,
                missing: keys::OIDC_CLIENT_ID,
            });
        }

        let oidc_redirect_uri = trimmed(self.oidc_redirect_uri.as_deref())
            .or_else(|| from_file(keys::OIDC_CLIENT_REDIRECT_URI).map(str::trim))
            .map(parse_redirect_uri)
            .transpose()?;

        let (username, password) = match &self.password_grant {
            Some((username, password)) if !is_blank(username) || !is_blank(password.expose()) => {
                (trimmed(Some(username)), non_blank_secret(password))
            }
            _ => (
                from_file(keys::PASSWORD_GRANT_USERNAME).map(str::trim),
                from_file(keys::PASSWORD_GRANT_PASSWORD).map(Secret::from),
            ),
        };
        let password_grant = pair(
            username,
            password,
            keys::PASSWORD_GRANT_USERNAME,
            keys::PASSWORD_GRANT_PASSWORD,
        )?;

        let connect_timeout = positive(
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            keys::CONNECT_TIMEOUT,
        )?;
        let timeout = positive(self.timeout.unwrap_or(DEFAULT_TIMEOUT), keys::TIMEOUT)?;
        let retry = self.retry.unwrap_or_default();
        if retry.max_attempts == 0 {
            return Err(SdkError::InvalidConfig {
                key: "retry",
                reason: "max_attempts must be at least 1 (1 means no retries)".into(),
            });
        }

        let has_secret = management_api.is_some()
            || access_token.is_some()
            || oidc_client_secret.is_some()
            || password_grant.is_some();
        if has_secret
            && server.scheme() == "http"
            && !is_loopback(&server)
            && !self.allow_insecure_http
        {
            return Err(SdkError::InvalidConfig {
                key: keys::SERVICE_ADDRESS,
                reason: "credentials would travel unencrypted over http:// to a host that is not \
                         loopback; use https://, or allow it with allow_insecure_http(true)"
                    .into(),
            });
        }

        Ok(Config {
            server,
            management_api,
            access_token,
            oidc_client_id: oidc_client_id.map(str::to_owned),
            oidc_client_secret,
            oidc_redirect_uri,
            password_grant,
            connect_timeout,
            timeout,
            retry,
            allow_insecure_http: self.allow_insecure_http,
        })
    }
}

impl fmt::Debug for ConfigBuilder {
    /// Shows what was set, with secrets, and credentials, queries and fragments in URLs,
    /// redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("server", &self.server.as_deref().map(redact_url))
            .field("management_api", &self.management_api)
            .field("access_token", &self.access_token)
            .field("oidc_client", &self.oidc_client)
            .field(
                "oidc_redirect_uri",
                &self.oidc_redirect_uri.as_deref().map(redact_url),
            )
            .field("password_grant", &self.password_grant)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("properties", &self.properties)
            .finish()
    }
}

/// Reads the file for [`ConfigBuilder::default_properties`]: the [`PROPERTIES_ENV`] file must
/// exist; the [`DEFAULT_PROPERTIES_PATH`] file is optional.
fn load_default_properties() -> Result<Option<Properties>, SdkError> {
    if let Some(path) = env_properties_path() {
        return Properties::load(path).map(Some);
    }
    match Properties::load(DEFAULT_PROPERTIES_PATH) {
        Ok(properties) => Ok(Some(properties)),
        Err(SdkError::PropertiesFile { source, .. })
            if source.kind() == io::ErrorKind::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// True for an empty or whitespace-only value, which counts as not set.
fn is_blank(value: &str) -> bool {
    value.trim().is_empty()
}

/// The trimmed value, or `None` when it is blank.
fn trimmed(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The secret, unchanged, or `None` when it is blank.
fn non_blank_secret(secret: &Secret) -> Option<Secret> {
    (!is_blank(secret.expose())).then(|| secret.clone())
}

/// Both halves of a credential pair, or neither.
fn pair(
    id: Option<&str>,
    secret: Option<Secret>,
    id_key: &'static str,
    secret_key: &'static str,
) -> Result<Option<(String, Secret)>, SdkError> {
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(Some((id.to_owned(), secret))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(SdkError::IncompleteCredentials {
            present: id_key,
            missing: secret_key,
        }),
        (None, Some(_)) => Err(SdkError::IncompleteCredentials {
            present: secret_key,
            missing: id_key,
        }),
    }
}

/// The timeout, unless it is zero.
fn positive(timeout: Duration, key: &'static str) -> Result<Duration, SdkError> {
    if timeout.is_zero() {
        return Err(SdkError::InvalidConfig {
            key,
            reason: "must be greater than zero".to_owned(),
        });
    }
    Ok(timeout)
}

/// Parses `url` as an absolute URL. The error reason never repeats the value, which may hold
/// credentials.
fn parse_absolute(url: &str, key: &'static str) -> Result<Url, SdkError> {
    Url::parse(url).map_err(|e| SdkError::InvalidConfig {
        key,
        reason: match e {
            url::ParseError::RelativeUrlWithoutBase => {
                "not an absolute URL: the scheme is missing (e.g. `https://`)".to_owned()
            }
            other => format!("not a valid URL: {other}"),
        },
    })
}

/// Rejects a URL that has a username or password.
fn reject_credentials(url: &Url, key: &'static str) -> Result<(), SdkError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SdkError::InvalidConfig {
            key,
            reason: "the URL contains a username or password, but credentials never go in a URL"
                .to_owned(),
        });
    }
    Ok(())
}

/// Validates and normalises the service address: an `http` or `https` URL with a host, no
/// credentials, no query and no fragment; trailing slashes of the path are removed.
fn parse_server(raw: &str) -> Result<Url, SdkError> {
    const KEY: &str = keys::SERVICE_ADDRESS;
    let invalid = |reason: String| SdkError::InvalidConfig { key: KEY, reason };
    let mut url = parse_absolute(raw, KEY)?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid(format!(
            "the scheme must be `http` or `https`, not `{}`",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host".to_owned()));
    }
    reject_credentials(&url, KEY)?;
    if url.query().is_some() {
        return Err(invalid("the URL must not have a query (`?...`)".to_owned()));
    }
    if url.fragment().is_some() {
        return Err(invalid(
            "the URL must not have a fragment (`#...`)".to_owned(),
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

/// Validates the redirect URI: absolute, without credentials or a fragment (RFC 6749, 3.1.2).
fn parse_redirect_uri(raw: &str) -> Result<Url, SdkError> {
    const KEY: &str = keys::OIDC_CLIENT_REDIRECT_URI;
    let url = parse_absolute(raw, KEY)?;
    reject_credentials(&url, KEY)?;
    if url.fragment().is_some() {
        return Err(SdkError::InvalidConfig {
            key: KEY,
            reason: "a redirect URI must not have a fragment (`#...`)".to_owned(),
        });
    }
    Ok(url)
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Warns (through `tracing`) when a file that holds secrets can be read by group or others.
fn warn_if_readable_by_others(path: &Path, properties: &Properties) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let holds_secret = [
            keys::MGMTAPI_SECRET,
            keys::OIDC_CLIENT_SECRET,
            keys::PASSWORD_GRANT_PASSWORD,
        ]
        .iter()
        .any(|key| properties.get(key).is_some());
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        if holds_secret && mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format_args!("{:o}", mode & 0o777),
                "the properties file holds secrets and is readable by group or others; \
                 restrict it with `chmod 600`"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, properties);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        LogicalLines {
            chars: text.chars().peekable(),
        }
        .map(|line| line.into_iter().collect())
        .collect()
    }

    #[test]
    fn logical_lines_join_continuations_and_drop_comments() {
        assert_eq!(
            lines("# c \\\n  a = 1 \\\n   2\r\n\r\n! x\rb\\\\\n"),
            ["a = 1 2", "b\\\\"]
        );
        assert_eq!(lines("a\\"), ["a"]);
        assert_eq!(lines("a\\\n"), ["a"]);
        assert_eq!(lines("\\"), [""]);
        assert_eq!(lines("\\\n"), [""]);
        assert!(lines("\\\n  ").is_empty());
        assert_eq!(lines("\\\n\nk"), ["k"]);
        assert!(lines("  \n\t\x0c\r\n").is_empty());
    }

    #[test]
    fn unescape_trims_only_unescaped_trailing_whitespace() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(unescape(&chars("a b  \t"), true), "a b");
        assert_eq!(unescape(&chars("a\\ "), true), "a ");
        assert_eq!(unescape(&chars("a\\t "), true), "a\t");
        assert_eq!(unescape(&chars("a  "), false), "a  ");
        assert_eq!(unescape(&chars("\\u00e4\\u00E4"), true), "ää");
        assert_eq!(unescape(&chars("\\uD83D\\uDE00"), true), "😀");
        assert_eq!(unescape(&chars("\\uD83Dx"), true), "\\uD83Dx");
        assert_eq!(unescape(&chars("\\u12"), true), "\\u12");
        assert_eq!(unescape(&chars("x\\"), true), "x");
    }

    #[test]
    fn redact_url_hides_credentials_and_queries() {
        assert_eq!(redact_url("https://h/p"), "https://h/p");
        assert_eq!(redact_url("https://user:pw@h/p"), "https://[redacted]@h/p");
        assert_eq!(
            redact_url("https://u:p?w#d@h/p?q=1#f"),
            "https://[redacted]@h/p?[redacted]"
        );
        assert_eq!(redact_url("u:pw@h"), "[redacted]@h");
        assert_eq!(redact_url("https://h/?token=x"), "https://h/?[redacted]");
    }

    #[test]
    fn properties_debug_redacts_unknown_and_secret_values() {
        let props = Properties::parse(
            "service.address=https://u:pw1@h\nmgmtapi.id=the-id\nmgmtapi.secret=pw2\nother=pw3\n",
        );
        let debug = format!("{props:?}");
        assert!(debug.contains("the-id"), "{debug}");
        assert!(debug.contains("other"), "{debug}");
        for secret in ["pw1", "pw2", "pw3"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
