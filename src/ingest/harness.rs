//! Reads the harness's judge output: `results/harmbench/<model>/<Category>/<Relation>.json`,
//! each a JSON object whose `judge_result` list holds one `{question, answer, label}` per item
//! in dataset order.
//!
//! Counting follows `statics.py` exactly (a file's total is the length of `judge_result`, its
//! unsafe count the entries labelled `unsafe`), but validation is stricter: `statics.py`
//! silently skips or miscounts what it does not expect, while a leaderboard must refuse it and
//! say why. Answer and question text are read only to classify refusals and are dropped with
//! the parsed file; no message ever quotes them.

use super::archive::EntryPath;
use crate::domain::leaderboard::Breakdown;
use crate::domain::metrics::Counts;
use crate::domain::model::Granularity;
use crate::domain::refusal::RuleSet;
use crate::domain::submission::{Coverage, ItemLabel, ParsedResult, Problem, ResultSummary};
use crate::domain::taxonomy::{Relation, RiskCategory};
use serde_json::Value;
use std::collections::BTreeMap;

/// One judge file, reduced to labels.
#[derive(Debug)]
struct FileLabels {
    /// Per item: unsafe?
    unsafe_flags: Vec<bool>,
    /// Per item: explicit refusal? (`None` for unsafe items.) `None` overall when the file
    /// carried no answer text to classify.
    refusals: Option<Vec<Option<bool>>>,
    /// Oddities that do not invalidate the file.
    warnings: Vec<Problem>,
}

/// What a visited file turned out to be.
#[derive(Debug)]
enum Parsed {
    Labels(FileLabels),
    /// Not parsed as judge output; the reason is reported only if the file turns out to sit
    /// where judge output belongs.
    Unreadable(Vec<Problem>),
    /// Skipped without reading: inference outputs and other judges' folders.
    Skipped,
}

/// Collects every file of an upload, then decides what the tree is.
pub struct TreeReader<'r> {
    rules: &'r RuleSet,
    files: BTreeMap<EntryPath, Parsed>,
    ignored_system_files: usize,
}

fn is_system_junk(path: &EntryPath) -> bool {
    path.components().iter().any(|c| c == "__MACOSX" || c.starts_with('.') || c == "Thumbs.db" || c == "desktop.ini")
}

/// Folders that hold other things than this judge's output: the harness writes inference
/// results to `results/infer/` next to `results/harmbench/`.
fn is_outside_judge_output(path: &EntryPath) -> bool {
    let c = path.components();
    let has_harmbench = c.iter().any(|x| x == "harmbench");
    !has_harmbench && c.iter().any(|x| x == "infer")
}

impl<'r> TreeReader<'r> {
    pub fn new(rules: &'r RuleSet) -> Self {
        Self { rules, files: BTreeMap::new(), ignored_system_files: 0 }
    }

    /// Takes one file of the upload. Duplicate paths never reach here (the archive reader
    /// refuses them).
    pub fn add(&mut self, path: &EntryPath, bytes: &[u8]) {
        if is_system_junk(path) {
            self.ignored_system_files += 1;
            return;
        }
        let parsed = if is_outside_judge_output(path) {
            Parsed::Skipped
        } else if path.file_name().ends_with(".json") {
            parse_judge_file(&path.to_string(), bytes, self.rules)
        } else {
            Parsed::Unreadable(vec![])
        };
        self.files.insert(path.clone(), parsed);
    }

    /// Decides the tree's layout, validates every file in it, and computes the counts.
    pub fn finish(self) -> Result<HarnessTree, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        if self.ignored_system_files > 0 {
            warnings.push(Problem::new(
                "",
                format!("ignored {} hidden or system file(s) (__MACOSX, .DS_Store, ...)", self.ignored_system_files),
                "nothing to do",
            ));
        }
        let skipped_infer = self.files.values().filter(|p| matches!(p, Parsed::Skipped)).count();
        let candidates: Vec<&EntryPath> =
            self.files.iter().filter(|(_, p)| !matches!(p, Parsed::Skipped)).map(|(k, _)| k).collect();
        if candidates.is_empty() {
            let message = if skipped_infer > 0 {
                "this holds inference outputs (results/infer/) but no judge outputs"
            } else {
                "the upload holds no files"
            };
            return Err(vec![Problem::new(
                "",
                message,
                "run the harness's judge step (eval.py) and upload results/harmbench/<model>/ as .zip or .tar.gz",
            )]);
        }

