//! Reads the harness's judge output: `results/harmbench/<model>/<Category>/<Relation>.json`,
//! each a JSON object whose `judge_result` list holds one `{question, answer, label}` per item
//! in dataset order.
//!
//! Counting follows `statics.py` exactly (a file's total is the length of `judge_result`, its
//! unsafe count the entries labelled `unsafe`), but validation is stricter: `statics.py`
//! silently skips or miscounts what it does not expect, while a leaderboard must refuse it and
//! say why. Answer and question text are read only to classify refusals and are dropped with
//! the parsed file; no message ever quotes them.
//!
//! `judge_file` parses one file; `layout` finds the model folder and places each file into its
//! (category, relation) cell; this file collects the files and assembles the result.

mod judge_file;
mod layout;

#[cfg(test)]
mod tests;

use super::archive::EntryPath;
use crate::domain::leaderboard::Breakdown;
use crate::domain::metrics::Counts;
use crate::domain::model::Granularity;
use crate::domain::refusal::RuleSet;
use crate::domain::submission::{Coverage, ItemLabel, ParsedResult, Problem, Problems, Rejection, ResultSummary};
use crate::domain::taxonomy::{Relation, RiskCategory};
use judge_file::{FileLabels, Parsed, parse_judge_file};
use layout::{Placed, display_root, find_root, place_files};
use std::collections::BTreeMap;
use std::io::Read;

/// Collects every file of an upload, then decides what the tree is.
pub struct TreeReader<'r> {
    rules: &'r RuleSet,
    files: BTreeMap<EntryPath, Parsed>,
    ignored_system_files: usize,
    /// Problems kept so far across the files. Only [`Rejection::MAX_LISTED`] are ever shown, so
    /// once that many are kept each further file keeps one (and counts the rest): memory stays
    /// bounded however many bad files and items an upload holds.
    kept_problems: usize,
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
        Self { rules, files: BTreeMap::new(), ignored_system_files: 0, kept_problems: 0 }
    }

    /// Takes one file of the upload, held in memory.
    pub fn add(&mut self, path: &EntryPath, mut bytes: &[u8]) {
        self.add_reader(path, &mut bytes);
    }

    /// Takes one file of the upload as a stream, read once (not necessarily to its end: files
    /// that are not judge output are not read at all). Duplicate paths never reach here (the
    /// archive reader refuses them).
    pub fn add_reader(&mut self, path: &EntryPath, reader: &mut dyn Read) {
        if is_system_junk(path) {
            self.ignored_system_files += 1;
            return;
        }
        let parsed = if is_outside_judge_output(path) {
            Parsed::Skipped
        } else if path.file_name().ends_with(".json") {
            let cap = Rejection::MAX_LISTED.saturating_sub(self.kept_problems).max(1);
            let parsed = parse_judge_file(&path.to_string(), reader, self.rules, cap);
            if let Parsed::Unreadable(problems) = &parsed {
                self.kept_problems += problems.listed().len();
            }
            parsed
        } else {
            Parsed::Unreadable(Problems::new())
        };
        self.files.insert(path.clone(), parsed);
    }

    /// Decides the tree's layout, validates every file in it, and computes the counts: finds
    /// the candidates (refusing an upload without any), the root, places the files into cells,
    /// checks the item counts per relation, and assembles the result. Every problem found is
    /// returned at once, except that an empty upload or several roots are refused on their own.
    pub fn finish(self) -> Result<HarnessTree, Problems> {
        let mut warnings = Vec::new();
        if self.ignored_system_files > 0 {
            warnings.push(Problem::new(
                "",
                format!("ignored {} hidden or system file(s) (__MACOSX, .DS_Store, ...)", self.ignored_system_files),
                "nothing to do",
            ));
        }
        let skipped_infer = self.files.values().filter(|p| matches!(p, Parsed::Skipped)).count();
        let root = find_root(&self.candidates(skipped_infer)?)?;
        let folder_name = root.last().filter(|n| *n != "harmbench" && *n != "results").cloned();

        let Placed { cells, mut problems, warnings: mut placement_warnings, outside } = place_files(self.files, &root);
        warnings.append(&mut placement_warnings);
        warnings.extend(ignored_files_warnings(outside, skipped_infer, &root));
        problems.extend(check_item_counts(&cells));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(HarnessTree { folder_name, result: assemble(&cells, warnings, self.rules) })
    }

    /// The files that may be judge output: all but the skipped inference outputs. An upload
    /// without any is refused, saying whether it held only inference outputs or nothing at all.
    fn candidates(&self, skipped_infer: usize) -> Result<Vec<&EntryPath>, Problems> {
        let candidates: Vec<&EntryPath> =
            self.files.iter().filter(|(_, p)| !matches!(p, Parsed::Skipped)).map(|(k, _)| k).collect();
        if candidates.is_empty() {
            let message = if skipped_infer > 0 {
                "this holds inference outputs (results/infer/) but no judge outputs"
            } else {
                "the upload holds no files"
            };
            return Err(Problems::from(vec![Problem::new(
                "",
                message,
                "run the harness's judge step (eval.py) and upload results/harmbench/<model>/ as .zip or .tar.gz",
            )]));
        }
        Ok(candidates)
    }
}

