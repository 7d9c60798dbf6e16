//! The embedded fake against a Trivore client that is not ours: the reference Python SDK
//! (PyPI `trivoreid` 2.0.10) runs `tests/python/reference_sdk.py` against a `FakeTrivoreId`
//! through a `client_sdk.properties` file, exactly as a Python user would against the real
//! service (Management API over HTTP Basic, then the OIDC password grant and a Bearer client).
//!
//! Needs `python3` with `pip`; the SDK and `requests` are installed once into a private directory
//! (`target/python-reference`, never into the system). When Python, pip or the install is not
//! available the test fails and says how to fix it: it never passes without running the SDK.

#![cfg(feature = "fake")]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use trivoreid::Filter;
use trivoreid::fake::{FakeTrivoreId, SentMessage};
use trivoreid::prelude::*;

/// The reference SDK's exact version.
const SDK: &str = "trivoreid==2.0.10";
/// How long the script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// How long installing the SDK may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// The mobile number the script sends its SMS to.
const SMS_TO: &str = "+358401234567";

/// Where the reference SDK is installed: `<target dir>/python-reference`.
fn install_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("python-reference"))
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("python-reference")
        })
}

fn how_to_install(dir: &Path) -> String {
    format!(
        "this test runs the reference Python SDK and needs Python 3 with pip \
         (e.g. `apt-get install python3 python3-pip`); the SDK is installed with \
         `python3 -m pip install --target {} {SDK} requests` (done automatically when PyPI is \
         reachable)",
        dir.display()
    )
}

