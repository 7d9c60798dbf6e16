//! The `xtask` binary: exit statuses and output of each command, and `import` over HTTP from a
//! loopback server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn fixture(name: &str) -> String {
    root()
        .join("xtask/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn help_lists_the_commands() {
    let out = xtask(&["help"]);
    assert!(out.status.success());
    for cmd in ["lint", "import", "codegen", "coverage"] {
        assert!(stdout(&out).contains(&format!("  {cmd}")), "{cmd}");
    }
    let out = xtask(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown command `frobnicate`"));
}

#[test]
fn lint_passes_on_our_spec() {
    let out = xtask(&["lint"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "lint: openapi/trivoreid.yaml: ok (215 operations)\n"
    );
}

#[test]
fn lint_fails_on_a_broken_copy() {
    let dir = scratch("lint");
    let broken = std::fs::read_to_string(root().join("openapi/trivoreid.yaml"))
        .unwrap()
        .replacen("operationId: user_get\n", "operationId: getUser\n", 1);
    let file = dir.join("broken.yaml");
    std::fs::write(&file, broken).unwrap();
    let out = xtask(&["lint", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "broken.yaml: paths./api/rest/v1/user/{userId}.get.operationId: operationId `getUser` \
             is not of the form `<resource>_<action>` (snake_case)\n    fix: rename it, e.g. to `user_get`\n"
        ),
        "{text}"
    );
    assert!(text.contains("1 finding(s)"), "{text}");
}

#[test]
fn import_prints_the_difference_by_operation() {
    let out = xtask(&[
        "import",
        &fixture("swagger2-server.json"),
        "--spec",
        &fixture("ours-small.yaml"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "+ list_contracts GET /api/rest/v1/contract\n",
        "- user_legal_get GET /api/rest/v1/user/{userId}/legal\n",
        "~ user_get: response changed (response: +schema.properties.nickName)\n",
        "! upload_avatar POST /api/rest/v1/user/{userId}/avatar: left out: multipart/form-data",
        "summary: 4 added, 1 removed, 4 changed, 1 unchanged; 1 left out\n",
        "(run again with --write",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn import_write_updates_the_spec_and_keeps_its_header() {
    let dir = scratch("write");
    let spec = dir.join("spec.yaml");
    std::fs::copy(fixture("ours-small.yaml"), &spec).unwrap();
    let out = xtask(&[
        "import",
        &fixture("openapi31-server.yaml"),
        "--spec",
        path(&spec),
        "--write",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("wrote "), "{text}");
    assert!(
        text.contains("the new spec passes `cargo xtask lint`"),
        "{text}"
    );
    let written = std::fs::read_to_string(&spec).unwrap();
    assert!(written.starts_with("# A small spec in our conventions"));
    assert!(written.contains("  /api/rest/v1/group/{groupId}/members:\n"));
    // The written spec lints clean, and importing again changes nothing.
    let out = xtask(&["lint", path(&spec)]);
    assert!(out.status.success(), "{}", stdout(&out));
    let out = xtask(&[
        "import",
        &fixture("openapi31-server.yaml"),
        "--spec",
        path(&spec),
        "--write",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("summary: 0 added, 0 removed, 0 changed"),
        "{text}"
    );
    assert!(text.contains("is up to date"), "{text}");
}

/// Serves `body` with `content_type` to each of `requests` connections on 127.0.0.1, and returns
/// the URL base.
fn serve(
    body: String,
    status: &'static str,
    content_type: &'static str,
    requests: usize,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            // Read the request head.
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if line == "\r\n" || line == "\n" {
                    break;
                }
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
        }
    });
    format!("http://{addr}")
}

#[test]
fn import_reads_a_url() {
    let body = std::fs::read_to_string(fixture("swagger2-server.json")).unwrap();
    let base = serve(body, "200 OK", "application/json", 1);
    let out = xtask(&[
        "import",
        &format!("{base}/apidoc/swagger.json"),
        "--spec",
        &fixture("ours-small.yaml"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("import: the URL (version 2.0)"), "{text}");
    assert!(
        text.contains("summary: 4 added, 1 removed, 4 changed, 1 unchanged; 1 left out\n"),
        "{text}"
    );
}

#[test]
fn import_explains_an_html_page_and_an_error_status() {
    let base = serve(
        "<!DOCTYPE html><html>Swagger UI</html>".into(),
        "200 OK",
        "text/html",
        1,
    );
    let out = xtask(&["import", &format!("{base}/apidoc")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("answered an HTML page"),
        "{}",
        stderr(&out)
    );
    let base = serve("nope".into(), "404 Not Found", "text/plain", 1);
    let out = xtask(&["import", &format!("{base}/apidoc")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("answered 404"), "{}", stderr(&out));
}

#[test]
fn import_refuses_credentials_in_the_url() {
    let out = xtask(&["import", "http://admin:s3cret@127.0.0.1:9/apidoc"]);
    assert_eq!(out.status.code(), Some(2));
    let all = stdout(&out) + &stderr(&out);
    assert!(all.contains("refusing a URL with credentials"), "{all}");
    assert!(!all.contains("s3cret"), "{all}");
}

#[test]
fn codegen_writes_and_checks() {
    let dir = scratch("codegen");
    let out = xtask(&["codegen", "--out", path(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    for name in ["client.rs", "operations.rs", "paging.rs"] {
        assert!(dir.join(name).exists(), "{name}");
    }
    let out = xtask(&["codegen", "--out", path(&dir), "--check"]);
    assert!(out.status.success(), "{}", stdout(&out));
    std::fs::write(dir.join("paging.rs"), "// edited\n").unwrap();
    let out = xtask(&["codegen", "--out", path(&dir), "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("paging.rs: differs"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn coverage_by_package_and_require() {
    let tsv = fixture("reference-operations.tsv");
    let out = xtask(&["coverage", "--catalog", &tsv, "--require", "core"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("core: covered 68/68\n"), "{text}");
    assert!(text.contains("extension: covered 147/147\n"), "{text}");
    assert!(text.contains("coverage: core complete\n"), "{text}");

    let out = xtask(&["coverage", "--catalog", &tsv, "--package", "core"]);
    assert!(!stdout(&out).contains("extension"));

    let out = xtask(&["coverage", "--catalog", &tsv, "--require", "extension"]);
    assert!(out.status.success(), "{}", stdout(&out));

    // A spec without the extension: requiring it fails and says how much is missing.
    let small = fixture("ours-small.yaml");
    let out = xtask(&[
        "coverage",
        "--catalog",
        &tsv,
        "--spec",
        &small,
        "--require",
        "extension",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("extension is required complete, but 147 operation(s) are missing"),
        "{}",
        stdout(&out)
    );

    let out = xtask(&["coverage", "--catalog", "/nonexistent/catalog.json"]);
    assert_eq!(out.status.code(), Some(2));
}
