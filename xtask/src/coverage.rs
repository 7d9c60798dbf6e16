//! `cargo xtask coverage`: the spec's operations against the reference operations (the REST calls
//! of the reference SDK), by package.
//!
//! The reference comes from the API catalog (`api-catalog.json`) when it is there, else from the
//! committed `xtask/fixtures/reference-operations.tsv`, which holds just the facts needed
//! (package, service, SDK method, HTTP method, path) and is written from the catalog by
//! `cargo xtask coverage --update-fixture`.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::doc::{self, Value};
use crate::naming::API_PREFIX;

/// The columns of the TSV fixture.
pub const TSV_HEADER: &str = "package\tservice\tsdk_method\tmethod\tpath";

/// One REST operation of the reference SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefOp {
    /// `core` or `extension`.
    pub package: String,
    /// The reference service, e.g. `UserService`.
    pub service: String,
    /// The reference method, e.g. `get_all`.
    pub sdk_method: String,
    /// The upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
}

impl RefOp {
    /// The key operations are matched by (path parameter names ignored).
    pub fn key(&self) -> String {
        doc::op_key(&self.method, &self.path)
    }
}

/// The REST operations of an API catalog: every entry whose path starts with `/api/rest/v1`.
pub fn from_catalog(text: &str) -> Result<Vec<RefOp>, String> {
    let entries: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("the catalog is not a JSON list: {e}"))?;
    let field = |e: &serde_json::Value, k: &str| -> Result<String, String> {
        e.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("a catalog entry has no `{k}`"))
    };
    let mut ops = Vec::new();
    for e in &entries {
        let path = field(e, "path")?;
        if !path.starts_with(API_PREFIX) {
            continue;
        }
        ops.push(RefOp {
            package: field(e, "package")?,
            service: field(e, "service")?,
            sdk_method: field(e, "sdk_method")?,
            method: field(e, "http_method")?.to_ascii_uppercase(),
            path,
        });
    }
    Ok(ops)
}

/// Reads the TSV fixture.
pub fn from_tsv(text: &str) -> Result<Vec<RefOp>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(TSV_HEADER) {
        return Err(format!("the first line must be `{TSV_HEADER}`"));
    }
    lines
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let cols: Vec<&str> = line.split('\t').collect();
            match cols.as_slice() {
                [package, service, sdk_method, method, path] => Ok(RefOp {
                    package: package.to_string(),
                    service: service.to_string(),
                    sdk_method: sdk_method.to_string(),
                    method: method.to_ascii_uppercase(),
                    path: path.to_string(),
                }),
                _ => Err(format!("line {}: expected 5 tab-separated columns", i + 2)),
            }
        })
        .collect()
}

/// Writes the TSV fixture.
pub fn to_tsv(ops: &[RefOp]) -> String {
    let mut out = format!("{TSV_HEADER}\n");
    for op in ops {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            op.package, op.service, op.sdk_method, op.method, op.path
        );
    }
    out
}

/// The coverage of one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The package name.
    pub name: String,
    /// How many reference operations the package has.
    pub total: usize,
    /// The reference operations the spec lacks.
    pub missing: Vec<RefOp>,
}

impl Package {
    /// How many reference operations the spec has.
    pub fn covered(&self) -> usize {
        self.total - self.missing.len()
    }
}

/// The coverage of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// By package, in the order the reference lists them.
    pub packages: Vec<Package>,
    /// Spec operations no reference operation matches: `(operationId, METHOD, path)`.
    pub extra: Vec<(String, String, String)>,
}

/// Matches the spec's operations against the reference by method and path.
pub fn coverage(spec: &Value, reference: &[RefOp]) -> Coverage {
    let ops = doc::operations(spec);
    let have: HashMap<String, &doc::Op<'_>> = ops
        .iter()
        .map(|op| (doc::op_key(op.method, op.path), op))
        .collect();
    let mut packages: Vec<Package> = Vec::new();
    for r in reference {
        let i = match packages.iter().position(|p| p.name == r.package) {
            Some(i) => i,
            None => {
                packages.push(Package {
                    name: r.package.clone(),
                    total: 0,
                    missing: Vec::new(),
                });
                packages.len() - 1
            }
        };
        packages[i].total += 1;
        if !have.contains_key(&r.key()) {
            packages[i].missing.push(r.clone());
        }
    }
    let known: std::collections::HashSet<String> = reference.iter().map(RefOp::key).collect();
    let extra = ops
        .iter()
        .filter(|op| !known.contains(&doc::op_key(op.method, op.path)))
        .map(|op| {
            (
                op.id().unwrap_or("?").to_string(),
                op.method_upper(),
                op.path.to_string(),
            )
        })
        .collect();
    Coverage { packages, extra }
}

impl Coverage {
    /// The report: per package `covered N/M` and the missing operations; `only` limits it to one
    /// package.
    pub fn render(&self, only: Option<&str>) -> String {
        let mut out = String::new();
        for p in &self.packages {
            if only.is_some_and(|o| o != p.name) {
                continue;
            }
            let _ = writeln!(out, "{}: covered {}/{}", p.name, p.covered(), p.total);
            for m in &p.missing {
                let _ = writeln!(
                    out,
                    "  missing {} {}  ({}.{})",
                    m.method, m.path, m.service, m.sdk_method
                );
            }
        }
        if only.is_none() && !self.extra.is_empty() {
            let _ = writeln!(
                out,
                "spec operations without a reference operation: {}",
                self.extra.len()
            );
            for (id, method, path) in &self.extra {
                let _ = writeln!(out, "  {id} {method} {path}");
            }
        }
        out
    }

    /// The package named `name`.
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }
}