/// Says how many files were left out without a problem: those outside the root, and the
/// inference outputs.
fn ignored_files_warnings(outside: usize, skipped_infer: usize, root: &[String]) -> Vec<Problem> {
    let mut warnings = Vec::new();
    if outside > 0 {
        warnings.push(Problem::new(
            "",
            format!("ignored {outside} file(s) outside the results folder {}", display_root(root)),
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
    warnings
}

/// Per relation the benchmark has a fixed number of items; more cannot be this benchmark.
fn check_item_counts(cells: &BTreeMap<(RiskCategory, Relation), (String, FileLabels)>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for r in Relation::ALL {
        let n: usize = cells.iter().filter(|((_, rr), _)| *rr == r).map(|(_, (_, l))| l.items).sum();
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
    problems
}

/// Turns the validated cells into the result: per-cell counts and per-item labels, the
/// breakdown and coverage, and the warnings that depend on the whole tree. Refusals are
/// estimated only if every file carried answer text.
fn assemble(
    by_cell: &BTreeMap<(RiskCategory, Relation), (String, FileLabels)>,
    mut warnings: Vec<Problem>,
    rules: &RuleSet,
) -> ParsedResult {
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
    for ((cat, rel), (location, labels)) in by_cell {
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
            items.push(ItemLabel { category: *cat, relation: *rel, index: i as u32, is_unsafe: *is_unsafe, refusal });
        }
    }
    let breakdown = Breakdown::from_cells(&cells);
    let coverage = Coverage::from_breakdown(&breakdown);
    warnings.extend(partial_run_warning(&coverage));
    ParsedResult {
        summary: ResultSummary {
            granularity: Granularity::Items,
            breakdown,
            cells,
            coverage,
            warnings,
            rule_set_version: all_have_text.then(|| rules.version().to_owned()),
        },
        items,
        aggregates: None,
    }
}

/// A partial run is accepted, but says which relations are short.
fn partial_run_warning(coverage: &Coverage) -> Option<Problem> {
    if coverage.is_complete() {
        return None;
    }
    let missing: Vec<String> = coverage
        .relations
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(r, got, want)| format!("{} {got}/{want}", r.harness_name()))
        .collect();
    Some(Problem::new(
        "",
        format!("partial run: {} of {} items ({})", coverage.received, coverage.expected, missing.join(", ")),
        "a partial run is accepted, but it is flagged as partial wherever it is shown",
    ))
}

/// A validated harness tree.
#[derive(Debug)]
pub struct HarnessTree {
    /// The model folder's name in the upload, if the upload had one.
    pub folder_name: Option<String>,
    pub result: ParsedResult,
}
