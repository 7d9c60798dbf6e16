//! The command line: `cargo xtask <command> [options]`, parsed by hand.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{codegen, coverage, diff, doc, fetch, import, lint, workspace_root};

/// The help text.
pub const USAGE: &str = "usage: cargo xtask <command> [options]

commands:
  lint [FILE...]
        Check the spec (default: every .yaml/.yml/.json file in openapi/) before progenitor sees it:
        OpenAPI 3.0.x; unique `<resource>_<action>` operationIds; one declared tag per operation;
        no `default` beside a typed 2xx; one success and one error schema; one request media type;
        no multipart, cookie or deepObject; every $ref resolves; no unused schemas; and finally
        progenitor and build.rs run on it. Each finding names a JSON path and the fix. Exits 1 on
        any finding.
  import FILE-OR-URL [--spec FILE] [--write] [--verbose]
        Read a server's API document (Swagger 2.0 or OpenAPI 3.x, JSON or YAML; a file or an
        http(s) URL), convert and normalize it to our conventions, and print how it differs from
        the spec by operation (+ added, - removed, ~ changed) and what was left out. --write
        updates the spec (default openapi/trivoreid.yaml).
  codegen [--out DIR] [--check] [--spec FILE]
        Write the code build.rs generates (client.rs, operations.rs, paging.rs), formatted, into
        DIR (default target/codegen). --check compares with what DIR holds instead, and exits 1
        when it differs.
  coverage [--catalog FILE] [--spec FILE] [--package NAME] [--require NAME]... [--update-fixture]
        The spec's operations against the reference operations, by package (core, extension):
        covered N/M and the missing ones. The reference is the catalog (default
        ../shared/reference/api-catalog.json beside the workspace; a .tsv file in the fixture's
        format works too) or, without it, xtask/fixtures/reference-operations.tsv. --require NAME exits 1 when an operation of that
        package is missing. --update-fixture rewrites the fixture from the catalog.
  help  This text.";

/// The spec, relative to the workspace root.
pub const SPEC: &str = "openapi/trivoreid.yaml";

/// The reference-operations fixture, relative to the workspace root.
pub const FIXTURE: &str = "xtask/fixtures/reference-operations.tsv";

/// The default catalog, relative to the workspace root.
pub const CATALOG: &str = "../shared/reference/api-catalog.json";

/// Arguments: flags and options in any order, the rest positional.
struct Args {
    positional: Vec<String>,
    flags: Vec<String>,
    options: Vec<(String, String)>,
}