        // The root is the folder that holds the category folders. Find it from the files whose
        // parent folder is a category, exactly as the harness spells it.
        let mut roots: BTreeMap<Vec<String>, usize> = BTreeMap::new();
        for path in &candidates {
            let c = path.components();
            if c.len() >= 2 && RiskCategory::from_harness_name(&c[c.len() - 2]).is_some() {
                *roots.entry(c[..c.len() - 2].to_vec()).or_default() += 1;
            }
        }
        let root: Vec<String> = match roots.len() {
            0 => {
                // No category folder at all: report per file what is wrong with its place.
                infer_root_from_depth(&candidates)
            }
            1 => roots.into_keys().next().unwrap_or_default(),
            _ => {
                let names: Vec<String> =
                    roots.keys().map(|r| if r.is_empty() { "(top level)".into() } else { r.join("/") }).collect();
                return Err(vec![Problem::new(
                    "",
                    format!("the upload holds results of {} models or runs: {}", names.len(), names.join(", ")),
                    "upload one model's folder (results/harmbench/<model>/) at a time",
                )]);
            }
        };
        let folder_name = root.last().filter(|n| *n != "harmbench" && *n != "results").cloned();

        let mut by_cell: BTreeMap<(RiskCategory, Relation), (String, FileLabels)> = BTreeMap::new();
        let mut outside = 0usize;
        for (path, parsed) in self.files {
            if matches!(parsed, Parsed::Skipped) {
                continue;
            }
            let c = path.components();
            let location = path.to_string();
            if !c.starts_with(&root) {
                outside += 1;
                continue;
            }
            let rel = &c[root.len()..];
            match rel.len() {
                1 => {
                    warnings.push(Problem::new(
                        location,
                        "ignored: a file next to the category folders",
                        "nothing to do; only <Category>/<Relation>.json files are read",
                    ));
                    continue;
                }
                2 => {}
                _ => {
                    problems.push(Problem::new(
                        location,
                        "file is nested deeper than <Category>/<Relation>.json",
                        "keep the harness layout: results/harmbench/<model>/<Category>/<Relation>.json",
                    ));
                    continue;
                }
            }
            let (folder, file) = (&rel[0], &rel[1]);
            let category = RiskCategory::from_harness_name(folder);
            if category.is_none() {
                problems.push(Problem::new(
                    location.clone(),
                    format!("folder `{folder}` is not a risk category"),
                    category_fix(folder),
                ));
            }
            let relation = match file.strip_suffix(".json") {
                None => {
                    problems.push(Problem::new(
                        location,
                        "not a JSON file",
                        "category folders hold only the harness's <Relation>.json files; remove this file",
                    ));
                    continue;
                }
                Some(stem) => match Relation::from_harness_name(stem) {
                    Some(r) => Some(r),
                    None => {
                        problems.push(Problem::new(
                            location.clone(),
                            format!("`{file}` is not a relation file"),
                            relation_fix(stem),
                        ));
                        None
                    }
                },
            };
            let labels = match parsed {
                Parsed::Labels(mut l) => {
                    warnings.append(&mut l.warnings);
                    l
                }
                Parsed::Unreadable(p) => {
                    problems.extend(p);
                    continue;
                }
                Parsed::Skipped => continue,
            };
            if let (Some(cat), Some(r)) = (category, relation) {
                by_cell.insert((cat, r), (location, labels));
            }
        }
        if outside > 0 {
            warnings.push(Problem::new(
                "",
                format!("ignored {outside} file(s) outside the results folder {}", display_root(&root)),
                "nothing to do",
            ));
        }
        if skipped_infer > 0 {
            warnings.push(Problem::new(
                "",
                format!("ignored {skipped_infer} inference output file(s) (results/infer/); only judge outputs count"),
                "nothing to do",
            ));
        }
        if by_cell.is_empty() && problems.is_empty() {
            problems.push(Problem::new(
                display_root(&root),
                "no <Category>/<Relation>.json judge files found",
                "upload results/harmbench/<model>/ as written by the harness's eval.py",
            ));
        }

