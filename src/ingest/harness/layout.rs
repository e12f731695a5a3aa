//! Where the files of an upload belong: finding the folder that holds the category folders,
//! placing each file below it into its (category, relation) cell, and the hints that say how to
//! rename a folder or file the harness would have spelt differently.

use super::judge_file::{FileLabels, Parsed};
use crate::domain::submission::{Problem, Problems};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::ingest::archive::EntryPath;
use std::collections::BTreeMap;

/// The root is the folder that holds the category folders. Find it from the files whose parent
/// folder is a category, exactly as the harness spells it (without any, guess it from the files'
/// depth). Category folders under two or more roots mean several models or runs: refused.
pub(super) fn find_root(candidates: &[&EntryPath]) -> Result<Vec<String>, Vec<Problem>> {
    let mut roots: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for path in candidates {
        let c = path.components();
        if c.len() >= 2 && RiskCategory::from_harness_name(&c[c.len() - 2]).is_some() {
            *roots.entry(c[..c.len() - 2].to_vec()).or_default() += 1;
        }
    }
    match roots.len() {
        // No category folder at all: report per file what is wrong with its place.
        0 => Ok(infer_root_from_depth(candidates)),
        1 => Ok(roots.into_keys().next().unwrap_or_default()),
        _ => {
            let names: Vec<String> =
                roots.keys().map(|r| if r.is_empty() { "(top level)".into() } else { r.join("/") }).collect();
            Err(vec![Problem::new(
                "",
                format!("the upload holds results of {} models or runs: {}", names.len(), names.join(", ")),
                "upload one model's folder (results/harmbench/<model>/) at a time",
            )])
        }
    }
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

/// Every file of the upload, placed relative to the root.
#[derive(Default)]
pub(super) struct Placed {
    /// The judge file of each (category, relation), with its location for messages.
    pub(super) cells: BTreeMap<(RiskCategory, Relation), (String, FileLabels)>,
    pub(super) problems: Problems,
    /// In path order: files ignored next to the category folders, and the judge files' own
    /// warnings.
    pub(super) warnings: Vec<Problem>,
    /// Files outside the root, ignored.
    pub(super) outside: usize,
}

/// Places every file that was not skipped: `<Category>/<Relation>.json` right below the root
/// goes into its cell; a file next to the category folders is ignored with a warning; a file
/// outside the root is only counted; anything nested deeper, in a folder that is not a category,
/// or not named after a relation is a problem, as is every problem found while parsing a file
/// that sits where judge output belongs. A root that yields neither a cell nor a problem is a
/// problem too.
pub(super) fn place_files(files: BTreeMap<EntryPath, Parsed>, root: &[String]) -> Placed {
    let mut placed = Placed::default();
    for (path, parsed) in files {
        if matches!(parsed, Parsed::Skipped) {
            continue;
        }
        let c = path.components();
        let location = path.to_string();
        if !c.starts_with(root) {
            placed.outside += 1;
            continue;
        }
        match &c[root.len()..] {
            [_] => placed.warnings.push(Problem::new(
                location,
                "ignored: a file next to the category folders",
                "nothing to do; only <Category>/<Relation>.json files are read",
            )),
            [folder, file] => placed.place_in_cell(location, folder, file, parsed),
            _ => placed.problems.push(Problem::new(
                location,
                "file is nested deeper than <Category>/<Relation>.json",
                "keep the harness layout: results/harmbench/<model>/<Category>/<Relation>.json",
            )),
        }
    }
    if placed.cells.is_empty() && placed.problems.is_empty() {
        placed.problems.push(Problem::new(
            display_root(root),
            "no <Category>/<Relation>.json judge files found",
            "upload results/harmbench/<model>/ as written by the harness's eval.py",
        ));
    }
    placed
}

impl Placed {
    /// A file at `<folder>/<file>` below the root. The folder and the file name are checked
    /// separately, so that both problems are reported at once; the file's own problems count
    /// only if it is named like JSON, and its warnings are kept even when its cell is not.
    fn place_in_cell(&mut self, location: String, folder: &str, file: &str, parsed: Parsed) {
        let category = RiskCategory::from_harness_name(folder);
        if category.is_none() {
            self.problems.push(Problem::new(
                location.clone(),
                format!("folder `{folder}` is not a risk category"),
                category_fix(folder),
            ));
        }
        let Some(stem) = file.strip_suffix(".json") else {
            self.problems.push(Problem::new(
                location,
                "not a JSON file",
                "category folders hold only the harness's <Relation>.json files; remove this file",
            ));
            return;
        };
        let relation = Relation::from_harness_name(stem);
        if relation.is_none() {
            self.problems.push(Problem::new(
                location.clone(),
                format!("`{file}` is not a relation file"),
                relation_fix(stem),
            ));
        }
        match parsed {
            Parsed::Labels(mut labels) => {
                self.warnings.append(&mut labels.warnings);
                if let (Some(cat), Some(r)) = (category, relation) {
                    self.cells.insert((cat, r), (location, labels));
                }
            }
            Parsed::Unreadable(problems) => self.problems.append(problems),
            Parsed::Skipped => {}
        }
    }
}

pub(super) fn display_root(root: &[String]) -> String {
    if root.is_empty() { "(top level)".into() } else { format!("{}/", root.join("/")) }
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