impl Args {
    fn parse(raw: &[String], flags: &[&str], options: &[&str]) -> Result<Args, String> {
        let mut out = Args {
            positional: Vec::new(),
            flags: Vec::new(),
            options: Vec::new(),
        };
        let mut it = raw.iter();
        while let Some(arg) = it.next() {
            if let Some((name, value)) = arg.split_once('=').filter(|(n, _)| n.starts_with("--")) {
                if !options.contains(&name) {
                    return Err(format!("unknown option `{name}`"));
                }
                out.options.push((name.to_string(), value.to_string()));
            } else if flags.contains(&arg.as_str()) {
                out.flags.push(arg.clone());
            } else if options.contains(&arg.as_str()) {
                let value = it.next().ok_or_else(|| format!("`{arg}` needs a value"))?;
                out.options.push((arg.clone(), value.clone()));
            } else if arg.starts_with("--") {
                return Err(format!("unknown option `{arg}`"));
            } else {
                out.positional.push(arg.clone());
            }
        }
        Ok(out)
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.options
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Runs a command; `args` excludes the program name.
pub fn run(args: &[String]) -> ExitCode {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    let result = match command.as_str() {
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        "lint" => cmd_lint(rest),
        "import" => cmd_import(rest),
        "codegen" => cmd_codegen(rest),
        "coverage" => cmd_coverage(rest),
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn rel(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn spec_files() -> Result<Vec<PathBuf>, String> {
    let dir = workspace_root().join("openapi");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn cmd_lint(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(raw, &[], &[])?;
    let files: Vec<PathBuf> = if args.positional.is_empty() {
        spec_files()?
    } else {
        args.positional.iter().map(PathBuf::from).collect()
    };
    if files.is_empty() {
        return Err("no spec files to lint in openapi/".into());
    }
    let mut total = 0;
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let findings = lint::lint_text(&text);
        let name = rel(file);
        for f in &findings {
            println!("{name}: {f}");
        }
        if findings.is_empty() {
            let ops = doc::parse(&text)
                .map(|d| doc::operations(&d).len())
                .unwrap_or(0);
            println!("lint: {name}: ok ({ops} operations)");
        } else {
            println!("lint: {name}: {} finding(s)", findings.len());
        }
        total += findings.len();
    }
    Ok(if total == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn spec_path(args: &Args) -> PathBuf {
    args.option("--spec")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(SPEC))
}

fn cmd_import(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(raw, &["--write", "--verbose"], &["--spec"])?;
    let [source] = args.positional.as_slice() else {
        return Err(
            "usage: cargo xtask import FILE-OR-URL [--spec FILE] [--write] [--verbose]".into(),
        );
    };
    let spec = spec_path(&args);
    let text = fetch::read(source)?;
    let source_doc = doc::parse(&text).map_err(|e| format!("{source}: {e}"))?;
    let (ours, ours_text) = if spec.exists() {
        let t = std::fs::read_to_string(&spec)
            .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
        (
            doc::parse(&t).map_err(|e| format!("{}: {e}", spec.display()))?,
            t,
        )
    } else {
        (doc::Value::Mapping(doc::Mapping::new()), String::new())
    };
    let result = import::import(&source_doc, &ours)?;
    let report = diff::diff(&ours, &result.doc);
    println!(
        "import: {} (version {}) against {}",
        if fetch::is_url(source) {
            "the URL"
        } else {
            source.as_str()
        },
        result.source_version,
        rel(&spec)
    );
    for n in &result.notes {
        println!("note: {n}");
    }
    for l in &result.left_out {
        println!("! {} {}: left out: {}", l.id, l.operation, l.reason);
    }
    print!(
        "{}",
        report.render(if args.flag("--verbose") {
            usize::MAX
        } else {
            8
        })
    );
    println!(
        "summary: {}; {} left out",
        report.summary(),
        result.left_out.len()
    );
    if args.flag("--write") {
        let header = doc::header_comments(&ours_text);
        let yaml = doc::to_yaml(&result.doc, &header)?;
        if yaml == ours_text {
            println!("{} is up to date", rel(&spec));
        } else {
            std::fs::write(&spec, yaml)
                .map_err(|e| format!("cannot write {}: {e}", spec.display()))?;
            println!("wrote {}", rel(&spec));
        }
        let findings = lint::lint(&result.doc);
        if findings.is_empty() {
            println!("the new spec passes `cargo xtask lint`");
        } else {
            println!(
                "the new spec has {} lint finding(s); run `cargo xtask lint`",
                findings.len()
            );
        }
    } else if !report.is_empty() {
        println!("(run again with --write to update {})", rel(&spec));
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_codegen(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(raw, &["--check"], &["--out", "--spec"])?;
    if let Some(extra) = args.positional.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let out = args
        .option("--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(codegen::DEFAULT_OUT));
    let spec = spec_path(&args);
    let text = std::fs::read_to_string(&spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let files = codegen::generate(&text).map_err(|e| format!("{}: {e}", rel(&spec)))?;
    if args.flag("--check") {
        let differences = codegen::check(&out, &files);
        for d in &differences {
            println!("{d}");
        }
        if differences.is_empty() {
            println!("codegen: {} matches {}", rel(&out), rel(&spec));
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "codegen: {} is out of date; run `cargo xtask codegen` and review the diff",
            rel(&out)
        );
        return Ok(ExitCode::FAILURE);
    }
    codegen::write(&out, &files)?;
    for (name, text) in &files {
        println!(
            "wrote {} ({} lines)",
            rel(&out.join(name)),
            text.lines().count()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_coverage(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(
        raw,
        &["--update-fixture"],
        &["--catalog", "--spec", "--package", "--require"],
    )?;
    if let Some(extra) = args.positional.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let catalog = args
        .option("--catalog")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(CATALOG));
    let fixture = workspace_root().join(FIXTURE);
    let explicit = args.option("--catalog").is_some();
    let (reference, source) = if catalog.exists() {
        let text = std::fs::read_to_string(&catalog)
            .map_err(|e| format!("cannot read {}: {e}", catalog.display()))?;
        let ops = if catalog.extension().is_some_and(|x| x == "tsv") {
            coverage::from_tsv(&text)
        } else {
            coverage::from_catalog(&text)
        };
        (
            ops.map_err(|e| format!("{}: {e}", catalog.display()))?,
            rel(&catalog),
        )
    } else if explicit || args.flag("--update-fixture") {
        return Err(format!("no catalog at {}", catalog.display()));
    } else {
        let text = std::fs::read_to_string(&fixture)
            .map_err(|e| format!("cannot read {}: {e}", fixture.display()))?;
        (coverage::from_tsv(&text)?, rel(&fixture))
    };
    if args.flag("--update-fixture") {
        std::fs::write(&fixture, coverage::to_tsv(&reference))
            .map_err(|e| format!("cannot write {}: {e}", fixture.display()))?;
        println!("wrote {} ({} operations)", rel(&fixture), reference.len());
        return Ok(ExitCode::SUCCESS);
    }
    let spec = spec_path(&args);
    let spec_doc = doc::read(&spec)?;
    let cov = coverage::coverage(&spec_doc, &reference);
    let only = args.option("--package");
    if let Some(p) = only
        && cov.package(p).is_none()
    {
        return Err(format!("no package `{p}` in the reference"));
    }
    println!(
        "reference: {source} ({} REST operations); spec: {} ({} operations)",
        reference.len(),
        rel(&spec),
        doc::operations(&spec_doc).len()
    );
    print!("{}", cov.render(only));
    let mut failed = false;
    for name in args.all("--require") {
        match cov.package(name) {
            None => return Err(format!("no package `{name}` in the reference")),
            Some(p) if !p.missing.is_empty() => {
                println!(
                    "coverage: {name} is required complete, but {} operation(s) are missing",
                    p.missing.len()
                );
                failed = true;
            }
            Some(_) => println!("coverage: {name} complete"),
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
