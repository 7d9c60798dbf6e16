//! [`Secret`]: a string (a client secret, a password, a token) that never shows up in logs.

use std::fmt;

/// The text printed by `Debug` and `Display` in place of a secret's value.
const REDACTED: &str = "[redacted]";

/// A secret string: a client secret, a password or an access token.
///
/// `Debug` and `Display` print `[redacted]` and never the value, so a `Secret` can sit in
/// structures that are logged or put in error messages without leaking. Use
/// [`expose`](Secret::expose) to get the value where it is really needed (an HTTP header, a
/// form body).
///
/// ```
/// use trivoreid::secret::Secret;
///
/// let secret = Secret::new("hunter2");
/// assert_eq!(secret.expose(), "hunter2");
/// assert_eq!(format!("{secret}"), "[redacted]");
/// assert_eq!(format!("{secret:?}"), "[redacted]");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value as a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    /// Wraps the string as a secret.
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    /// Copies the string into a secret.
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    /// Prints `[redacted]`, never the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    /// Prints `[redacted]`, never the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKER: &str = "s3cr3t-MARKER-value";

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new(MARKER);
        let debug = format!("{secret:?}");
        let pretty = format!("{secret:#?}");
        let display = format!("{secret}");
        let padded = format!("{secret:>40}");
        for shown in [&debug, &pretty, &display, &padded] {
            assert!(!shown.contains(MARKER), "leaked: {shown}");
            assert!(!shown.contains("s3cr3t"), "leaked part: {shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
        assert_eq!(debug, "[redacted]");
        assert_eq!(display, "[redacted]");
    }

    #[test]
    fn debug_inside_containers_hides_the_value() {
        let pair = Some(("client-id".to_owned(), Secret::from(MARKER.to_owned())));
        let shown = format!("{pair:?}");
        assert!(!shown.contains(MARKER), "leaked: {shown}");
        assert!(shown.contains("client-id"));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn expose_and_conversions_keep_the_value() {
        assert_eq!(Secret::new(MARKER).expose(), MARKER);
        assert_eq!(Secret::from(MARKER).expose(), MARKER);
        assert_eq!(Secret::from(MARKER.to_owned()).expose(), MARKER);
        assert_eq!(Secret::from(MARKER), Secret::new(MARKER.to_owned()));
        assert_ne!(Secret::from("a"), Secret::from("b"));
        let cloned = Secret::new(MARKER).clone();
        assert_eq!(cloned.expose(), MARKER);
    }

    #[test]
    fn empty_secret_is_still_redacted() {
        let secret = Secret::new("");
        assert_eq!(secret.expose(), "");
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