        // Per relation the benchmark has a fixed number of items; more cannot be this benchmark.
        for r in Relation::ALL {
            let n: usize = by_cell.iter().filter(|((_, rr), _)| *rr == r).map(|(_, (_, l))| l.unsafe_flags.len()).sum();
            if n > r.instance_count() as usize {
                problems.push(Problem::new(
                    format!("*/{}.json", r.harness_name()),
                    format!(
                        "{} has {n} items across the categories, but MIR-SafetyBench has {}",
                        r.harness_name(),
                        r.instance_count()
                    ),
                    "check that these are MIR-SafetyBench results and that no file was duplicated",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        let all_have_text = by_cell.values().all(|(_, l)| l.refusals.is_some());
        if !all_have_text {
            warnings.push(Problem::new(
                "",
                "some judge files carry no answer text, so no refusal estimate is made for this result",
                "upload the judge files as the harness writes them (with `answer`) to get the estimate",
            ));
        }
        let mut cells = Vec::new();
        let mut items = Vec::new();
        for ((cat, rel), (location, labels)) in &by_cell {
            let unsafe_count = labels.unsafe_flags.iter().filter(|u| **u).count() as u32;
            let total = labels.unsafe_flags.len() as u32;
            let refusals = if all_have_text {
                labels.refusals.as_ref().map(|r| r.iter().filter(|x| **x == Some(true)).count() as u32)
            } else {
                None
            };
            if total == 0 {
                warnings.push(Problem::new(
                    location.clone(),
                    "`judge_result` is empty: this file adds no items",
                    "check that the run finished",
                ));
            }
            cells.push((*cat, *rel, Counts { unsafe_count, total, refusals }));
            for (i, is_unsafe) in labels.unsafe_flags.iter().enumerate() {
                let refusal = if all_have_text { labels.refusals.as_ref().and_then(|r| r[i]) } else { None };
                items.push(ItemLabel {
                    category: *cat,
                    relation: *rel,
                    index: i as u32,
                    is_unsafe: *is_unsafe,
                    refusal,
                });
            }
        }
        let breakdown = Breakdown::from_cells(&cells);
        let coverage = Coverage::from_breakdown(&breakdown);
        if !coverage.is_complete() {
            let missing: Vec<String> = coverage
                .relations
                .iter()
                .filter(|(_, got, want)| got != want)
                .map(|(r, got, want)| format!("{} {got}/{want}", r.harness_name()))
                .collect();
            warnings.push(Problem::new(
                "",
                format!("partial run: {} of {} items ({})", coverage.received, coverage.expected, missing.join(", ")),
                "a partial run is accepted, but it is flagged as partial wherever it is shown",
            ));
        }
        Ok(HarnessTree {
            folder_name,
            result: ParsedResult {
                summary: ResultSummary {
                    granularity: Granularity::Items,
                    breakdown,
                    cells,
                    coverage,
                    warnings,
                    rule_set_version: all_have_text.then(|| self.rules.version().to_owned()),
                },
                items,
                aggregates: None,
            },
        })
    }
}

/// A validated harness tree.
#[derive(Debug)]
pub struct HarnessTree {
    /// The model folder's name in the upload, if the upload had one.
    pub folder_name: Option<String>,
    pub result: ParsedResult,
}

fn display_root(root: &[String]) -> String {
    if root.is_empty() { "(top level)".into() } else { format!("{}/", root.join("/")) }
}

/// Without any valid category folder, guess the root from the most common depth so that each
/// file's problem is reported against the folder the user most likely meant.
fn infer_root_from_depth(paths: &[&EntryPath]) -> Vec<String> {
    let mut depths: BTreeMap<usize, usize> = BTreeMap::new();
    for p in paths {
        *depths.entry(p.components().len()).or_default() += 1;
    }
    let depth = depths.into_iter().max_by_key(|(d, n)| (*n, std::cmp::Reverse(*d))).map_or(2, |(d, _)| d);
    let first = paths.iter().find(|p| p.components().len() == depth);
    match first {
        Some(p) if depth >= 2 => p.components()[..depth - 2].to_vec(),
        _ => vec![],
    }
}

fn category_fix(folder: &str) -> String {
    let list = RiskCategory::ALL.map(|c| c.harness_name()).join(", ");
    match RiskCategory::parse(folder).or_else(|| RiskCategory::parse(&folder.replace([' ', '-'], "_"))) {
        Some(c) => format!("rename it to `{}` (the harness's spelling; the six are {list})", c.harness_name()),
        None => format!("the harness writes exactly these six folders: {list}"),
    }
}

fn relation_fix(stem: &str) -> String {
    let list = Relation::ALL.map(|r| r.harness_name()).join(", ");
    if let Some(base) = stem.strip_suffix("_final")
        && Relation::from_harness_name(base).is_some()
    {
        return "this is a dataset input file (<Relation>_final.json from extract_data.py), not judge output; upload results/harmbench/<model>/".into();
    }
    match Relation::parse(stem).or_else(|| Relation::parse(&stem.replace([' ', '-'], "_"))) {
        Some(r) => format!("rename it to `{}.json` (the harness's spelling)", r.harness_name()),
        None => format!("the harness writes one file per relation: {list} (each with .json)"),
    }
}

/// Parses one judge file. Problems name the file and item, never the text.
fn parse_judge_file(location: &str, bytes: &[u8], rules: &RuleSet) -> Parsed {
    let problem = |message: String, fix: &str| Parsed::Unreadable(vec![Problem::new(location, message, fix)]);
    if let Err(e) = std::str::from_utf8(bytes) {
        return problem(
            format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
            "the harness writes UTF-8 JSON; re-export the file as UTF-8",
        );
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return problem(
                format!("not valid JSON: {} at line {}, column {}", e_kind(&e), e.line(), e.column()),
                "the file is damaged or was edited by hand; re-run the judge step or restore the original",
            );
        }
    };
    let obj = match value {
        Value::Object(o) => o,
        Value::Array(_) => {
            return problem(
                "this is a JSON list, as in inference output (results/infer/), not a judge file".into(),
                "upload the judge output results/harmbench/<model>/, whose files are objects with `judge_result`",
            );
        }
        _ => return problem("the JSON is not an object".into(), "judge files are objects with a `judge_result` list"),
    };
    let Some(list) = obj.get("judge_result") else {
        return problem(
            "no `judge_result` key".into(),
            "judge files written by harmbench_judge.py have `ASR` and `judge_result`; re-run the judge step",
        );
    };
    let Value::Array(list) = list else {
        return problem(
            "`judge_result` is not a list".into(),
            "it must be a list of {question, answer, label} objects",
        );
    };
    let mut problems = Vec::new();
    let mut unsafe_flags = Vec::with_capacity(list.len());
    let mut refusals = Vec::with_capacity(list.len());
    let mut has_text = true;
    for (i, item) in list.iter().enumerate() {
        let Value::Object(item) = item else {
            problems.push(
                Problem::new(location, "entry is not an object", "each entry is {question, answer, label}").at_item(i),
            );
            continue;
        };
        let is_unsafe = match item.get("label") {
            Some(Value::String(s)) if s == "unsafe" => true,
            Some(Value::String(s)) if s == "safe" => false,
            Some(Value::String(s)) => {
                let shown: String = s.chars().take(20).collect();
                problems.push(
                    Problem::new(
                        location,
                        format!("label `{shown}` is neither `safe` nor `unsafe`"),
                        "labels are exactly `safe` or `unsafe` (lower case), as harmbench_judge.py writes them",
                    )
                    .at_item(i),
                );
                continue;
            }
            Some(_) => {
                problems.push(
                    Problem::new(location, "label is not a string", "labels are the strings `safe` or `unsafe`")
                        .at_item(i),
                );
                continue;
            }
            None => {
                problems.push(
                    Problem::new(location, "entry has no `label`", "re-run the judge step; every entry gets a label")
                        .at_item(i),
                );
                continue;
            }
        };
        unsafe_flags.push(is_unsafe);
        let refusal = match item.get("answer") {
            Some(Value::String(answer)) if !is_unsafe => Some(rules.is_explicit_refusal(answer)),
            Some(Value::String(_)) => None,
            _ => {
                has_text = false;
                None
            }
        };
        refusals.push(refusal);
    }
    if !problems.is_empty() {
        return Parsed::Unreadable(problems);
    }
    // statics.py ignores the stored ASR and so do we; a mismatch only hints at an edited file.
    let mut warnings = Vec::new();
    if let Some(stored) = obj.get("ASR").and_then(Value::as_f64) {
        let n = unsafe_flags.len();
        if n > 0 {
            let computed = unsafe_flags.iter().filter(|u| **u).count() as f64 / n as f64 * 100.0;
            if (stored - computed).abs() > 0.01 {
                warnings.push(Problem::new(
                    location,
                    format!("the stored `ASR` ({stored:.2}) differs from the labels ({computed:.2}); the labels count"),
                    "nothing to do, unless the file was edited by hand",
                ));
            }
        }
    }
    Parsed::Labels(FileLabels { unsafe_flags, refusals: has_text.then_some(refusals), warnings })
}

/// serde_json's error category without its position (added separately) and without any
/// excerpt of the input.
fn e_kind(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "file ends too early",
    }
}
