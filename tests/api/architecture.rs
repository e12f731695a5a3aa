//! The map stays true: the layering ARCHITECTURE.md promises is checked on the source itself,
//! so a shortcut (a page reaching into the store, the domain importing a layer above it, two
//! modules leaning on each other) fails a test instead of waiting for a reader to notice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files larger than this (outside their test module) have more than one job.
const MAX_LINES: usize = 600;

struct Module {
    path: PathBuf,
    /// The source without its `#[cfg(test)]` module and without `//` comments.
    code: String,
    /// Lines before the test module.
    lines: usize,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` -> `a::b`, `src/a/mod.rs` -> `a`, `src/lib.rs` -> `` (the crate root).
fn module_name(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src").with_extension("");
    let mut parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts.join("::")
}

fn without_tests_and_comments(source: &str) -> (String, usize) {
    let mut code = String::new();
    let mut lines = 0;
    let mut it = source.lines().peekable();
    while let Some(line) = it.next() {
        if line.trim() == "#[cfg(test)]" && it.peek().is_some_and(|next| next.trim_start().contains("mod ")) {
            break;
        }
        lines += 1;
        let line = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    (code, lines)
}

fn modules() -> BTreeMap<String, Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).expect("read");
            let (code, lines) = without_tests_and_comments(&source);
            (module_name(&src, &path), Module { path, code, lines })
        })
        .collect()
}

fn ident_end(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len())
}

/// The paths after each `prefix` in `code`: `crate::a::{b, c::D}` gives `a::b` and `a::c::D`.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = vec![];
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let mut path = vec![];
        let mut cursor = rest;
        loop {
            let n = ident_end(cursor);
            if n == 0 {
                break;
            }
            path.push(cursor[..n].to_owned());
            cursor = &cursor[n..];
            match cursor.strip_prefix("::") {
                Some(next) => cursor = next,
                None => break,
            }
        }
        if let Some(group) = cursor.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let mut p = path.clone();
                p.extend(item.trim().split("::").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
                out.push(p);
            }
        } else if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// The longest prefix of `path` (under `base`) that is a module of ours, if any.
fn resolve(mods: &BTreeMap<String, Module>, base: &[String], path: &[String]) -> Option<String> {
    let full: Vec<String> = base.iter().chain(path).cloned().collect();
    (1..=full.len()).rev().map(|k| full[..k].join("::")).find(|m| mods.contains_key(m))
}

/// Every `(from, to)` module dependency: `crate::` paths, `super::` paths, and re-exports of
/// child modules (`pub use child::..`).
fn dependencies(mods: &BTreeMap<String, Module>) -> BTreeSet<(String, String)> {
    let mut edges = BTreeSet::new();
    for (name, m) in mods {
        let parts: Vec<String> = if name.is_empty() { vec![] } else { name.split("::").map(str::to_owned).collect() };
        let parent = &parts[..parts.len().saturating_sub(1)];
        let mut add = |to: Option<String>| {
            if let Some(to) = to.filter(|t| t != name && !t.is_empty()) {
                edges.insert((name.clone(), to));
            }
        };
        for p in paths_after(&m.code, "crate::") {
            add(resolve(mods, &[], &p));
        }
        for mut p in paths_after(&m.code, "super::") {
            // `super::super::x` climbs once more per `super`.
            let mut base = parent.to_vec();
            while p.first().is_some_and(|s| s == "super") {
                p.remove(0);
                base.pop();
            }
            add(resolve(mods, &base, &p).or_else(|| Some(base.join("::"))));
        }
        for line in m.code.lines().map(str::trim) {
            let decl = line.strip_prefix("pub ").unwrap_or(line);
            if let Some(child) = decl.strip_prefix("mod ").and_then(|c| c.strip_suffix(';'))
                && (m.code.contains(&format!("use {child}::")) || m.code.contains(&format!("pub use {child}::")))
            {
                add(resolve(mods, &parts, &[child.to_owned()]));
            }
        }
    }
    edges
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

#[test]
fn no_two_modules_import_each_other() {
    let mods = modules();
    let edges = dependencies(&mods);
    let mutual: Vec<_> = edges.iter().filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone()))).collect();
    assert!(mutual.is_empty(), "modules that import each other: {mutual:?}");
    let tops: BTreeSet<(&str, &str)> =
        edges.iter().map(|(a, b)| (top(a), top(b))).filter(|(a, b)| a != b && !a.is_empty()).collect();
    let cycles: Vec<_> = tops.iter().filter(|(a, b)| a < b && tops.contains(&(*b, *a))).collect();
    assert!(cycles.is_empty(), "top-level modules that import each other: {cycles:?}");
}

#[test]
fn dependencies_point_one_way() {
    let mods = modules();
    let edges = dependencies(&mods);
    // Which top-level room may use which: pages and handlers -> use cases -> ingest, db,
    // charts -> domain. Drivers (cli, demo, startup) and the shell (app) sit on top.
    let allowed: &[(&str, &[&str])] = &[
        ("domain", &[]),
        ("error", &["domain"]),
        ("charts", &["domain"]),
        ("ingest", &["domain"]),
        ("db", &["domain"]),
        ("config", &["ingest"]),
        ("state", &["config", "db", "domain"]),
        ("services", &["charts", "config", "db", "domain", "error", "ingest", "state"]),
        ("components", &["domain", "error"]),
        ("pages", &["components", "domain", "error", "services", "state"]),
        ("app", &["components", "pages"]),
        ("http", &["app", "charts", "domain", "error", "services", "state"]),
    ];
    let mut wrong = vec![];
    for (a, b) in &edges {
        let (ta, tb) = (top(a), top(b));
        if ta == tb {
            continue;
        }
        if let Some((_, ok)) = allowed.iter().find(|(t, _)| *t == ta)
            && !ok.contains(&tb)
        {
            wrong.push(format!("{a} -> {b}"));
        }
    }
    assert!(wrong.is_empty(), "dependencies against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn sql_lives_only_in_db() {
    let mods = modules();
    let mut found = vec![];
    for (name, m) in &mods {
        if top(name) == "db" {
            continue;
        }
        for needle in ["sqlx::query", "query_as", "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"] {
            if m.code.contains(needle) {
                found.push(format!("{}: {needle}", m.path.display()));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside src/db:\n{}", found.join("\n"));
}

#[test]
fn no_source_file_has_more_than_one_job() {
    let too_long: Vec<String> = modules()
        .values()
        .filter(|m| m.lines > MAX_LINES)
        .map(|m| format!("{} ({} lines)", m.path.display(), m.lines))
        .collect();
    assert!(too_long.is_empty(), "files over {MAX_LINES} lines outside their tests:\n{}", too_long.join("\n"));
}

#[test]
fn the_map_names_every_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut dirs = vec![];
    let mut stack = vec![root.join("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "snapshots") {
                dirs.push(p.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/"));
                stack.push(p);
            }
        }
    }
    let missing: Vec<&String> = dirs.iter().filter(|d| !map.contains(&format!("{d}/"))).collect();
    assert!(missing.is_empty(), "folders ARCHITECTURE.md does not name: {missing:?}");
}

#[test]
fn the_checker_sees_what_it_checks() {
    // A check that finds nothing because it reads nothing would pass forever.
    let mods = modules();
    assert!(mods.len() > 40, "{} modules", mods.len());
    let edges = dependencies(&mods);
    for (a, b) in [
        ("pages::leaderboard", "services::leaderboard"),
        ("services::upload", "ingest"),
        ("db::reads", "domain::leaderboard"),
    ] {
        assert!(edges.contains(&(a.to_owned(), b.to_owned())), "{a} -> {b} not seen");
    }
    let code = "use crate::{db, domain::model::{A, B}};";
    let seen: BTreeSet<String> = paths_after(code, "crate::").iter().filter_map(|p| resolve(&mods, &[], p)).collect();
    assert_eq!(seen, BTreeSet::from(["db".to_owned(), "domain::model".to_owned()]));
}
