//! Tests of `trivoreid::config`: the Java `.properties` parser, file loading, the builder and
//! validation.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use trivoreid::config::*;
use trivoreid::error::SdkError;
use trivoreid::secret::Secret;

/// A secret that must never appear in any output.
const MARKER: &str = "MARKER-s3cr3t-value";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A path under the system temp directory that no other test (or test run) uses.
fn unique_path(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!(
        "trivoreid-config-test-{}-{}-{nanos}-{tag}.properties",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    ))
}

/// A temporary file, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, contents: impl AsRef<[u8]>) -> TempFile {
        let path = unique_path(tag);
        std::fs::write(&path, contents).expect("write temp file");
        TempFile(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn parse(text: &str) -> Properties {
    Properties::parse(text)
}

fn entries(props: &Properties) -> Vec<(String, String)> {
    props
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The error of `result`, checking that neither its `Display` nor its `Debug` leaks `MARKER`.
fn err(result: Result<Config, SdkError>) -> SdkError {
    let error = match result {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(error) => error,
    };
    let display = error.to_string();
    let debug = format!("{error:?}");
    assert!(!display.contains(MARKER), "secret in Display: {display}");
    assert!(!debug.contains(MARKER), "secret in Debug: {debug}");
    error
}

fn assert_invalid(result: Result<Config, SdkError>, expected_key: &str) -> String {
    let error = err(result);
    let display = error.to_string();
    match &error {
        SdkError::InvalidConfig { key, reason } => {
            assert_eq!(*key, expected_key, "{display}");
            assert!(display.contains(expected_key), "{display}");
            reason.clone()
        }
        other => panic!("expected InvalidConfig for {expected_key}, got {other:?}"),
    }
}

fn assert_incomplete(result: Result<Config, SdkError>, present_key: &str, missing_key: &str) {
    let error = err(result);
    let display = error.to_string();
    match &error {
        SdkError::IncompleteCredentials { present, missing } => {
            assert_eq!(
                (*present, *missing),
                (present_key, missing_key),
                "{display}"
            );
            assert!(display.contains(present_key), "{display}");
            assert!(display.contains(missing_key), "{display}");
        }
        other => panic!("expected IncompleteCredentials, got {other:?}"),
    }
}

fn assert_properties_file_error(error: SdkError, expected_path: &Path) -> io::ErrorKind {
    let display = error.to_string();
    assert!(
        display.contains(&expected_path.display().to_string()),
        "path not named: {display}"
    );
    match error {
        SdkError::PropertiesFile { path, source } => {
            assert_eq!(path, expected_path);
            source.kind()
        }
        other => panic!("expected PropertiesFile, got {other:?}"),
    }
}

fn minimal() -> ConfigBuilder {
    Config::builder().server("https://id.example.com")
}

// ---------------------------------------------------------------------------------------------
// Properties syntax
// ---------------------------------------------------------------------------------------------

#[test]
fn comments_start_with_hash_or_bang() {
    let props = parse(
        "# service.address=https://commented.example\n\
         ! mgmtapi.id=commented\n\
         \x20  # indented comment\n\
         \t! tab-indented comment\n\
         #no-space=comment\n\
         # a comment ending in a backslash does not continue \\\n\
         k=v # not a comment\n\
         k2=v2 ! nor this\n",
    );
    assert_eq!(
        entries(&props),
        [
            ("k".to_owned(), "v # not a comment".to_owned()),
            ("k2".to_owned(), "v2 ! nor this".to_owned()),
        ]
    );
    assert_eq!(props.get("service.address"), None);
    assert_eq!(props.get("# service.address"), None);
}

#[test]
fn equals_colon_and_whitespace_separate_key_and_value() {
    let props =
        parse("a=1\nb:2\nc 3\nd\t4\ne\x0c5\nf = 6\ng : 7\nh  =  8\ni\t:\t9\nj \n  k\nl=\nm:\n");
    let expected = [
        ("a", "1"),
        ("b", "2"),
        ("c", "3"),
        ("d", "4"),
        ("e", "5"),
        ("f", "6"),
        ("g", "7"),
        ("h", "8"),
        ("i", "9"),
        ("j", ""),
        ("k", ""),
        ("l", ""),
        ("m", ""),
    ];
    for (key, value) in expected {
        assert_eq!(props.get(key), Some(value), "key {key}");
    }
    assert_eq!(props.len(), expected.len());
}

#[test]
fn only_the_first_separator_counts() {
    let props = parse("a==v\nb = = v\nc::v\nd :=v\ne v=w\nf x:y\n");
    assert_eq!(props.get("a"), Some("=v"));
    assert_eq!(props.get("b"), Some("= v"));
    assert_eq!(props.get("c"), Some(":v"));
    assert_eq!(props.get("d"), Some("=v"));
    assert_eq!(props.get("e"), Some("v=w"));
    assert_eq!(props.get("f"), Some("x:y"));
}

#[test]
fn values_keep_equals_signs_and_colons() {
    let props = parse(
        "key=a=b==\n\
         mgmtapi.secret=c2VjcmV0IHdpdGggcGFkZGluZw==\n\
         service.address: https://id.example.com:8443/x\n\
         k = a: b = c\n",
    );
    assert_eq!(props.get("key"), Some("a=b=="));
    assert_eq!(
        props.get("mgmtapi.secret"),
        Some("c2VjcmV0IHdpdGggcGFkZGluZw==")
    );
    assert_eq!(
        props.get("service.address"),
        Some("https://id.example.com:8443/x")
    );
    assert_eq!(props.get("k"), Some("a: b = c"));
}

#[test]
fn whitespace_is_trimmed_around_keys_and_values() {
    let props = parse(
        "   key   =   value with inner  spaces  \t\x0c\n\
         \t tabbed\t=\tv\t\n\
         escaped.trailing = v\\ \n\
         escaped.tab = v\\t \n\
         escaped.leading = \\  v\n\
         nbsp = v\u{a0}\n",
    );
    assert_eq!(props.get("key"), Some("value with inner  spaces"));
    assert_eq!(props.get("tabbed"), Some("v"));
    // Escaped whitespace is kept: only unescaped trailing whitespace is removed.
    assert_eq!(props.get("escaped.trailing"), Some("v "));
    assert_eq!(props.get("escaped.tab"), Some("v\t"));
    assert_eq!(props.get("escaped.leading"), Some("  v"));
    // Copy-pasted non-breaking spaces at the end are whitespace too.
    assert_eq!(props.get("nbsp"), Some("v"));
}

#[test]
fn backslash_escapes() {
    let props = parse(
        "controls=a\\tb\\nc\\rd\\fe\n\
         backslash=C:\\\\dir\\\\file\n\
         a\\=b=c\n\
         a\\:b:c\n\
         a\\ b c\n\
         \\#not-a-comment=1\n\
         \\!not-a-comment=2\n\
         other=\\q\\z\\\"\\'\n\
         seps=\\=\\:\\#\\!\n",
    );
    assert_eq!(props.get("controls"), Some("a\tb\nc\rd\x0ce"));
    assert_eq!(props.get("backslash"), Some("C:\\dir\\file"));
    assert_eq!(props.get("a=b"), Some("c"));
    assert_eq!(props.get("a:b"), Some("c"));
    assert_eq!(props.get("a b"), Some("c"));
    assert_eq!(props.get("#not-a-comment"), Some("1"));
    assert_eq!(props.get("!not-a-comment"), Some("2"));
    // Any other escaped character stands for itself, as in Java.
    assert_eq!(props.get("other"), Some("qz\"'"));
    assert_eq!(props.get("seps"), Some("=:#!"));
}

#[test]
fn unicode_escapes() {
    let props = parse(
        "latin=\\u00e4\\u00C4\\u20AC\n\
         \\u006bey=escaped key\n\
         emoji=\\uD83D\\uDE00\n\
         nul=a\\u0000b\n\
         raw=ä€😀\n",
    );
    assert_eq!(props.get("latin"), Some("äÄ€"));
    assert_eq!(props.get("key"), Some("escaped key"));
    assert_eq!(props.get("emoji"), Some("😀"));
    assert_eq!(props.get("nul"), Some("a\0b"));
    assert_eq!(props.get("raw"), Some("ä€😀"));
}

#[test]
fn invalid_unicode_escapes_are_kept_literally() {
    let props = parse(
        "short=\\u12\n\
         empty=\\u\n\
         not.hex=\\uZZZZ!\n\
         lone.high=\\uD83D\n\
         lone.low=\\uDE00x\n\
         high.then.other=\\uD83D\\u0041\n\
         at.end=x\\u00e\n",
    );
    assert_eq!(props.get("short"), Some("\\u12"));
    assert_eq!(props.get("empty"), Some("\\u"));
    assert_eq!(props.get("not.hex"), Some("\\uZZZZ!"));
    assert_eq!(props.get("lone.high"), Some("\\uD83D"));
    assert_eq!(props.get("lone.low"), Some("\\uDE00x"));
    assert_eq!(props.get("high.then.other"), Some("\\uD83DA"));
    assert_eq!(props.get("at.end"), Some("x\\u00e"));
}

#[test]
fn continuation_lines() {
    let props = parse(
        "joined = first \\\n        second \\\n\tthird\n\
         no.spaces=a\\\n  b\\\n  c\n\
         even=a\\\\\n\
         next=1\n\
         hash=a\\\n  #b\n\
         ke\\\n  y=split key\n\
         blank=a\\\n\n\
         after.blank=2\n\
         at.eof=end\\",
    );
    assert_eq!(props.get("joined"), Some("first second third"));
    assert_eq!(props.get("no.spaces"), Some("abc"));
    // An even number of backslashes is an escaped backslash, not a continuation.
    assert_eq!(props.get("even"), Some("a\\"));
    assert_eq!(props.get("next"), Some("1"));
    // A `#` on a continuation line is not a comment.
    assert_eq!(props.get("hash"), Some("a#b"));
    assert_eq!(props.get("key"), Some("split key"));
    assert_eq!(props.get("blank"), Some("a"));
    assert_eq!(props.get("after.blank"), Some("2"));
    assert_eq!(props.get("at.eof"), Some("end"));
    assert_eq!(props.len(), 9);

    // As in Java 9+, a continuation of an empty line is still at the start of the logical line,
    // where `#` starts a comment.
    let props = parse("\\\n# comment\nk=v\n");
    assert_eq!(entries(&props), [("k".to_owned(), "v".to_owned())]);
}

#[test]
fn crlf_cr_and_lf_line_endings() {
    let props = parse("a=1\r\nb=2\rc=3\nd=4\r\n\r\n\re=5\r\ncont=x\\\r\n   y\r\nlast=6");
    assert_eq!(
        entries(&props),
        [
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("e", "5"),
            ("cont", "xy"),
            ("last", "6"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert!(props.iter().all(|(_, v)| !v.contains('\r')));
}

#[test]
fn byte_order_mark_is_ignored() {
    let props = parse("\u{feff}service.address=https://id.example.com\n");
    assert_eq!(props.get("service.address"), Some("https://id.example.com"));
    assert_eq!(props.len(), 1);

    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(b"# comment\r\nservice.address=https://id.example.com\r\n");
    let file = TempFile::new("bom", bytes);
    let config = Config::from_properties_file(file.path()).expect("config");
    assert_eq!(config.server().as_str(), "https://id.example.com/");
}

#[test]
fn last_duplicate_wins() {
    let props = parse("k=1\nj=2\nk=3\nk : 4\n");
    assert_eq!(props.get("k"), Some("4"));
    assert_eq!(props.len(), 2);
    // Keys keep the position of their first appearance.
    let keys: Vec<&str> = props.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["k", "j"]);
}

#[test]
fn empty_and_comment_only_input() {
    for text in ["", "\n\n", "   \t\r\n", "# only\n! comments", "\u{feff}"] {
        let props = parse(text);
        assert!(props.is_empty(), "{text:?}: {props:?}");
        assert_eq!(props.len(), 0);
        assert_eq!(props.iter().count(), 0);
    }
    assert!(Properties::default().is_empty());
}

#[test]
fn keys_are_case_sensitive() {
    let props = parse("Service.Address=x\n");
    assert_eq!(props.get("service.address"), None);
    assert_eq!(props.get("Service.Address"), Some("x"));
}

/// Every input the reference SDK's `key=value` splitting silently drops or mangles.
#[test]
fn inputs_the_reference_sdk_gets_wrong() {
    let text = "\
# Trivore ID configuration
# service.address=https://commented-out.example.com
 service.address = https://id.example.com/ \n\
mgmtapi.id:management-client
mgmtapi.secret = c2VjcmV0IHdpdGggcGFkZGluZw==
oidc.client.id  oidc-client
oidc.client.secret=abc=def==
oidc.client.redirect.uri = https://app.example.com/cb?x=1
";
    let props = parse(text);
    // `=` inside values (base64 padding): the reference drops these lines.
    assert_eq!(
        props.get(keys::MGMTAPI_SECRET),
        Some("c2VjcmV0IHdpdGggcGFkZGluZw==")
    );
    assert_eq!(props.get(keys::OIDC_CLIENT_SECRET), Some("abc=def=="));
    assert_eq!(
        props.get(keys::OIDC_CLIENT_REDIRECT_URI),
        Some("https://app.example.com/cb?x=1")
    );
    // ` k = v `: the reference keeps the spaces in both key and value.
    assert_eq!(
        props.get(keys::SERVICE_ADDRESS),
        Some("https://id.example.com/")
    );
    // `# a=b` is a comment, not the key `# a`.
    assert!(props.iter().all(|(k, _)| !k.starts_with('#')));
    // `key:value` and `key value`: the reference drops these lines (no `=`).
    assert_eq!(props.get(keys::MGMTAPI_ID), Some("management-client"));
    assert_eq!(props.get(keys::OIDC_CLIENT_ID), Some("oidc-client"));
    assert_eq!(props.len(), 6);

    let config = Config::from_properties(&props).expect("config");
    assert_eq!(config.server().as_str(), "https://id.example.com/");
    let (id, secret) = config.management_api().expect("management api");
    assert_eq!(id, "management-client");
    assert_eq!(secret.expose(), "c2VjcmV0IHdpdGggcGFkZGluZw==");
    assert_eq!(config.oidc_client_id(), Some("oidc-client"));
    assert_eq!(
        config.oidc_client_secret().map(Secret::expose),
        Some("abc=def==")
    );
}

/// A trailing space copied into a secret (kept by Java and the reference SDK) is removed.
#[test]
fn trailing_whitespace_of_secrets_is_removed() {
    let props = parse("mgmtapi.id=id \nmgmtapi.secret=s3cr3t  \t\nservice.address=https://h\n");
    let config = Config::from_properties(&props).expect("config");
    let (id, secret) = config.management_api().expect("management api");
    assert_eq!(id, "id");
    assert_eq!(secret.expose(), "s3cr3t");
}

/// A tiny deterministic pseudo-random generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn parsing_arbitrary_input_never_panics() {
    let mut rng = Lcg(0x5eed);
    // Random bytes, read as (lossy) UTF-8.
    for _ in 0..3_000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let props = parse(&text);
        assert!(props.len() <= text.len());
    }
    // Random strings over the characters that matter to the parser, to reach the corner cases.
    const PIECES: [&str; 24] = [
        "\\", "\\", "u", "U", "D83D", "DE00", "0", "a", "F", "=", ":", " ", "\t", "\x0c", "\n",
        "\r", "\r\n", "#", "!", "\u{feff}", "ä", "😀", "\\u", "k",
    ];
    for _ in 0..20_000 {
        let pieces = rng.below(40);
        let text: String = (0..pieces)
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect();
        let props = parse(&text);
        for (key, value) in props.iter() {
            assert_eq!(props.get(key), Some(value));
            // Only an escaped space can end a value.
            assert!(
                !value.ends_with(' ') || text.contains("\\ "),
                "{text:?} gave {value:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading files
// ---------------------------------------------------------------------------------------------

#[test]
fn load_reads_a_file() {
    let file = TempFile::new(
        "load",
        "service.address=https://id.example.com/idp/\nmgmtapi.id=id\nmgmtapi.secret=c2VjcmV0==\n",
    );
    let props = Properties::load(file.path()).expect("load");
    assert_eq!(props.get(keys::MGMTAPI_SECRET), Some("c2VjcmV0=="));

    let config = Config::from_properties_file(file.path()).expect("config");
    assert_eq!(config.api_base(), "https://id.example.com/idp/api/rest/v1");
    assert_eq!(
        config.management_api().map(|(id, s)| (id, s.expose())),
        Some(("id", "c2VjcmV0=="))
    );

    let built = Config::builder()
        .properties_file(file.path())
        .build()
        .expect("builder");
    assert_eq!(built.api_base(), config.api_base());
}

#[test]
fn missing_file_is_an_error_naming_the_path() {
    let path = unique_path("missing");
    assert!(!path.exists());

    let kind = assert_properties_file_error(Properties::load(&path).unwrap_err(), &path);
    assert_eq!(kind, io::ErrorKind::NotFound);

    let kind = assert_properties_file_error(err(Config::from_properties_file(&path)), &path);
    assert_eq!(kind, io::ErrorKind::NotFound);

    // The builder reads the file in `build()`, whatever else is set.
    let kind = assert_properties_file_error(err(minimal().properties_file(&path).build()), &path);
    assert_eq!(kind, io::ErrorKind::NotFound);
}

#[test]
fn directory_is_an_error_naming_the_path() {
    let dir = std::env::temp_dir();
    let kind = assert_properties_file_error(Properties::load(&dir).unwrap_err(), &dir);
    assert_ne!(kind, io::ErrorKind::NotFound);
    assert_properties_file_error(err(Config::from_properties_file(&dir)), &dir);
}

#[test]
fn non_utf8_file_is_an_error_naming_the_path() {
    // ISO-8859-1 `ä` (0xE4) is not valid UTF-8.
    let file = TempFile::new("latin1", b"service.address=https://h\nk=\xE4\n");
    let error = Properties::load(file.path()).unwrap_err();
    let display = error.to_string();
    assert!(display.contains("UTF-8"), "{display}");
    let kind = assert_properties_file_error(error, file.path());
    assert_eq!(kind, io::ErrorKind::InvalidData);

    let kind =
        assert_properties_file_error(err(Config::from_properties_file(file.path())), file.path());
    assert_eq!(kind, io::ErrorKind::InvalidData);
}

/// Restores an environment variable when dropped, even if the test panics.
struct EnvRestore {
    name: &'static str,
    old: Option<std::ffi::OsString>,
}

impl EnvRestore {
    fn set(&self, value: impl AsRef<std::ffi::OsStr>) {
        // SAFETY: this is the only test in this binary that touches the environment; the other
        // tests only read it through `std::env` (serialised with this write by std's lock) and
        // do not call C code that reads it.
        unsafe { std::env::set_var(self.name, value) };
    }

    fn remove(&self) {
        // SAFETY: as in `set`.
        unsafe { std::env::remove_var(self.name) };
    }
}

impl Drop for EnvRestore {
    fn drop(&mut self) {
        match self.old.take() {
            Some(value) => self.set(value),
            None => self.remove(),
        }
    }
}

/// All assertions that depend on `TRIVOREID_PROPERTIES` (process-global state) are here.
#[test]
fn environment_variable_selects_the_properties_file() {
    assert_eq!(PROPERTIES_ENV, "TRIVOREID_PROPERTIES");
    assert_eq!(
        DEFAULT_PROPERTIES_PATH,
        "/etc/trivoreid/client_sdk.properties"
    );
    let env = EnvRestore {
        name: PROPERTIES_ENV,
        old: std::env::var_os(PROPERTIES_ENV),
    };

    // Set: that file is used.
    let file = TempFile::new(
        "env",
        format!(
            "service.address=https://from-env.example.com\nmgmtapi.id=env-id\nmgmtapi.secret={MARKER}\n"
        ),
    );
    env.set(file.path());
    assert_eq!(default_properties_path(), file.path());
    let config = Config::from_default_properties().expect("config from env file");
    assert_eq!(config.server().host_str(), Some("from-env.example.com"));
    assert_eq!(config.management_api().map(|(id, _)| id), Some("env-id"));
    // The builder reads it too, and its own values win.
    let built = Config::builder()
        .default_properties()
        .server("https://explicit.example.com")
        .build()
        .expect("builder with env file");
    assert_eq!(built.server().host_str(), Some("explicit.example.com"));
    assert_eq!(
        built.management_api().map(|(id, s)| (id, s.expose())),
        Some(("env-id", MARKER))
    );

    // Set to a missing file: an error naming that file, also for the builder (a file named
    // explicitly must exist).
    let missing = unique_path("env-missing");
    env.set(&missing);
    let kind = assert_properties_file_error(err(Config::from_default_properties()), &missing);
    assert_eq!(kind, io::ErrorKind::NotFound);
    assert_properties_file_error(err(minimal().default_properties().build()), &missing);

    // Empty or unset: the default path.
    let default_exists = Path::new(DEFAULT_PROPERTIES_PATH).exists();
    for unset in [true, false] {
        if unset {
            env.remove();
        } else {
            env.set("");
        }
        assert_eq!(
            default_properties_path(),
            Path::new(DEFAULT_PROPERTIES_PATH)
        );
        if !default_exists {
            let kind = assert_properties_file_error(
                err(Config::from_default_properties()),
                Path::new(DEFAULT_PROPERTIES_PATH),
            );
            assert_eq!(kind, io::ErrorKind::NotFound);
            // For the builder, a missing default file is fine...
            let config = minimal()
                .default_properties()
                .build()
                .expect("optional default");
            assert_eq!(config.server().host_str(), Some("id.example.com"));
            // ...but then the builder must provide what is required.
            assert!(matches!(
                err(Config::builder().default_properties().build()),
                SdkError::MissingConfig {
                    key: "service.address"
                }
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Builder and properties precedence
// ---------------------------------------------------------------------------------------------

const FULL_FILE: &str = "\
service.address=https://file.example.com
mgmtapi.id=file-mgmt-id
mgmtapi.secret=file-mgmt-secret
oidc.client.id=file-oidc-id
oidc.client.secret=file-oidc-secret
oidc.client.redirect.uri=https://file.example.com/cb
password.grant.username=file-user
password.grant.password=file-password
";

#[test]
fn file_values_are_used_when_the_builder_has_none() {
    let file = TempFile::new("full", FULL_FILE);
    let config = Config::builder()
        .properties_file(file.path())
        .build()
        .expect("config");
    assert_eq!(config.server().as_str(), "https://file.example.com/");
    assert_eq!(
        config.management_api().map(|(id, s)| (id, s.expose())),
        Some(("file-mgmt-id", "file-mgmt-secret"))
    );
    assert_eq!(config.oidc_client_id(), Some("file-oidc-id"));
    assert_eq!(
        config.oidc_client_secret().map(Secret::expose),
        Some("file-oidc-secret")
    );
    assert_eq!(
        config.oidc_redirect_uri().map(|u| u.as_str()),
        Some("https://file.example.com/cb")
    );
    assert_eq!(
        config.password_grant().map(|(u, p)| (u, p.expose())),
        Some(("file-user", "file-password"))
    );
    assert!(config.access_token().is_none());
    assert_eq!(config.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(config.timeout(), DEFAULT_TIMEOUT);
}

#[test]
fn builder_values_override_the_file_regardless_of_call_order() {
    let file = TempFile::new("override", FULL_FILE);
    let set_values = |builder: ConfigBuilder| {
        builder
            .server("https://builder.example.com")
            .management_api("builder-mgmt-id", "builder-mgmt-secret")
            .oidc_client("builder-oidc-id", "builder-oidc-secret")
            .oidc_redirect_uri("https://builder.example.com/cb")
            .password_grant("builder-user", "builder-password")
    };
    let file_first = set_values(Config::builder().properties_file(file.path()));
    let file_last = set_values(Config::builder()).properties_file(file.path());
    let parsed_last = set_values(Config::builder()).properties(parse(FULL_FILE));
    for builder in [file_first, file_last, parsed_last] {
        let config = builder.build().expect("config");
        assert_eq!(config.server().as_str(), "https://builder.example.com/");
        assert_eq!(
            config.management_api().map(|(id, s)| (id, s.expose())),
            Some(("builder-mgmt-id", "builder-mgmt-secret"))
        );
        assert_eq!(config.oidc_client_id(), Some("builder-oidc-id"));
        assert_eq!(
            config.oidc_client_secret().map(Secret::expose),
            Some("builder-oidc-secret")
        );
        assert_eq!(
            config.oidc_redirect_uri().map(|u| u.as_str()),
            Some("https://builder.example.com/cb")
        );
        assert_eq!(
            config.password_grant().map(|(u, p)| (u, p.expose())),
            Some(("builder-user", "builder-password"))
        );
    }

    // Only some values set on the builder: the rest still come from the file.
    let partial = Config::builder()
        .server("https://builder.example.com")
        .properties_file(file.path())
        .build()
        .expect("config");
    assert_eq!(partial.server().host_str(), Some("builder.example.com"));
    assert_eq!(
        partial.management_api().map(|(id, _)| id),
        Some("file-mgmt-id")
    );
}

#[test]
fn credential_pairs_are_never_mixed_between_builder_and_file() {
    // A public client set on the builder does not pick up the file's client secret.
    let config = Config::builder()
        .properties(parse(FULL_FILE))
        .oidc_client_id("builder-public")
        .build()
        .expect("config");
    assert_eq!(config.oidc_client_id(), Some("builder-public"));
    assert!(config.oidc_client_secret().is_none());

    // Half a pair on the builder is an error, not completed from the file.
    let result = Config::builder()
        .properties(parse(FULL_FILE))
        .management_api("builder-id", "")
        .build();
    assert_incomplete(result, keys::MGMTAPI_ID, keys::MGMTAPI_SECRET);
}

#[test]
fn later_setters_replace_earlier_ones() {
    let config = minimal()
        .server("https://second.example.com")
        .oidc_client("id", "secret")
        .oidc_client_id("public")
        .timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(6))
        .build()
        .expect("config");
    assert_eq!(config.server().host_str(), Some("second.example.com"));
    assert_eq!(config.oidc_client_id(), Some("public"));
    assert!(config.oidc_client_secret().is_none());
    assert_eq!(config.timeout(), Duration::from_secs(6));

    // The last properties source wins: a missing file given first is not read.
    let config = Config::builder()
        .properties_file(unique_path("replaced"))
        .properties(parse("service.address=https://parsed.example.com"))
        .build()
        .expect("config");
    assert_eq!(config.server().host_str(), Some("parsed.example.com"));
}

#[test]
fn blank_values_count_as_absent() {
    // Blank file values: no credentials, no error.
    let props = parse(
        "service.address=https://h\nmgmtapi.id=\nmgmtapi.secret=   \noidc.client.secret=\\\n  \n\
         password.grant.username=\npassword.grant.password=\noidc.client.redirect.uri=\n",
    );
    let config = Config::from_properties(&props).expect("config");
    assert!(config.management_api().is_none());
    assert!(config.oidc_client_id().is_none());
    assert!(config.oidc_client_secret().is_none());
    assert!(config.oidc_redirect_uri().is_none());
    assert!(config.password_grant().is_none());

    // Blank builder values fall back to the file.
    let config = Config::builder()
        .properties(parse(FULL_FILE))
        .server("  ")
        .management_api(" ", "")
        .access_token(" \t")
        .build()
        .expect("config");
    assert_eq!(config.server().host_str(), Some("file.example.com"));
    assert_eq!(
        config.management_api().map(|(id, _)| id),
        Some("file-mgmt-id")
    );
    assert!(config.access_token().is_none());

    // A blank service address is missing.
    assert!(matches!(
        err(Config::builder().server(" \t ").build()),
        SdkError::MissingConfig {
            key: "service.address"
        }
    ));
}

#[test]
fn ids_and_urls_are_trimmed_secrets_are_not() {
    let config = Config::builder()
        .server("  https://id.example.com  ")
        .management_api("  id  ", " secret with spaces ")
        .password_grant(" user ", " pass ")
        .access_token(" token ")
        .build()
        .expect("config");
    assert_eq!(config.server().as_str(), "https://id.example.com/");
    let (id, secret) = config.management_api().expect("management api");
    assert_eq!(id, "id");
    assert_eq!(secret.expose(), " secret with spaces ");
    assert_eq!(
        config.password_grant().map(|(u, p)| (u, p.expose())),
        Some(("user", " pass "))
    );
    assert_eq!(config.access_token().map(Secret::expose), Some(" token "));
}

#[test]
fn getters_return_what_was_set() {
    let config = Config::builder()
        .server("https://id.example.com")
        .management_api("mgmt-id", "mgmt-secret")
        .access_token("token")
        .oidc_client("oidc-id", "oidc-secret")
        .oidc_redirect_uri("https://app.example.com/cb")
        .password_grant("user", "password")
        .connect_timeout(Duration::from_millis(1500))
        .timeout(Duration::from_secs(90))
        .build()
        .expect("config");
    let cloned = config.clone();
    for config in [config, cloned] {
        assert_eq!(config.server().as_str(), "https://id.example.com/");
        assert_eq!(
            config.management_api().map(|(i, s)| (i, s.expose())),
            Some(("mgmt-id", "mgmt-secret"))
        );
        assert_eq!(config.access_token(), Some(&Secret::new("token")));
        assert_eq!(config.oidc_client_id(), Some("oidc-id"));
        assert_eq!(
            config.oidc_client_secret().map(Secret::expose),
            Some("oidc-secret")
        );
        assert_eq!(
            config.oidc_redirect_uri().map(|u| u.as_str()),
            Some("https://app.example.com/cb")
        );
        assert_eq!(
            config.password_grant().map(|(u, p)| (u, p.expose())),
            Some(("user", "password"))
        );
        assert_eq!(config.connect_timeout(), Duration::from_millis(1500));
        assert_eq!(config.timeout(), Duration::from_secs(90));
    }
}

#[test]
fn key_constants_match_the_reference_sdk() {
    assert_eq!(keys::SERVICE_ADDRESS, "service.address");
    assert_eq!(keys::MGMTAPI_ID, "mgmtapi.id");
    assert_eq!(keys::MGMTAPI_SECRET, "mgmtapi.secret");
    assert_eq!(keys::OIDC_CLIENT_ID, "oidc.client.id");
    assert_eq!(keys::OIDC_CLIENT_SECRET, "oidc.client.secret");
    assert_eq!(keys::OIDC_CLIENT_REDIRECT_URI, "oidc.client.redirect.uri");
    assert_eq!(keys::PASSWORD_GRANT_USERNAME, "password.grant.username");
    assert_eq!(keys::PASSWORD_GRANT_PASSWORD, "password.grant.password");
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_service_address() {
    let error = err(Config::builder().management_api("id", MARKER).build());
    assert!(matches!(
        error,
        SdkError::MissingConfig {
            key: "service.address"
        }
    ));
    assert!(error.to_string().contains("service.address"));

    let error = err(Config::from_properties(&parse(&format!(
        "mgmtapi.id=id\nmgmtapi.secret={MARKER}\n"
    ))));
    assert!(matches!(
        error,
        SdkError::MissingConfig {
            key: "service.address"
        }
    ));
}

#[test]
fn invalid_service_addresses() {
    let cases = [
        "not a url",
        "id.example.com",
        "id.example.com/path",
        "//id.example.com",
        "ftp://id.example.com",
        "file:///etc/passwd",
        "mailto:admin@example.com",
        "http://",
        "https://exa mple.com",
        "https://id.example.com:99999",
        "https://id.example.com/?q=1",
        "https://id.example.com?",
        "https://id.example.com/#fragment",
        "https://id.example.com#",
    ];
    for raw in cases {
        let reason = assert_invalid(minimal().server(raw).build(), keys::SERVICE_ADDRESS);
        assert!(!reason.is_empty(), "{raw}");
        // Also from a file.
        let props = parse(&format!("service.address={raw}"));
        assert_invalid(Config::from_properties(&props), keys::SERVICE_ADDRESS);
    }
    let reason = assert_invalid(minimal().server("ftp://h").build(), keys::SERVICE_ADDRESS);
    assert!(reason.contains("http"), "{reason}");
}

#[test]
fn credentials_never_go_in_the_service_address() {
    for raw in [
        format!("https://user:{MARKER}@id.example.com"),
        format!("https://{MARKER}@id.example.com/"),
        format!("https://{MARKER}:@id.example.com/"),
    ] {
        let reason = assert_invalid(minimal().server(&raw).build(), keys::SERVICE_ADDRESS);
        assert!(reason.contains("credentials never go in a URL"), "{reason}");
    }
}

#[test]
fn invalid_redirect_uris() {
    for raw in [
        "not a url".to_owned(),
        "/callback".to_owned(),
        "app.example.com/cb".to_owned(),
        "https://app.example.com/cb#fragment".to_owned(),
        format!("https://user:{MARKER}@app.example.com/cb"),
    ] {
        assert_invalid(
            minimal().oidc_redirect_uri(&raw).build(),
            keys::OIDC_CLIENT_REDIRECT_URI,
        );
        let props = parse(&format!(
            "service.address=https://h\noidc.client.redirect.uri={raw}"
        ));
        assert_invalid(
            Config::from_properties(&props),
            keys::OIDC_CLIENT_REDIRECT_URI,
        );
    }
    // Custom schemes (native apps) and loopback URIs with a query are fine.
    for raw in [
        "com.example.app:/oauth2redirect",
        "http://127.0.0.1:8080/cb?state=x",
    ] {
        let config = minimal().oidc_redirect_uri(raw).build().expect(raw);
        assert_eq!(config.oidc_redirect_uri().map(|u| u.as_str()), Some(raw));
    }
}

#[test]
fn incomplete_credential_pairs() {
    let file =
        |text: &str| Config::from_properties(&parse(&format!("service.address=https://h\n{text}")));
    assert_incomplete(
        file("mgmtapi.id=id"),
        keys::MGMTAPI_ID,
        keys::MGMTAPI_SECRET,
    );
    assert_incomplete(
        file(&format!("mgmtapi.secret={MARKER}")),
        keys::MGMTAPI_SECRET,
        keys::MGMTAPI_ID,
    );
    assert_incomplete(
        file("password.grant.username=user"),
        keys::PASSWORD_GRANT_USERNAME,
        keys::PASSWORD_GRANT_PASSWORD,
    );
    assert_incomplete(
        file(&format!("password.grant.password={MARKER}")),
        keys::PASSWORD_GRANT_PASSWORD,
        keys::PASSWORD_GRANT_USERNAME,
    );
    assert_incomplete(
        file(&format!("oidc.client.secret={MARKER}")),
        keys::OIDC_CLIENT_SECRET,
        keys::OIDC_CLIENT_ID,
    );

    assert_incomplete(
        minimal().management_api("id", " ").build(),
        keys::MGMTAPI_ID,
        keys::MGMTAPI_SECRET,
    );
    assert_incomplete(
        minimal().management_api("", MARKER).build(),
        keys::MGMTAPI_SECRET,
        keys::MGMTAPI_ID,
    );
    assert_incomplete(
        minimal().password_grant("user", "").build(),
        keys::PASSWORD_GRANT_USERNAME,
        keys::PASSWORD_GRANT_PASSWORD,
    );
    assert_incomplete(
        minimal().password_grant("", MARKER).build(),
        keys::PASSWORD_GRANT_PASSWORD,
        keys::PASSWORD_GRANT_USERNAME,
    );
    assert_incomplete(
        minimal().oidc_client("", MARKER).build(),
        keys::OIDC_CLIENT_SECRET,
        keys::OIDC_CLIENT_ID,
    );

    // An OIDC client id alone is a public client.
    let config = file("oidc.client.id=public").expect("public client from file");
    assert_eq!(config.oidc_client_id(), Some("public"));
    assert!(config.oidc_client_secret().is_none());
    let config = minimal()
        .oidc_client("public", "")
        .build()
        .expect("public client");
    assert_eq!(config.oidc_client_id(), Some("public"));
    assert!(config.oidc_client_secret().is_none());
}

#[test]
fn zero_timeouts_are_invalid() {
    let reason = assert_invalid(
        minimal().connect_timeout(Duration::ZERO).build(),
        "connect_timeout",
    );
    assert!(reason.contains("zero"), "{reason}");
    assert_invalid(minimal().timeout(Duration::ZERO).build(), "timeout");
    assert_eq!(keys::CONNECT_TIMEOUT, "connect_timeout");
    assert_eq!(keys::TIMEOUT, "timeout");

    let config = minimal()
        .connect_timeout(Duration::from_nanos(1))
        .build()
        .expect("tiny but positive");
    assert_eq!(config.connect_timeout(), Duration::from_nanos(1));
    assert_eq!(config.timeout(), DEFAULT_TIMEOUT);
}

// ---------------------------------------------------------------------------------------------
// Service address normalisation
// ---------------------------------------------------------------------------------------------

#[test]
fn api_base_handles_trailing_slashes_and_path_prefixes() {
    let cases = [
        (
            "https://id.example.com",
            "https://id.example.com/api/rest/v1",
        ),
        (
            "https://id.example.com/",
            "https://id.example.com/api/rest/v1",
        ),
        (
            "https://id.example.com//",
            "https://id.example.com/api/rest/v1",
        ),
        (
            "https://id.example.com/idp",
            "https://id.example.com/idp/api/rest/v1",
        ),
        (
            "https://id.example.com/idp/",
            "https://id.example.com/idp/api/rest/v1",
        ),
        (
            "https://id.example.com/idp//",
            "https://id.example.com/idp/api/rest/v1",
        ),
        (
            "https://id.example.com/a/b/",
            "https://id.example.com/a/b/api/rest/v1",
        ),
        ("http://localhost:8080", "http://localhost:8080/api/rest/v1"),
        (
            "https://id.example.com:443/",
            "https://id.example.com/api/rest/v1",
        ),
        (
            "HTTPS://ID.Example.COM/",
            "https://id.example.com/api/rest/v1",
        ),
        ("http://[::1]:8080/x/", "http://[::1]:8080/x/api/rest/v1"),
    ];
    for (server, expected) in cases {
        let config = Config::builder().server(server).build().expect(server);
        assert_eq!(config.api_base(), expected, "{server}");
        let path = config.server().path();
        assert!(path == "/" || !path.ends_with('/'), "{server}: {path}");
    }
    let config = Config::builder()
        .server("https://id.example.com/idp/")
        .build()
        .expect("config");
    assert_eq!(config.server().as_str(), "https://id.example.com/idp");
}

// ---------------------------------------------------------------------------------------------
// Debug output never contains secrets
// ---------------------------------------------------------------------------------------------

#[test]
fn config_debug_redacts_secrets() {
    let config = Config::builder()
        .server("https://id.example.com/idp/")
        .management_api("mgmt-id", format!("{MARKER}-mgmt"))
        .access_token(format!("{MARKER}-token"))
        .oidc_client("oidc-id", format!("{MARKER}-oidc"))
        .oidc_redirect_uri("https://app.example.com/cb")
        .password_grant("the-user", format!("{MARKER}-password"))
        .connect_timeout(Duration::from_secs(3))
        .build()
        .expect("config");
    for debug in [format!("{config:?}"), format!("{config:#?}")] {
        assert!(!debug.contains(MARKER), "secret leaked: {debug}");
        for shown in [
            "https://id.example.com/idp",
            "mgmt-id",
            "oidc-id",
            "https://app.example.com/cb",
            "the-user",
            "3s",
            "30s",
            "[redacted]",
        ] {
            assert!(debug.contains(shown), "{shown} missing from {debug}");
        }
    }
}

#[test]
fn builder_debug_redacts_secrets() {
    let builder = Config::builder()
        .server(format!(
            "https://user:{MARKER}@id.example.com/?token={MARKER}"
        ))
        .management_api("mgmt-id", MARKER)
        .access_token(MARKER)
        .oidc_client("oidc-id", MARKER)
        .oidc_redirect_uri(format!("https://{MARKER}@app.example.com/cb#{MARKER}"))
        .password_grant("the-user", MARKER)
        .properties(parse(&format!(
            "service.address=https://u:{MARKER}@h\nmgmtapi.id=file-id\nmgmtapi.secret={MARKER}\n\
             password.grant.password={MARKER}\nsomething.else={MARKER}\n"
        )));
    for debug in [format!("{builder:?}"), format!("{builder:#?}")] {
        assert!(!debug.contains(MARKER), "secret leaked: {debug}");
        for shown in [
            "id.example.com",
            "mgmt-id",
            "oidc-id",
            "the-user",
            "file-id",
            "[redacted]",
        ] {
            assert!(debug.contains(shown), "{shown} missing from {debug}");
        }
    }

    let path = unique_path("debug");
    let builder = Config::builder().properties_file(&path);
    let debug = format!("{builder:?}");
    assert!(debug.contains(&path.display().to_string()), "{debug}");

    // The builder with secrets is also safe to print after a failed build.
    let error = err(Config::builder().management_api("id", MARKER).build());
    assert!(matches!(error, SdkError::MissingConfig { .. }));
}

#[test]
fn properties_debug_redacts_secret_values() {
    let props = parse(&format!(
        "service.address=https://id.example.com\nmgmtapi.id=mgmt-id\nmgmtapi.secret={MARKER}\n\
         oidc.client.secret={MARKER}\npassword.grant.password={MARKER}\ncustom.key={MARKER}\n"
    ));
    let debug = format!("{props:?}");
    assert!(!debug.contains(MARKER), "secret leaked: {debug}");
    for shown in [
        "https://id.example.com",
        "mgmt-id",
        "mgmtapi.secret",
        "custom.key",
    ] {
        assert!(debug.contains(shown), "{shown} missing from {debug}");
    }
}