/// What a finished (or killed) process printed.
struct Output {
    /// None when it was killed after the timeout.
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Output {
    fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    fn describe(&self) -> String {
        let status = match self.status {
            Some(s) => s.to_string(),
            None => "killed after the timeout".to_owned(),
        };
        format!(
            "status: {status}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Runs a command to its end, or kills it after `timeout`. Blocking: call it from
/// `spawn_blocking`.
fn run(mut command: Command, timeout: Duration) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Read both pipes while the process runs, so a chatty process cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// `python3` with the private install dir on `PYTHONPATH` and loopback never proxied.
fn python(dir: &Path) -> Command {
    let mut command = Command::new("python3");
    let no_proxy = match std::env::var("NO_PROXY").or_else(|_| std::env::var("no_proxy")) {
        Ok(existing) if !existing.is_empty() => format!("{existing},127.0.0.1,localhost"),
        _ => "127.0.0.1,localhost".to_owned(),
    };
    command
        .env("PYTHONPATH", dir)
        .env("PYTHONNOUSERSITE", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("NO_PROXY", &no_proxy)
        .env("no_proxy", &no_proxy);
    command
}

/// Is the reference SDK (this exact version) and `requests` importable from `dir`?
fn sdk_importable(dir: &Path) -> Result<bool, String> {
    let mut check = python(dir);
    check.args([
        "-c",
        "import importlib.metadata as m, requests, trivoreid; \
         assert m.version('trivoreid') == '2.0.10', m.version('trivoreid')",
    ]);
    match run(check, Duration::from_secs(60)) {
        Ok(out) => Ok(out.success()),
        Err(e) => Err(format!("cannot run python3: {e}")),
    }
}

/// Makes sure the reference SDK can be imported from `dir`, installing it there if needed.
fn ensure_sdk(dir: &Path) -> Result<(), String> {
    if sdk_importable(dir)? {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut install = python(dir);
    install
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--upgrade",
            "--target",
        ])
        .arg(dir)
        .args([SDK, "requests"]);
    let out = run(install, INSTALL_TIMEOUT).map_err(|e| format!("cannot run python3: {e}"))?;
    if !out.success() {
        return Err(format!(
            "installing {SDK} with pip failed\n{}",
            out.describe()
        ));
    }
    if !sdk_importable(dir)? {
        return Err(format!(
            "{SDK} was installed into {} but still cannot be imported",
            dir.display()
        ));
    }
    Ok(())
}

/// A file removed when dropped (the properties file holds the fake's secrets).
struct TempFile(PathBuf);

impl TempFile {
    fn write(path: PathBuf, text: &str) -> TempFile {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        std::io::Write::write_all(&mut file, text.as_bytes())
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn addresses(message: &SentMessage, field: &str) -> Vec<String> {
    message.body[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["address"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn reference_python_sdk_works_against_the_fake() {
    let fake = FakeTrivoreId::start().await;
    let properties = TempFile::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "reference_python-{}.properties",
            std::process::id()
        )),
        &fake.properties(),
    );

    let dir = install_dir();
    let install = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || ensure_sdk(&dir))
            .await
            .expect("the install task does not panic")
    };
    if let Err(e) = install {
        panic!(
            "the reference Python SDK is not available: {e}\n{}",
            how_to_install(&dir)
        );
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/reference_sdk.py");
    let mut command = python(&dir);
    command.arg(&script).arg(&properties.0);
    let out = tokio::task::spawn_blocking(move || run(command, SCRIPT_TIMEOUT))
        .await
        .expect("the script task does not panic")
        .unwrap_or_else(|e| panic!("cannot run python3: {e}\n{}", how_to_install(&dir)));
    println!("{}", out.stdout);
    if !out.stderr.trim().is_empty() {
        eprintln!("{}", out.stderr);
    }
    assert!(
        out.success(),
        "the reference Python SDK failed against the fake\n{}",
        out.describe()
    );
    let summary = out
        .stdout
        .lines()
        .rev()
        .find(|l| l.ends_with(" failed"))
        .unwrap_or_else(|| panic!("no summary line\n{}", out.describe()));
    assert!(
        summary.ends_with(" passed, 0 failed") && !summary.starts_with("0 passed"),
        "{summary}\n{}",
        out.describe()
    );
    let run_id = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("run-id: "))
        .unwrap_or_else(|| panic!("no run-id line\n{}", out.describe()))
        .trim()
        .to_owned();

    // What the script sent ended up in the fake's outbox, as sent.
    let outbox = fake.outbox();
    let subject = format!("Hello from Python {run_id}");
    let emails: Vec<&SentMessage> = outbox
        .emails
        .iter()
        .filter(|m| m.body["subject"] == subject.as_str())
        .collect();
    assert_eq!(emails.len(), 1, "one email from the script: {outbox:#?}");
    let email = emails[0];
    assert_eq!(email.operation, "email_send");
    let to = format!("py-{run_id}@example.com");
    let cc = format!("cc-{run_id}@example.com");
    assert_eq!(addresses(email, "to"), [to.as_str()]);
    assert_eq!(addresses(email, "cc"), [cc.as_str()]);
    assert_eq!(email.recipients, [to, cc]);
    assert_eq!(email.body["text"], "plain body");
    assert_eq!(email.body["html"], "<p>html body</p>");

    let sms: Vec<&SentMessage> = outbox
        .sms
        .iter()
        .filter(|m| m.body["text"] == subject.as_str())
        .collect();
    assert_eq!(sms.len(), 1, "one SMS from the script: {outbox:#?}");
    assert_eq!(sms[0].operation, "sms_send");
    assert_eq!(sms[0].recipients, [SMS_TO]);
    assert_eq!(sms[0].body["to"], SMS_TO);
    assert_eq!(sms[0].body["from"], "pyref");
    assert_eq!(
        outbox.emails.len(),
        1,
        "nothing else was emailed: {outbox:#?}"
    );
    assert_eq!(outbox.sms.len(), 1, "nothing else was texted: {outbox:#?}");

    // The script cleaned up after itself, and left the seeded data alone.
    let api = fake.client();
    let namespaces = api
        .namespace_list()
        .all(true)
        .send()
        .await
        .expect("namespace_list");
    let codes: Vec<Option<&str>> = namespaces
        .resources
        .iter()
        .map(|n| n.code.as_deref())
        .collect();
    assert_eq!(codes, [Some(trivoreid::fake::NAMESPACE)], "namespaces left");
    let users = api.user_list().send().await.expect("user_list");
    let ids: Vec<Option<&str>> = users.resources.iter().map(|u| u.id.as_deref()).collect();
    assert_eq!(ids, [Some(fake.user_id())], "only the seeded user is left");
    let groups = api
        .group_list()
        .filter(Filter::eq("nsCode", format!("pyref{run_id}")))
        .send()
        .await
        .expect("group_list");
    assert!(
        groups.resources.is_empty(),
        "groups left: {:?}",
        groups.resources
    );
    let storages = api
        .datastorage_list()
        .send()
        .await
        .expect("datastorage_list");
    assert!(
        storages.resources.is_empty(),
        "data storages left: {:?}",
        storages.resources
    );
    // The seeded user (whose token the script used) is untouched.
    let seeded = api
        .user_get()
        .user_id(fake.user_id())
        .send()
        .await
        .expect("user_get");
    assert_eq!(seeded.username.as_deref(), Some(fake.user().0));
}
